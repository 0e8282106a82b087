"""Read-only case list and case page in the product's look (the consoles come with step 5)."""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import deadlines
from cases.models import Case, Photo, Status
from cases.queries import visible_cases
from catalog.routing import Suggestion, suggest_unit
from geo.models import Street
from org.models import data_scope_for
from org.tokens import user_for_key

PAGE_SIZE = 50


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(data_scope_for(request.user)).select_related(
        "case_type", "street", "responsible_unit"
    )
    status = request.GET.get("status", "")
    if status in Status.values:
        cases = cases.filter(status=status)
    street = request.GET.get("street", "")
    if street.isdigit():
        cases = cases.filter(street_id=int(street))
    page = Paginator(cases.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [(case, deadlines.light(case, now)) for case in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "statuses": Status.choices,
        "streets": Street.objects.order_by("code").only("id", "name"),
        "chosen": {"status": status, "street": street},
    }
    return render(request, "cases/case_list.html", context)


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    scope = data_scope_for(request.user)
    case = (
        visible_cases(scope)
        .select_related(
            "case_type", "condition", "grid", "community", "street", "responsible_unit", "team"
        )
        .filter(number=number)
        .first()
    )
    if case is None:  # unknown, or not the viewer's to see: the same answer
        raise Http404
    now = timezone.now()
    events = case.events.select_related("actor__person", "unit").order_by("sequence")
    context = {
        "case": case,
        "light": deadlines.light(case, now),
        "events": events,
        "photos": case.photos.order_by("stage", "uploaded_at"),
        "tasks": case.tasks.select_related("inspector").order_by("created_at"),
        "show_contact": scope.whole_district,
        "calendar_warnings": deadlines.calendar_warnings(now),
        "suggestion": _suggestion(case),
    }
    return render(request, "cases/case_detail.html", context)


def _suggestion(case: Case) -> Suggestion | None:
    """For a filed case, who routing suggests and why (the dispatcher confirms or overrides)."""
    if case.status != Status.FILED or case.case_type is None:
        return None
    return suggest_unit(case.case_type, case.point.x, case.point.y)


@require_GET
def photo_file(request: HttpRequest, number: str, photo_id: int, size: str) -> HttpResponseBase:
    """A case photo or its thumbnail, only for someone who may see the case. Photos show
    people and number plates, so they are never served as public media files."""
    viewer = _viewer(request)
    if not viewer.is_authenticated:
        message = _("Sign in to see this photo.")
        return JsonResponse({"error": {"code": "unauthorized", "message": message}}, status=401)
    cases = visible_cases(data_scope_for(viewer)).filter(number=number)
    photo = Photo.objects.filter(pk=photo_id, case__in=cases).first()
    if photo is None or size not in ("image", "thumbnail"):
        raise Http404
    stored = photo.image if size == "image" else photo.thumbnail
    content_type = mimetypes.guess_type(str(stored.name))[0] or "application/octet-stream"
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _viewer(request: HttpRequest) -> User | AnonymousUser:
    """The signed-in browser, or a device sending its API token (Authorization: Bearer …)."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key:
        return user_for_key(key.strip()) or AnonymousUser()
    return request.user
