"""Working-time arithmetic across lunch breaks, nights, weekends, holidays and 调休."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.workdays import CalendarError, WorkingCalendar, china_holidays, china_known_years

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAYS, WORKDAYS = china_holidays([2026])
CALENDAR = WorkingCalendar(holidays=HOLIDAYS, workdays=WORKDAYS, known_years=frozenset({2026}))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-11-23 11:00", 120, "2026-11-23 15:00"),  # Monday: across the lunch break
        ("2026-11-23 07:00", 30, "2026-11-23 09:00"),  # before work starts
        ("2026-11-23 12:30", 30, "2026-11-23 14:30"),  # reported during lunch
        ("2026-11-23 11:30", 30, "2026-11-23 12:00"),  # ends exactly as lunch begins
        ("2026-11-27 17:00", 60, "2026-11-30 09:00"),  # Friday evening → Monday
        ("2026-11-28 10:00", 30, "2026-11-30 09:00"),  # reported on a Saturday
        ("2026-09-30 17:00", 60, "2026-10-08 09:00"),  # National Day week off
        ("2026-10-09 17:00", 60, "2026-10-10 09:00"),  # Saturday 10-10 is a make-up day
        ("2026-02-13 17:00", 60, "2026-02-14 09:00"),  # Saturday 02-14 too, before Spring Festival
        ("2026-02-14 17:00", 60, "2026-02-24 09:00"),  # 02-15 … 02-23 off
    ],
)
def test_adding_working_minutes(start: str, minutes: int, due: str) -> None:
    assert CALENDAR.add_working_minutes(at(start), minutes) == at(due)


def test_a_working_day_is_the_length_of_the_periods_unless_configured() -> None:
    assert CALENDAR.minutes_per_day == 420
    assert CALENDAR.add_working_days(at("2026-11-23 10:00"), 1) == at("2026-11-24 10:00")
    assert CALENDAR.add_working_days(at("2026-11-23 10:00"), 5) == at("2026-11-30 10:00")
    eight = WorkingCalendar(working_day_hours=8)
    assert eight.add_working_days(at("2026-11-23 08:30"), 1) == at("2026-11-24 09:30")


def test_working_minutes_between_counts_only_working_periods() -> None:
    assert CALENDAR.working_minutes_between(at("2026-11-27 17:00"), at("2026-11-30 09:00")) == 60
    assert CALENDAR.working_minutes_between(at("2026-11-30 09:00"), at("2026-11-27 17:00")) == -60
    assert CALENDAR.working_minutes_between(at("2026-11-28 09:00"), at("2026-11-29 18:00")) == 0


def test_other_time_zones_are_converted_to_the_calendars() -> None:
    start = at("2026-11-23 11:00").astimezone(UTC)
    due = CALENDAR.add_working_minutes(start, 120)
    assert due == at("2026-11-23 15:00") and due.tzinfo == UTC


def test_a_year_without_holiday_data_falls_back_to_weekdays_and_says_so() -> None:
    assert CALENDAR.missing_years(at("2026-12-30 10:00"), at("2027-01-04 10:00")) == {2027}
    # 2027-01-01 is a Friday: without 2027's holidays it counts as a working day.
    assert CALENDAR.add_working_minutes(at("2026-12-31 17:00"), 60) == at("2027-01-01 09:00")
    assert 2026 in china_known_years() and 2027 not in china_known_years()


def test_bad_calendars_and_naive_datetimes_are_refused() -> None:
    with pytest.raises(CalendarError):
        WorkingCalendar(periods=((time(14), time(12)),))
    with pytest.raises(CalendarError):
        WorkingCalendar(periods=((time(8), time(12)), (time(11), time(13))))
    with pytest.raises(CalendarError):
        WorkingCalendar(periods=())
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_working_minutes(datetime(2026, 11, 23, 9), 10)


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31)),
    minutes=st.integers(0, 20 * 420),
)
def test_adding_then_measuring_gives_back_the_minutes(start: datetime, minutes: int) -> None:
    start = start.replace(tzinfo=SHANGHAI)
    due = CALENDAR.add_working_minutes(start, minutes)
    assert due >= start
    assert CALENDAR.working_minutes_between(start, due) == pytest.approx(minutes, abs=1e-6)
    if minutes:
        # The deadline falls inside working time on a working day.
        local = due.astimezone(SHANGHAI)
        assert CALENDAR.is_working_day(local.date())
        assert any(a < local.time() <= b for a, b in CALENDAR.periods)
    assert CALENDAR.add_working_minutes(start, minutes + 1) > due
