"""Every deadline of a case, and its light: step limits per urgency, the handling limit of the
filing condition, extensions, suspensions, urging answers, on the working calendar.

The calendar comes from CalendarDay/CalendarYear rows (seeded from chinese-calendar, edited by
administrators) and the working periods in settings. A year without holiday data falls back to
weekdays only: a deadline is always computed, and `calendar_warnings` tells the consoles.
Deadlines are computed once, when a step starts, and stored; every event keeps the ones in
force when it happened (cases/steps.py), so limits changed later never rewrite history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from cases.calendar import CalendarDay, CalendarDayKind, CalendarYear, Clock, StageLimit
from cases.models import Case, Light, Status, StatusKind, Task
from catalog.models import NATURAL_UNITS, FilingCondition, LimitUnit, Urgency
from lib.cache import PerProcess
from lib.workdays import CalendarError, WorkingCalendar
from org.access import Refusal


@dataclass(frozen=True)
class Limit:
    minutes: float
    clock: str


N, U = Urgency.NORMAL, Urgency.URGENT
# Defaults for the steps other than handling (STANDARDS.md §4.3); StageLimit rows override
# them. An urgent case's steps run on natural time, so a report at night is not left waiting
# for the morning (its handling limit is natural time too: catalog's urgent conditions).
DEFAULT_STAGE_LIMITS: Final[dict[tuple[str, str], Limit]] = {
    ("accept", N): Limit(30, Clock.WORKING),  # reported → accepted or not (受理)
    ("accept", U): Limit(10, Clock.NATURAL),
    ("verify", N): Limit(30, Clock.NATURAL),  # 核实 by an inspector
    ("verify", U): Limit(30, Clock.NATURAL),
    ("file", N): Limit(60, Clock.WORKING),  # accepted → filed or not (立案)
    ("file", U): Limit(15, Clock.NATURAL),
    ("dispatch", N): Limit(30, Clock.WORKING),  # filed → dispatched (派遣)
    ("dispatch", U): Limit(10, Clock.NATURAL),
    ("sign", N): Limit(60, Clock.WORKING),  # dispatched → signed for (签收)
    ("sign", U): Limit(15, Clock.NATURAL),
    ("send_check", N): Limit(30, Clock.WORKING),  # handled → check task sent
    ("send_check", U): Limit(10, Clock.NATURAL),
    ("check", N): Limit(30, Clock.NATURAL),  # 核查 by an inspector
    ("check", U): Limit(30, Clock.NATURAL),
    ("close", N): Limit(60, Clock.WORKING),  # checked → closed (结案)
    ("close", U): Limit(30, Clock.NATURAL),
    ("urge_reply", N): Limit(420, Clock.WORKING),  # an urged unit answers (督办回复)
    ("urge_reply", U): Limit(60, Clock.NATURAL),
    ("callback", N): Limit(960, Clock.WORKING),  # closed → the public reporter called back (回访)
    ("callback", U): Limit(480, Clock.WORKING),
}

WARN_SHARE: Final = 0.8  # a step's light turns yellow when this share of its time is used
# Which step's limit runs in each status; the handling statuses follow the handling deadline.
STAGE_OF_STATUS: Final[dict[str, str]] = {
    Status.REPORTED: "accept",
    Status.VERIFYING: "verify",
    Status.ACCEPTED: "file",
    Status.SELF_HANDLED: "close",
    Status.FILED: "dispatch",
    Status.DISPATCHED: "sign",
    Status.HANDLED: "send_check",
    Status.CHECKING: "check",
    Status.CHECKED: "close",
}


# -- reference data, kept per process ---------------------------------------------------------


def _load_calendar() -> WorkingCalendar:
    days = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkingCalendar(
        periods=settings.WORKING_PERIODS,
        holidays=frozenset(d for d, kind in days if kind == CalendarDayKind.HOLIDAY),
        workdays=frozenset(d for d, kind in days if kind == CalendarDayKind.WORKDAY),
        known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        zone=ZoneInfo(settings.TIME_ZONE),
        working_day_hours=settings.WORKING_DAY_HOURS,
    )


def _load_stage_limits() -> dict[tuple[str, str], Limit]:
    rows = StageLimit.objects.values_list("stage", "urgency", "minutes", "clock")
    return {**DEFAULT_STAGE_LIMITS, **{(s, u): Limit(m, c) for s, u, m, c in rows}}


_calendar = PerProcess(_load_calendar)
_stage_limits = PerProcess(_load_stage_limits)


def forget_calendar(**_kwargs: object) -> None:
    """Drop this process's calendar and step limits (tests, and after an edit)."""
    _calendar.forget()
    _stage_limits.forget()


