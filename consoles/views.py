"""The pages people work in: the home page and each post's desk, the case list and case page,
the component page and the map. Every page acts as the post chosen on a desk in this browser
(org/access.py); what a post may see and do is answered by the cases and the state machine,
never here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import deadlines, photos
from cases.contacts import REVEALERS, Contact, masked, reveal_contact
from cases.models import TEXT_MAX, Case, CaseEvent, PhotoStage
from cases.schemas import DETAIL_RELATED, suggestion_out
from cases.transitions import DECIDERS, get_case_for, visible_case
from cases.verbs import VERBS
from components import queries as components
from components.models import Component
from components.views import filter_options, layer_config
from consoles import actions, case_facts, map_layer
from consoles.export import export
from consoles.models import ExportFormat
from consoles.rows import case_rows
from consoles.search import CaseSearch
from consoles.workspaces import WORKSPACES
from evaluation import reliability
from geo.views import GRID_MIN_ZOOM, MAX_BBOX_DEGREES
from org.access import Refusal, posts_of, viewer_for
from org.models import Unit
from org.roles import Role

# -- home and desks ---------------------------------------------------------------------------


def locked_out(
    request: HttpRequest, credentials: object, *args: object, **kwargs: object
) -> HttpResponse:
    """Sign-in paused after too many wrong passwords (django-axes' AXES_LOCKOUT_CALLABLE)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a person with one post straight to its workspace; let others choose."""
    roles = list(dict.fromkeys(post.role for post in posts_of(request.user)))
    if len(roles) == 1:
        return redirect("workspace", role=roles[0])
    if not roles and request.user.is_superuser:
        return redirect("workspace", role=Role.SYSADMIN)
    workspaces = [WORKSPACES[r] for r in roles]
    return render(request, "consoles/home.html", {"workspaces": workspaces})


# -- cases ------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """What waits for the post, a queue, the overdue or all it may see; filtered, sorted."""
    search = CaseSearch(viewer_for(request), request.GET, timezone.now())
    page = search.page(request.GET.get("page"))
    context = {
        "search": search,
        "filters": search.filters,
        "page": page,
        "rows": case_rows(list(page.object_list), search.now),
    }
    return render(request, "consoles/case_list.html", context)


@login_required
def case_export(request: HttpRequest, file_format: str) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV or XLSX; recorded before a row leaves."""
    actor = viewer_for(request)
    if file_format not in ExportFormat.values:
        raise Http404
    if actor.post is None:
        raise PermissionDenied
    search = CaseSearch(actor, request.GET, timezone.now())
    try:
        if not search.filters.is_valid():
            raise Refusal("invalid_filters", _("Correct the filters before exporting."), 400)
        return export(search, file_format)
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return redirect(f"{reverse('case_list')}?{search.query()}")


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return case_page(request, number)


def case_page(
    request: HttpRequest,
    number: str,
    problem: tuple[str, Refusal] | None = None,
    contact: Contact | None = None,
) -> HttpResponse:
    """The case with everything known of it, and a form for each verb the post may call now;
    `problem` is a refused verb (or photo) to show beside its form, `contact` the reporter's
    contact revealed in full."""
    viewer = viewer_for(request)
    try:
        in_hand = get_case_for(viewer, number, related=DETAIL_RELATED)
    except Refusal:
        raise Http404 from None  # unknown, or not the viewer's to see: the same answer
    case, now = in_hand.case, timezone.now()
    choices = actions.choices_for(case, in_hand.verbs, viewer)
    with_form = (*in_hand.verbs, "photo") if choices.photo_stages else in_hand.verbs
    context = {
        "case": case,
        "viewer": viewer,
        "verbs": actions.in_order(in_hand.verbs),
        "aside": actions.ASIDE,
        "choices": choices,
        "decisions": DECIDERS,
        "reasoned": actions.REASONED,
        "text_max": TEXT_MAX,
        "problem": problem,
        "kept": request.POST if problem else {},  # what the refused form said, shown again
        "co_kept": request.POST.getlist("co_units") if problem else [],
        # A refusal without its form here now (another post's verb, or no longer possible).
        "loose_problem": problem if problem and problem[0] not in with_form else None,
        "light": deadlines.light(case, now),
        "overdue": case.is_overdue(now),
        "events": timeline(case),
        "photos": case_facts.photos_with_doubts(case),
        "tasks": case_facts.task_rows(case, now),
        "co_handlings": case.co_handlings.select_related("unit"),
        "contact": contact or masked(case),
        "may_reveal": contact is None and viewer.role in REVEALERS,
        "calendar_warnings": case_facts.calendar_warnings(case, viewer, now),
        "case_map": case_facts.case_map(case),
        "origin": case_facts.origin(case),
        "suggestion": suggestion_out(case),
    }
    status = problem[1].status if problem else 200
    return render(request, "consoles/case_detail.html", context, status=status)


def timeline(case: Case) -> list[tuple[CaseEvent, str]]:
    """The case's events, each with the unit it sent the case to (a dispatch names it by
    code in its data), read in one query."""
    events = list(case.events.select_related("actor__person", "unit").order_by("sequence"))
    codes = {event.data.get("unit") for event in events if event.verb == "dispatch"}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [(event, names.get(event.data.get("unit"), "")) for event in events]


@login_required
@require_POST
def case_act(request: HttpRequest, number: str, verb: str) -> HttpResponse:
    """Run one verb from its form on the case page, then show the case as it is now."""
    if verb not in VERBS:
        raise Http404
    actor = viewer_for(request)
    try:
        case = visible_case(actor, number)
    except Refusal:
        raise Http404 from None
    try:
        case = actions.run_verb(case, actor, VERBS[verb], request.POST)
    except Refusal as refusal:
        return case_page(request, number, (verb, refusal))
    messages.success(request, actions.done_message(VERBS[verb], case))
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        return redirect("home")  # e.g. returned to the command center: no longer ours to see
    return redirect("case_detail", number=number)


@login_required
@require_POST
def case_reveal_contact(request: HttpRequest, number: str) -> HttpResponse:
    """The public reporter's name and phone in full, to call them back; recorded in the trail."""
    actor = viewer_for(request)
    try:
        contact = reveal_contact(visible_case(actor, number), actor=actor, now=timezone.now())
    except Refusal as refusal:
        if refusal.code == "not_found":
            raise Http404 from None
        return case_page(request, number, ("contact", refusal))
    return case_page(request, number, contact=contact)


