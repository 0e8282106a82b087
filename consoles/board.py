"""The overdue board (超期督办看板): every unit with cases in its hands (dispatched or being
handled, as lead unit), its cases counted by light, how many are overdue and since when; the
worst unit first. For the command center and those who watch it (shift leaders, leaders,
analysts), each within the cases their post may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cases.models import Case, CaseQuerySet, Light, Status, lit, overdue
from org.access import viewer_for
from org.models import Unit
from org.roles import Role

BOARD_ROLES = frozenset({Role.DISPATCHER, Role.SHIFT_LEADER, Role.LEADER, Role.ANALYST})
IN_HAND = (Status.DISPATCHED, Status.HANDLING)
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass
class Tally:
    """One unit's cases in hand: how many of each light, how many overdue, the oldest due."""

    lights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Light.values, 0))
    total: int = 0  # a case without a running clock has no light, but is in hand all the same
    overdue: int = 0
    oldest_overdue: datetime | None = None

    def add_up(self, other: Tally) -> None:
        self.total += other.total
        for light, count in other.lights.items():
            self.lights[light] += count
        self.overdue += other.overdue
        if other.oldest_overdue and (
            self.oldest_overdue is None or other.oldest_overdue < self.oldest_overdue
        ):
            self.oldest_overdue = other.oldest_overdue


def tally_by_unit(cases: CaseQuerySet, now: datetime) -> dict[Unit, Tally]:
    """The cases in hand counted per lead unit by light and lateness, in two queries."""
    in_hand = cases.filter(status__in=IN_HAND, responsible_unit__isnull=False)
    late = overdue(now)
    counts = {light: Count("pk", filter=lit(light, now)) for light in Light.values}
    rows = (
        in_hand.order_by()
        .values("responsible_unit")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=late),
            oldest=Min("handling_due_at", filter=late),
            **counts,
        )
    )
    found: dict[int, dict[str, Any]] = {row["responsible_unit"]: dict(row) for row in rows}
    units = Unit.objects.in_bulk(list(found)).values()
    return {
        unit: Tally(
            lights={light: found[unit.pk][light] for light in Light.values},
            total=found[unit.pk]["total"],
            overdue=found[unit.pk]["overdue"],
            oldest_overdue=found[unit.pk]["oldest"],
        )
        for unit in units
    }


@dataclass(frozen=True)
class Row:
    unit: Unit
    tally: Tally

    @property
    def cells(self) -> list[tuple[str, int, str]]:
        """Each light with its count and the case list of the unit's cases in that light."""
        base = reverse("case_list")
        return [
            (light, count, f"{base}?{urlencode({'unit': str(self.unit.pk), 'light': light})}")
            for light, count in self.tally.lights.items()
        ]


def board_rows(cases: CaseQuerySet, now: datetime) -> list[Row]:
    """One row per unit with cases in hand, the worst first: most overdue, then most red, most
    yellow, the oldest overdue deadline, then by code."""
    rows = [Row(unit, tally) for unit, tally in tally_by_unit(cases, now).items()]
    return sorted(rows, key=_worst_first)


def _worst_first(row: Row) -> tuple[int, int, int, datetime, str]:
    tally, lights = row.tally, row.tally.lights
    oldest = tally.oldest_overdue or NEVER
    return (-tally.overdue, -lights[Light.RED], -lights[Light.YELLOW], oldest, row.unit.code)


@login_required
def overdue_board(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request)
    if viewer.role not in BOARD_ROLES:
        message = _(
            "The overdue board is for dispatchers, shift leaders, leaders and analysts. Open "
            "the desk of one of these posts first if you hold one."
        )
        return render(request, "refused.html", {"message": message}, status=403)
    now = timezone.now()
    rows = board_rows(Case.objects.visible_to(viewer), now)
    totals = Tally()
    for row in rows:
        totals.add_up(row.tally)
    context = {"rows": rows, "totals": totals, "lights": Light, "viewer": viewer, "now": now}
    return render(request, "consoles/board.html", context)