for _model, _cache in ((CalendarDay, _calendar), (CalendarYear, _calendar)):
    post_save.connect(_cache.forget, sender=_model, dispatch_uid=f"forget-{_model.__name__}")
    post_delete.connect(_cache.forget, sender=_model, dispatch_uid=f"forget-{_model.__name__}-d")
post_save.connect(_stage_limits.forget, sender=StageLimit, dispatch_uid="forget-stage-limits")
post_delete.connect(_stage_limits.forget, sender=StageLimit, dispatch_uid="forget-stage-lim-d")


def working_calendar() -> WorkingCalendar:
    return _calendar.get()


# -- limits -----------------------------------------------------------------------------------


def stage_limit(stage: str, *, urgent: bool) -> Limit:
    return _stage_limits.get()[(stage, Urgency.URGENT if urgent else Urgency.NORMAL)]


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
    try:
        return working_calendar().add_working_minutes(start, limit.minutes)
    except CalendarError:
        raise Refusal(
            "deadline_out_of_range", _("This time limit ends too far in the future.")
        ) from None


def minutes_between(start: datetime, end: datetime, clock_kind: str) -> float:
    if clock_kind == Clock.NATURAL:
        return (end - start).total_seconds() / 60
    return working_calendar().working_minutes_between(start, end)


# -- a case's deadlines -----------------------------------------------------------------------


def follow(case: Case, before: str, now: datetime) -> None:
    """After a verb: a new status starts its step's clock; while handling, the step deadline
    is the handling deadline (an extension moves both)."""
    if case.status != before:
        start_step(case, now)
    elif case.status == Status.HANDLING:
        case.due_at = case.handling_due_at
        case.warn_at = warning_time(case.step_started_at, case.due_at, case.step_clock)


def start_step(case: Case, now: datetime) -> None:
    """Start the clock of the step the case's status is in."""
    case.step_started_at = now
    stage = STAGE_OF_STATUS.get(case.status)
    if case.status == Status.HANDLING:
        case.due_at, case.step_clock = case.handling_due_at, _handling_clock(case)
    elif stage is None:  # suspended or closed: no clock runs
        case.due_at = None
    else:
        limit = stage_limit(stage, urgent=case.is_urgent)
        case.due_at, case.step_clock = add(now, limit), limit.clock
    case.warn_at = warning_time(now, case.due_at, case.step_clock)


def task_due(kind: str, *, urgent: bool, now: datetime) -> datetime:
    """When a verify or check task sent now is due."""
    return add(now, stage_limit(kind, urgent=urgent))


def start_handling(case: Case, now: datetime) -> None:
    """Dispatch, or rework after a failed check: the full handling limit from now."""
    assert case.condition is not None
    case.handling_due_at = add(now, handling_limit(case.condition))


def extend_handling(case: Case, minutes: float) -> None:
    """An approved extension, in the handling limit's own clock."""
    assert case.condition is not None and case.handling_due_at is not None
    clock_kind = handling_limit(case.condition).clock
    case.handling_due_at = add(case.handling_due_at, Limit(minutes, clock_kind))


def suspend_handling(case: Case, now: datetime) -> None:
    """挂账: keep the handling time left (negative when already late); the clock stops."""
    assert case.condition is not None and case.handling_due_at is not None
    clock_kind = handling_limit(case.condition).clock
    case.suspended_remaining = minutes_between(now, case.handling_due_at, clock_kind)
    case.suspended_at = now


