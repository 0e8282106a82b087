"""The inspector app's pages and its own JSON (under /m/): the app shell, the web app manifest
and service worker that make it installable and open offline, duty and position pings, the
type picker's list and the inspector's own reports. Reports, photos and tasks go through the
JSON API (/api/v1/) like any other client.

Only a person holding an inspector post (监督员) uses the app; the JSON answers refusals in the
API's format, {"error": {"code", "message"}}, in the user's language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from cases import deadlines
from cases.models import Case, Channel, Status
from catalog.models import CaseType
from org.access import Actor, Refusal, posts_of
from org.models import Membership
from org.roles import Role

from . import tracks
from .strings import app_strings

type View = Callable[..., HttpResponse]

PAGE_MAX: Final = 50
OFFSET_MAX: Final = 100_000  # no inspector has reported more; a larger one overflows SQL
PINGS_RATE: Final = "20/m"  # per inspector
FREQUENT_DAYS: Final = 90  # the types an inspector reported lately come first
FREQUENT_MAX: Final = 8
# What the service worker keeps so the app opens without a network (its shell).
SHELL_STATIC: Final = (
    "intake/mobile/app.css",
    "intake/mobile/app.js",
    "intake/mobile/queue.js",
    "intake/mobile/net.js",
    "intake/mobile/sender.js",
    "intake/mobile/icon.svg",
    "leaflet/leaflet.css",
    "leaflet/leaflet.js",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png",
)


def inspector_post(request: HttpRequest) -> Membership | None:
    """The signed-in person's inspector post (监督员), if they hold one."""
    return next((p for p in posts_of(request.user) if p.role == Role.INSPECTOR), None)


def inspector_actor(request: HttpRequest) -> Actor:
    if not request.user.is_authenticated:
        raise Refusal("unauthorized", _("Sign in first."), 401)
    post = inspector_post(request)
    if post is None:
        raise Refusal("not_inspector", _("The inspector app is for inspectors (监督员) only."), 403)
    return Actor(request.user, post)


def refused(refusal: Refusal) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": refusal.code, "message": refusal.message}}, status=refusal.status
    )


def app_json(view: View) -> View:
    """A JSON view of the app: the inspector's actor as second argument, refusals as JSON,
    never cached (positions and reports are private and change)."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, inspector_actor(request), *args, **kwargs)
        except Refusal as refusal:
            return refused(refusal)

    return never_cache(answer)


def json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refusal("bad_json", _("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise Refusal("bad_json", _("The request body must be a JSON object."))
    return body


def check_same_user(body: dict[str, Any], actor: Actor) -> None:
    """A page left open on a shared phone names the inspector it was opened for: after someone
    else signed in, its positions and duty must not become theirs."""
    named = body.get("user")
    if named is not None and actor.user is not None and named != actor.user.get_username():
        raise Refusal(
            "other_user",
            _("Someone else is signed in on this phone now: reload the app."),
            409,
        )


# -- pages -------------------------------------------------------------------------------------


@never_cache
@ensure_csrf_cookie  # the script reads the token from the cookie for its POSTs
@require_GET
def app(request: HttpRequest) -> HttpResponse:
    """The app shell: one page whose script does the rest, from the API and /m/ JSON."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if inspector_post(request) is None:
        return render(request, "intake/mobile/not_inspector.html", status=403)
    config = {
        "urls": {
            "duty": reverse("mobile:duty"),
            "pings": reverse("mobile:pings"),
            "types": reverse("mobile:types"),
            "reports": reverse("mobile:reports"),
            "worker": reverse("mobile:service_worker"),
            "api": "/api/v1/",
            "grids": reverse("map_grids"),
        },
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "user": request.user.get_username(),
        "strings": app_strings(),
    }
    return render(request, "intake/mobile/app.html", {"config": config})


@cache_control(max_age=3600)
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installable, opening on /m/ in its own window."""
    icon = static("intake/mobile/icon.svg")
    body = {
        "name": _("UrbanGrid inspector app (城管通)"),
        "short_name": _("城管通"),
        "description": _("Report problems, verify and check cases on patrol."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("mobile:app"),
        "scope": reverse("mobile:app"),
        "id": reverse("mobile:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "icons": [
            {"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "maskable"},
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@cache_control(no_cache=True)
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /m/ so that its scope is the app. Its cache name
    changes with the shell's files, so a new release replaces the old shell."""
    shell = [reverse("mobile:app"), *(static(name) for name in SHELL_STATIC)]
    version = shell_version(shell)
    script = render(
        request,
        "intake/mobile/sw.js",
        {"shell": json.dumps(shell), "version": version, "app": reverse("mobile:app")},
        content_type="text/javascript; charset=utf-8",
    )
    script["Service-Worker-Allowed"] = reverse("mobile:app")
    return script


