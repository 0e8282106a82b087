"""Read-only case list and case page in the product's look (the consoles come with step 5)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import deadlines
from cases.models import Case, Status
from cases.queries import visible_cases
from catalog.routing import Suggestion, suggest_unit
from geo.models import Street
from org.models import data_scope_for

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
