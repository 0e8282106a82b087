"""Patrol coverage (巡查覆盖): for one day, how much of each inspector area (责任网格) the
inspectors' phones passed through, the least covered area first; an area's unit grids one by
one, the unpatrolled first; and who is on duty now. For the supervision center and those who
watch it. Read from the tracks of intake/mobile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from geo.models import InspectorArea, UnitGrid
from intake.mobile.models import Shift
from intake.mobile.tracks import GridCoverage, coverage
from org.access import viewer_for
from org.roles import Role

PATROL_ROLES = frozenset(
    {Role.ACCEPTOR, Role.SHIFT_LEADER, Role.LEADER, Role.ANALYST, Role.SYSADMIN}
)
ON_DUTY_WITHIN = timedelta(minutes=15)  # a phone heard since then is on patrol now
CODE_MAX = InspectorArea._meta.get_field("code").max_length or 0


@dataclass(frozen=True)
class AreaRow:
    area: InspectorArea
    grids: int
    covered: int
    pings: int
    last_at: datetime | None

    @property
    def share(self) -> float:
        return self.covered / self.grids if self.grids else 0.0


@dataclass(frozen=True)
class DayPatrol:
    """The unit grids of each inspector area, and how each grid was patrolled on one day."""

    grids_of: dict[int, list[int]]
    seen: dict[int, GridCoverage]


def day_patrol(day: date) -> DayPatrol:
    start = timezone.make_aware(datetime.combine(day, time()))
    grids_of: dict[int, list[int]] = defaultdict(list)
    links = InspectorArea.grids.through.objects.values_list("inspectorarea_id", "unitgrid_id")
    for area_id, grid_id in links:
        grids_of[area_id].append(grid_id)
    seen = coverage({g for grids in grids_of.values() for g in grids}, start, _next_day(start))
    return DayPatrol(grids_of, seen)


def area_rows(patrol: DayPatrol) -> list[AreaRow]:
    """Each inspector area's grids patrolled, the least covered first."""
    areas = InspectorArea.objects.prefetch_related("inspectors")
    rows = [_row(area, [patrol.seen[g] for g in patrol.grids_of[area.pk]]) for area in areas]
    return sorted(rows, key=lambda row: (row.share, row.area.code))


def grid_rows(area: InspectorArea, patrol: DayPatrol) -> list[tuple[UnitGrid, GridCoverage]]:
    """The area's unit grids, each with how it was patrolled, the unpatrolled first."""
    rows = [(grid, patrol.seen[grid.pk]) for grid in area.grids.only("code")]
    return sorted(rows, key=lambda row: (row[1].pings, row[0].code))


def _next_day(start: datetime) -> datetime:
    # Local midnight to local midnight, whatever the clocks did in between.
    return timezone.make_aware(datetime.combine(start.date() + timedelta(days=1), time()))


def _row(area: InspectorArea, grids: list[GridCoverage]) -> AreaRow:
    times = [grid.last_at for grid in grids if grid.last_at is not None]
    return AreaRow(
        area=area,
        grids=len(grids),
        covered=sum(grid.covered for grid in grids),
        pings=sum(grid.pings for grid in grids),
        last_at=max(times, default=None),
    )


def on_duty_now(now: datetime) -> list[Shift]:
    """Open shifts whose phone was heard lately, the most recently heard first."""
    shifts = Shift.objects.filter(ended_at__isnull=True, last_at__gte=now - ON_DUTY_WITHIN)
    return list(shifts.select_related("person").order_by("-last_at"))


@login_required
def patrol_coverage(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request)
    if viewer.role not in PATROL_ROLES:
        message = _(
            "Patrol coverage is for the supervision center, leaders and analysts. Open the "
            "desk of one of these posts first if you hold one."
        )
        return render(request, "refused.html", {"message": message}, status=403)
    now = timezone.now()
    today = timezone.localdate(now)
    try:  # an impossible date (02-30) raises; the form offers today instead
        day = parse_date(request.GET.get("day") or "") or today
    except ValueError:
        day = today
    day = min(day, today)
    patrol = day_patrol(day)
    context = {"day": day, "today": today, "rows": area_rows(patrol), "on_duty": on_duty_now(now)}
    if code := request.GET.get("area"):  # one area's grids, each with its patrol
        # PostgreSQL refuses a NUL in a text: such a code names no area either.
        readable = len(code) <= CODE_MAX and code.isprintable()
        area = InspectorArea.objects.filter(code=code).first() if readable else None
        context |= {"asked_area": code, "area": area}
        context["grid_rows"] = grid_rows(area, patrol) if area else []
    return render(request, "consoles/patrol.html", context)