def shell_version(shell: list[str]) -> str:
    """Changes with the shell's URLs and its files' contents (the URLs alone do not change
    without hashed file names, as when DEBUG serves them)."""
    digest = hashlib.sha256("\n".join(shell).encode())
    for name in SHELL_STATIC:
        path = finders.find(name)
        if isinstance(path, str):
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


# -- duty and pings ----------------------------------------------------------------------------


def _duty(actor: Actor, shift: Any) -> dict[str, Any]:
    return {
        "user": actor.user.get_username() if actor.user else "",
        "on_duty": shift is not None and shift.ended_at is None,
        "started_at": shift.started_at.isoformat() if shift is not None else None,
        "last_at": shift.last_at.isoformat() if shift is not None and shift.last_at else None,
    }


@app_json
@require_http_methods(["GET", "POST"])
def duty(request: HttpRequest, actor: Actor) -> HttpResponse:
    """GET: who am I and am I on duty. POST {"on_duty": true|false}: go on or off duty
    (上岗 / 下岗)."""
    person = actor.person
    assert person is not None
    if request.method == "GET":
        return JsonResponse(_duty(actor, tracks.open_shift(person)))
    body = json_body(request)
    check_same_user(body, actor)
    wanted = body.get("on_duty")
    if not isinstance(wanted, bool):
        raise Refusal("bad_duty", _("Say on_duty: true or false."))
    now = timezone.now()
    if wanted:
        return JsonResponse(_duty(actor, tracks.start_shift(person, now=now)))
    tracks.end_shift(person, now=now)
    return JsonResponse(_duty(actor, None))


@app_json
@require_http_methods(["POST"])
@ratelimit(key="user", rate=PINGS_RATE, method="POST", block=False)
def pings(request: HttpRequest, actor: Actor) -> HttpResponse:
    """POST {"pings": [{"at", "lon", "lat", "accuracy"}, …], "crs": "wgs84"}: positions on duty."""
    assert actor.person is not None
    if getattr(request, "limited", False):  # a phone sends one batch every 30 s or so
        raise Refusal("too_many_requests", _("Too many requests: wait a minute."), 429)
    body = json_body(request)
    check_same_user(body, actor)
    crs = body.get("crs", "wgs84")
    if not isinstance(crs, str):
        raise Refusal("bad_crs", _("crs must be wgs84, cgcs2000, gcj02 or bd09."))
    stored = tracks.record_pings(actor.person, body.get("pings"), now=timezone.now(), crs=crs)
    return JsonResponse({"stored": stored}, status=201)


# -- the report form's types and the inspector's own reports ----------------------------------


@app_json
@require_GET
def types(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The current edition's types, the ones this inspector reported most lately first."""
    since = timezone.now() - timedelta(days=FREQUENT_DAYS)
    frequent = list(
        Case.objects.filter(
            reporter=actor.user,
            channel=Channel.INSPECTOR,
            created_at__gte=since,
            case_type__isnull=False,
        )
        .values("case_type")
        .annotate(n=Count("id"))
        .order_by("-n", "case_type")
        .values_list("case_type", flat=True)[:FREQUENT_MAX]
    )
    rank = {type_id: n for n, type_id in enumerate(frequent)}
    found = CaseType.objects.filter(major__edition__is_current=True, is_active=True).select_related(
        "major"
    )
    ordered = sorted(found, key=lambda t: (rank.get(t.pk, len(rank)), t.major.kind, t.code))
    items = [
        {
            "code": t.code,
            "name": t.name,
            "kind": t.major.kind,
            "major": t.major.name,
            "frequent": t.pk in rank,
        }
        for t in ordered
    ]
    return JsonResponse({"items": items})


@app_json
@require_GET
def reports(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The inspector's own reports, newest first: ?offset=&limit= (at most 50)."""
    offset, limit = _page(request)
    mine = Case.objects.filter(reporter=actor.user, channel=Channel.INSPECTOR)
    now = timezone.now()
    page = mine.select_related("case_type").order_by("-created_at", "-id")[offset : offset + limit]
    return JsonResponse(
        {
            "total": mine.count(),
            "offset": offset,
            "limit": limit,
            "items": [_report(case, now) for case in page],
        }
    )


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        offset = int(request.GET.get("offset", "0"))
        limit = int(request.GET.get("limit", "20"))
    except ValueError:
        raise Refusal("bad_page", _("offset and limit must be whole numbers.")) from None
    if not 0 <= offset <= OFFSET_MAX or not 1 <= limit <= PAGE_MAX:
        raise Refusal(
            "bad_page",
            _("offset must lie between 0 and %(offset)d and limit between 1 and %(max)d.")
            % {"offset": OFFSET_MAX, "max": PAGE_MAX},
        )
    return offset, limit


def _report(case: Case, now: Any) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "type": case.case_type.name if case.case_type else "",
        "address": case.address,
        "description": case.description[:80],
        "created_at": timezone.localtime(case.created_at).isoformat(),
        "observed_at": timezone.localtime(case.observed_at).isoformat()
        if case.observed_at
        else None,
        "light": deadlines.light(case, now),
    }
