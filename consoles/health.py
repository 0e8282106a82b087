"""The reference data's health, for the system administrator: the gaps that make the loop go
wrong quietly (deadlines counted without holidays, a type that cannot be filed or routed, a grid
nobody patrols, a unit nobody signs for), each counted, with a link to the administration
site's list that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.deadlines import working_calendar
from catalog.models import CaseType, Edition, RoutingRule
from geo.models import InspectorArea, UnitGrid
from org.models import Membership, Unit
from org.roles import Role


@dataclass(frozen=True)
class Check:
    key: str
    title: Promise
    count: int
    url: str  # the administration list showing what is wrong (or where to add what is missing)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.count == 0


def admin_list(model: str, **lookups: str | int) -> str:
    """The administration site's change list of `model` ("app_model"), filtered."""
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(lookups)}" if lookups else url


def ids(pks: Iterable[int]) -> str:
    return ",".join(str(pk) for pk in pks)


def calendar_years(today_year: int) -> Check:
    """This year's and next year's holidays: without them deadlines count Monday to Friday."""
    zone = timezone.get_current_timezone()
    span = (datetime(today_year, 1, 1, tzinfo=zone), datetime(today_year + 1, 12, 31, tzinfo=zone))
    missing = sorted(working_calendar().missing_years(*span))
    return Check(
        "calendar",
        gettext_lazy("Calendar years without holidays entered"),
        len(missing),
        admin_list("cases_calendaryear"),
        ", ".join(str(year) for year in missing),
    )


def types_without_standard(edition: Edition) -> Check:
    """A type without a filing condition cannot be filed (no handling limit to start)."""
    found = CaseType.objects.filter(major__edition=edition, is_active=True, conditions__isnull=True)
    return Check(
        "no_standard",
        gettext_lazy("Types of the current edition without a filing standard"),
        found.count(),
        admin_list(
            "catalog_casetype",
            major__edition__id__exact=edition.pk,
            is_active__exact=1,
            conditions__isnull="True",
        ),
    )


def types_without_department(edition: Edition) -> Check:
    """Without a competent department, routing falls back on the territory for the type."""
    found = CaseType.objects.filter(
        major__edition=edition, is_active=True, default_department__isnull=True
    )
    return Check(
        "no_department",
        gettext_lazy("Types of the current edition without a competent department"),
        found.count(),
        admin_list(
            "catalog_casetype",
            major__edition__id__exact=edition.pk,
            is_active__exact=1,
            default_department__isnull="True",
        ),
    )


def no_current_edition() -> Check:
    return Check(
        "no_edition",
        gettext_lazy("No catalogue edition is marked current"),
        1,
        admin_list("catalog_edition"),
    )


def grids_without_area() -> Check:
    """A grid in no inspector area has nobody patrolling it."""
    return Check(
        "no_area",
        gettext_lazy("Unit grids without an inspector area"),
        UnitGrid.objects.filter(inspector_areas__isnull=True).count(),
        admin_list("geo_unitgrid", inspector_areas__isnull="True"),
    )


def areas_without_inspector() -> Check:
    return Check(
        "no_inspector",
        gettext_lazy("Inspector areas without an inspector"),
        InspectorArea.objects.filter(inspectors__isnull=True).count(),
        admin_list("geo_inspectorarea", inspectors__isnull="True"),
    )


def units_without_member() -> Check:
    """A unit cases can be dispatched to, with nobody holding an active post in it: its
    cases would wait with no one to sign for them."""
    members = Membership.objects.active().filter(unit=OuterRef("pk"))
    found = list(
        Unit.objects.active().handling().exclude(Exists(members)).values_list("pk", flat=True)
    )
    return Check(
        "no_member",
        gettext_lazy("Active units cases go to, without an active member"),
        len(found),
        admin_list("org_unit", id__in=ids(found)),
    )


def broken_rules(edition: Edition | None) -> Check:
    """An active routing rule that names an inactive unit or a type no longer reported in."""
    stale_type = Q(case_type__is_active=False)
    if edition is not None:
        stale_type |= ~Q(case_type__major__edition=edition)
    rules = RoutingRule.objects.filter(is_active=True).filter(Q(unit__is_active=False) | stale_type)
    found = list(rules.values_list("pk", flat=True))
    return Check(
        "rules",
        gettext_lazy("Active routing rules naming an inactive unit, or a type out of use"),
        len(found),
        admin_list("catalog_routingrule", id__in=ids(found)),
    )


def health_checks(today_year: int) -> list[Check]:
    """Every check, in a fixed number of queries."""
    edition = Edition.objects.filter(is_current=True).first()
    catalogue = (
        [types_without_standard(edition), types_without_department(edition)]
        if edition is not None
        else [no_current_edition()]
    )
    return [
        calendar_years(today_year),
        *catalogue,
        grids_without_area(),
        areas_without_inspector(),
        units_without_member(),
        broken_rules(edition),
    ]


def may_see_health(request: HttpRequest) -> bool:
    user = request.user
    if user.is_superuser:
        return True
    return Membership.objects.for_user(user).filter(role=Role.SYSADMIN).exists()


@login_required
def health_panel(request: HttpRequest) -> HttpResponse:
    if not may_see_health(request):
        message = _("The reference-data health panel is for system administrators.")
        return render(request, "refused.html", {"message": message}, status=403)
    checks = health_checks(timezone.localdate().year)
    context = {"checks": checks, "problems": sum(not check.ok for check in checks)}
    return render(request, "consoles/health.html", context)