def resume_handling(case: Case, now: datetime) -> None:
    """挂账恢复: the time left when suspended runs again from now (none left: due now)."""
    assert case.condition is not None
    left = case.suspended_remaining or 0.0
    limit = Limit(left, handling_limit(case.condition).clock)
    case.handling_due_at = add(now, limit) if left > 0 else now
    case.suspended_at, case.suspended_remaining = None, None


def start_urge_reply(case: Case, now: datetime) -> None:
    """督办: the urged unit's answer is due; a second urging keeps the first one's due time."""
    if case.urge_due_at is None:
        case.urge_due_at = add(now, stage_limit("urge_reply", urgent=case.is_urgent))


def callback_due(case: Case, now: datetime) -> tuple[datetime, Light | None]:
    """回访 of a closed public report: when the reporter is to be called back, and its light.
    Scheduled from the closing, on the callback step's limit; kept out of the case's own
    deadline, which a closed case no longer has."""
    assert case.closed_at is not None
    limit = stage_limit("callback", urgent=case.is_urgent)
    due = add(case.closed_at, limit)
    warn_at = warning_time(case.closed_at, due, limit.clock)
    return due, _light(due, warn_at, now)


def _handling_clock(case: Case) -> str:
    if case.condition is None:
        return Clock.WORKING
    return handling_limit(case.condition).clock


# -- lights and warnings ----------------------------------------------------------------------


def light(case: Case, now: datetime) -> Light | None:
    """Green below 80 % of the step's limit, yellow to 100 %, red beyond; None without a clock.
    The same answer as Case.objects.lit(light, now) gives in SQL."""
    return _light(case.due_at, case.warn_at, now)


def _light(due: datetime | None, warn_at: datetime | None, now: datetime) -> Light | None:
    if due is None:
        return None
    if now > due:
        return Light.RED
    return Light.YELLOW if warn_at is not None and now >= warn_at else Light.GREEN


def warning_time(start: datetime, due: datetime | None, clock_kind: str) -> datetime | None:
    """When 80 % of the step's time is used and its light turns yellow."""
    if due is None:
        return None
    allowed = minutes_between(start, due, clock_kind)
    if allowed <= 0:
        return due
    if clock_kind == Clock.NATURAL:
        return start + timedelta(minutes=WARN_SHARE * allowed)
    return working_calendar().add_working_minutes(start, WARN_SHARE * allowed)


def task_light(task: Task, *, urgent: bool, now: datetime) -> Light | None:
    """A verify or check task's light while it is open, on its step limit's clock (a task
    stores no warning time: only its case page shows it)."""
    if task.done_at is not None:
        return None
    clock_kind = stage_limit(task.kind, urgent=urgent).clock
    return _light(task.due_at, warning_time(task.created_at, task.due_at, clock_kind), now)


def calendar_warnings(now: datetime) -> list[str]:
    """What the consoles say when this or next year's holidays are not entered yet."""
    return _missing_year_warnings(working_calendar().missing_years(now, now + timedelta(days=60)))


def case_calendar_warnings(case: Case, now: datetime) -> list[str]:
    """The years without entered holidays that an open case's deadlines fall in, or that its
    running clock passes through before them: those deadlines counted Monday to Friday."""
    if case.status_kind != StatusKind.OPEN:
        return []
    clocks = [(case.due_at, case.step_clock)]
    if case.handled_at is None:  # the handling deadline still runs
        clocks.append((case.handling_due_at, _handling_clock(case)))
    calendar, missing = working_calendar(), set[int]()
    for due, clock_kind in clocks:
        if due is not None and clock_kind == Clock.WORKING:  # natural time knows no holidays
            missing |= calendar.missing_years(min(now, due), due)
    return _missing_year_warnings(missing)


def _missing_year_warnings(missing: set[int]) -> list[str]:
    return [
        _(
            "The holidays of %(year)d have not been entered: deadlines in %(year)d count "
            "Monday to Friday as working days until they are."
        )
        % {"year": year}
        for year in sorted(missing)
    ]
