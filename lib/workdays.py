"""Working-time arithmetic (工作时 / 工作日) on a working calendar.

A working day has working periods (08:30–12:00 and 14:00–17:30 by default). Which days work:
Monday to Friday, minus public holidays, plus make-up working days (调休, often a Saturday or
Sunday). Holiday data exists only for the years it was published; for any other year the
calendar falls back to weekdays only and says so (`missing_years`), so that a deadline is always
computable and the consoles can warn that the year's holidays still need entering.

All datetimes are timezone-aware; the arithmetic happens in the calendar's own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as china

from lib.i18n import gettext_noop

DEFAULT_PERIODS: Final = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
# A limit of N working days never needs more than this many calendar days per working day,
# even across the week-long Spring Festival and National Day holidays.
_MAX_DAYS_SCANNED: Final = 3660


class CalendarError(ValueError):
    """A calendar that cannot be used (periods overlapping, a day without working time…)."""


@dataclass(frozen=True)
class WorkingCalendar:
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    holidays: frozenset[date] = frozenset()  # days off that would otherwise work
    workdays: frozenset[date] = frozenset()  # make-up working days that would otherwise be off
    known_years: frozenset[int] = frozenset()  # years whose holidays were published and entered
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    working_day_hours: float | None = None  # None: the length of the periods

    def __post_init__(self) -> None:
        if not self.periods:
            raise CalendarError(gettext_noop("a working day needs at least one working period"))
        previous_end = time.min
        for start, end in self.periods:
            if not start < end or start < previous_end:
                raise CalendarError(
                    gettext_noop(
                        "working periods must be ordered, not overlap, and end after they start"
                    )
                )
            previous_end = end
        if self.working_day_hours is not None and not self.working_day_hours > 0:
            raise CalendarError(gettext_noop("the hours of a working day must be positive"))

    # -- days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def missing_years(self, start: datetime, end: datetime) -> set[int]:
        """Years touched by [start, end] whose holidays are not known (weekdays assumed)."""
        first, last = sorted((self._local(start).year, self._local(end).year))
        return {year for year in range(first, last + 1) if year not in self.known_years}

    @property
    def minutes_per_day(self) -> float:
        if self.working_day_hours is not None:
            return self.working_day_hours * 60
        return sum(_minutes(start, end) for start, end in self.periods)

    # -- arithmetic -------------------------------------------------------------------------

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment `minutes` of working time after `start`."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        local = self._local(start)
        for begin, end in self._working_spans(local):
            begin = max(begin, local)
            if remaining <= end - begin:
                return (begin + remaining).astimezone(start.tzinfo)
            remaining -= end - begin
        raise CalendarError(gettext_noop("no working time found within ten years"))

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_minutes(start, days * self.minutes_per_day)

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end] (negative if end comes first)."""
        if end < start:
            return -self.working_minutes_between(end, start)
        local_start, local_end = self._local(start), self._local(end)
        total = timedelta()
        for begin, finish in self._working_spans(local_start):
            if begin >= local_end:
                break
            total += min(finish, local_end) - max(begin, local_start)
        return total.total_seconds() / 60

    def _working_spans(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods (local, aware) from the day of `local` on, skipping spans that
        ended before it."""
        for offset in range(_MAX_DAYS_SCANNED):
            day = local.date() + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            for start, end in self.periods:
                span = (self._at(day, start), self._at(day, end))
                if span[1] > local:
                    yield span

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("working-time arithmetic needs timezone-aware datetimes")
        return moment.astimezone(self.zone)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)


def _minutes(start: time, end: time) -> float:
    return (end.hour - start.hour) * 60 + (end.minute - start.minute)


def china_holidays(years: Iterable[int] | None = None) -> tuple[frozenset[date], frozenset[date]]:
    """Public holidays and make-up working days published by the State Council, as bundled
    by the chinese-calendar package (it has no data after the last year it knows)."""
    wanted = set(years) if years is not None else None

    def keep(day: date) -> bool:
        return wanted is None or day.year in wanted

    holidays = frozenset(day for day in china.holidays if keep(day))
    workdays = frozenset(day for day in china.workdays if keep(day))
    return holidays, workdays


def china_known_years() -> frozenset[int]:
    """Years chinese-calendar has data for (it raises NotImplementedError for others)."""
    years = set()
    for year in range(2004, date.today().year + 2):
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)
