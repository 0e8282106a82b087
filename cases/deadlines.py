"""Deadlines and traffic lights: step limits, handling limits and the working calendar.

The calendar comes from CalendarDay/CalendarYear rows (seeded from chinese-calendar, edited by
administrators) and the working periods in settings. A year without holiday data falls back to
weekdays only: a deadline is always computed, and `calendar_warnings` tells the consoles.
"""

from __future__ import annotations

import threading
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from cases.models import CalendarDay, CalendarDayKind, CalendarYear, Case, Clock, StageLimit, Status
from catalog.models import NATURAL_UNITS, FilingCondition, LimitUnit
from lib.workdays import WorkingCalendar


@dataclass(frozen=True)
class Limit:
    minutes: float
    clock: str


# Defaults for the steps other than handling (STANDARDS.md §4.3); StageLimit rows override them.
DEFAULT_STAGE_LIMITS: Final[dict[str, Limit]] = {
    "file": Limit(60, Clock.WORKING),  # reported → filed or rejected (立案)
    "verify": Limit(30, Clock.NATURAL),  # 核实 by an inspector
    "dispatch": Limit(30, Clock.WORKING),  # filed → dispatched (派遣)
    "sign": Limit(60, Clock.WORKING),  # dispatched → signed for (签收)
    "send_check": Limit(30, Clock.WORKING),  # handled → check task sent
    "check": Limit(30, Clock.NATURAL),  # 核查 by an inspector
    "close": Limit(60, Clock.WORKING),  # checked → closed (结案)
}

# Which step's limit runs in each status; handling statuses follow the filing condition.
STAGE_OF_STATUS: Final[dict[str, str]] = {
    Status.REPORTED: "file",
    Status.VERIFYING: "verify",
    Status.SELF_HANDLED: "close",
    Status.FILED: "dispatch",
    Status.DISPATCHED: "sign",
    Status.HANDLED: "send_check",
    Status.CHECKING: "check",
    Status.CHECKED: "close",
}

CACHE_SECONDS: Final = 60.0
_lock = threading.Lock()
_cached: tuple[float, WorkingCalendar] | None = None


def working_calendar() -> WorkingCalendar:
    """The calendar from the database, cached for a minute and dropped when it changes."""
    global _cached
    with _lock:
        if _cached is not None and clock.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
        days = list(CalendarDay.objects.values_list("date", "kind"))
        calendar = WorkingCalendar(
            periods=settings.WORKING_PERIODS,
            holidays=frozenset(d for d, kind in days if kind == CalendarDayKind.HOLIDAY),
            workdays=frozenset(d for d, kind in days if kind == CalendarDayKind.WORKDAY),
            known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
            zone=ZoneInfo(settings.TIME_ZONE),
            working_day_hours=settings.WORKING_DAY_HOURS,
        )
        _cached = (clock.monotonic(), calendar)
        return calendar


def forget_calendar(**_kwargs: object) -> None:
    global _cached
    with _lock:
        _cached = None


for _model in (CalendarDay, CalendarYear):
    post_save.connect(forget_calendar, sender=_model, dispatch_uid=f"forget-{_model.__name__}")
    post_delete.connect(forget_calendar, sender=_model, dispatch_uid=f"forget-{_model.__name__}-d")


def stage_limit(stage: str) -> Limit:
    row = StageLimit.objects.filter(stage=stage).values_list("minutes", "clock").first()
    return Limit(row[0], row[1]) if row else DEFAULT_STAGE_LIMITS[stage]


def handling_limit(condition: FilingCondition) -> Limit:
    """The condition's limit in minutes of its clock (a working day is the calendar's day)."""
    value, unit = condition.limit_value, condition.limit_unit
    if unit in NATURAL_UNITS:
        per = {LimitUnit.MINUTE: 1, LimitUnit.NATURAL_HOUR: 60, LimitUnit.NATURAL_DAY: 1440}
        return Limit(value * per[LimitUnit(unit)], Clock.NATURAL)
    if unit == LimitUnit.WORKING_HOUR:
        return Limit(value * 60, Clock.WORKING)
    return Limit(value * working_calendar().minutes_per_day, Clock.WORKING)


def add(start: datetime, limit: Limit) -> datetime:
    if limit.clock == Clock.NATURAL:
        return start + timedelta(minutes=limit.minutes)
    return working_calendar().add_working_minutes(start, limit.minutes)


def minutes_between(start: datetime, end: datetime, clock_kind: str) -> float:
    if clock_kind == Clock.NATURAL:
        return (end - start).total_seconds() / 60
    return working_calendar().working_minutes_between(start, end)


def start_step(case: Case, now: datetime) -> None:
    """Start the clock of the step the case's status is in (handling: the handling deadline)."""
    case.step_started_at = now
    if case.status in (Status.HANDLING,):
        case.due_at = case.handling_due_at
        case.step_clock = _handling_clock(case)
        return
    stage = STAGE_OF_STATUS.get(case.status)
    if stage is None:  # suspended or closed: no clock runs
        case.due_at = None
        return
    limit = stage_limit(stage)
    case.due_at, case.step_clock = add(now, limit), limit.clock


def _handling_clock(case: Case) -> str:
    if case.condition is None:
        return Clock.WORKING
    return handling_limit(case.condition).clock


class Light:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def light(case: Case, now: datetime) -> str | None:
    """Green below 80 % of the step's limit, yellow to 100 %, red beyond; None without a clock."""
    if case.due_at is None:
        return None
    if now > case.due_at:
        return Light.RED
    allowed = minutes_between(case.step_started_at, case.due_at, case.step_clock)
    used = minutes_between(case.step_started_at, now, case.step_clock)
    return Light.GREEN if allowed <= 0 or used < 0.8 * allowed else Light.YELLOW


def calendar_warnings(now: datetime) -> list[str]:
    """What the consoles say when this or next year's holidays are not entered yet."""
    calendar = working_calendar()
    missing = sorted(calendar.missing_years(now, now + timedelta(days=60)))
    return [
        _(
            "The holidays of %(year)d have not been entered: deadlines in %(year)d count "
            "Monday to Friday as working days until they are."
        )
        % {"year": year}
        for year in missing
    ]