@login_required
@require_POST
def case_add_photo(request: HttpRequest, number: str) -> HttpResponse:
    """A photo from the case page: the report's, the after-photo or the check photo."""
    actor = viewer_for(request)
    try:
        case = visible_case(actor, number)
    except Refusal:
        raise Http404 from None
    stage, upload = request.POST.get("stage", ""), request.FILES.get("image")
    try:
        if stage not in PhotoStage.values or upload is None:
            raise Refusal("photo_missing", _("Choose a stage and a photo."))
        photos.check_photo_allowed(case, actor, stage)
        photos.store_photo(case, stage, upload, actor=actor, now=timezone.now())
    except Refusal as refusal:
        return case_page(request, number, ("photo", refusal))
    messages.success(request, _("The photo was added."))
    return redirect("case_detail", number=number)


# -- components and the map -------------------------------------------------------------------


@login_required
def component_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    component = (
        Component.objects.select_related(
            "case_type__major", "grid", "community", "street", "department", "owner", "maintainer"
        )
        .filter(identifier=identifier)
        .first()
    )
    if component is None:
        raise Http404
    cases = Case.objects.visible_to(viewer_for(request)).filter(component=component)
    # Only the cases the viewer may see: a case page outside the scope answers 404 anyway.
    shown = list(
        cases.select_related("case_type")
        .annotate(failure=ExpressionWrapper(reliability.CONFIRMED, output_field=BooleanField()))
        .order_by("-created_at", "-id")
    )
    context = {
        "component": component,
        "changes": components.status_history(component),
        "cases": shown,
        "visible_numbers": {case.number for case in shown},
        # The component's record counts all its cases, those the viewer cannot open too.
        "record": reliability.component_failures(component),
    }
    return render(request, "consoles/component.html", context)


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    config = {
        "urls": {
            **{name: reverse(f"map_{name}") for name in ("outlines", "grids", "locate")},
            "search": reverse("map_find"),  # case numbers and components, then geo's search
        },
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "gridMinZoom": GRID_MIN_ZOOM,
        "maxBoxDegrees": MAX_BBOX_DEGREES,
        "text": map_texts(),
        "components": layer_config(),
        "cases": map_layer.layer_config(),
    }
    context = {
        "map_config": config,
        "component_filters": filter_options(),
        "case_filters": map_layer.filter_options(),
    }
    return render(request, "consoles/map.html", context)


def map_texts() -> dict[str, str]:
    """What map.js shows, in the user's language."""
    return {
        "district": _("District"),
        "streets": _("Streets and townships"),
        "communities": _("Communities"),
        "grids": _("Unit grids"),
        "baseMap": _("Base map"),
        "street": _("Street / township"),
        "community": _("Community"),
        "grid": _("Unit grid"),
        "area": _("Area"),
        "landUse": _("Land use"),
        "grade": _("Management grade"),
        "zoomIn": _("Zoom in to see the unit grids."),
        "gridsShown": _("Unit grids shown: {n}"),
        "noTerritory": _("No territory has been imported yet."),
        "loading": _("Loading…"),
        "failed": _("The map could not load its data."),
        "matched": _("Matched: {how}"),
    }
