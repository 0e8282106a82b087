"""Deadlines follow the calendar in the database; lights follow the share of the limit used."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cases import deadlines
from cases import workflow as wf
from cases.models import CalendarDay, CalendarYear, Case, Channel, StageLimit
from org.roles import Role
from tests.cases.conftest import MONDAY_10, SHANGHAI, WEST, World

pytestmark = pytest.mark.django_db


def report_at(world: World, at: datetime) -> Case:
    return wf.report(
        world.inspector, role=Role.INSPECTOR, channel=Channel.INSPECTOR, description="垃圾",
        lon=WEST[0], lat=WEST[1], now=at,
    )  # fmt: skip


def test_the_seeded_calendar_skips_national_day(world: World) -> None:
    case = report_at(world, datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI))
    assert case.due_at == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def test_an_administrator_can_enter_next_years_holidays(world: World) -> None:
    new_year = datetime(2026, 12, 31, 17, 0, tzinfo=SHANGHAI)
    assert deadlines.calendar_warnings(new_year - timedelta(days=30))  # 2027 is missing
    assert report_at(world, new_year).due_at == datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI)
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", note="元旦")
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    assert report_at(world, new_year).due_at == datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)
    assert deadlines.calendar_warnings(new_year) == []


def test_a_changed_step_limit_applies_to_new_cases(world: World) -> None:
    StageLimit.objects.filter(stage="file").update(minutes=15, clock="natural")
    assert report_at(world, MONDAY_10).due_at == MONDAY_10 + timedelta(minutes=15)


def test_urgent_conditions_run_on_natural_time(world: World) -> None:
    friday_evening = datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)
    case = report_at(world, friday_evening)
    wf.file(case, world.shift_leader, condition=world.urgent, now=friday_evening)
    case = wf.dispatch(case, world.dispatcher, unit=world.org.department_a, now=friday_evening)
    assert case.handling_due_at == friday_evening + timedelta(hours=2)
    assert case.is_urgent


@pytest.mark.parametrize(
    ("minutes_later", "colour"),
    [(0, "green"), (47, "green"), (48, "yellow"), (60, "yellow"), (61, "red")],
)
def test_the_light_turns_yellow_at_80_percent_and_red_after_the_limit(
    world: World, minutes_later: int, colour: str
) -> None:
    case = report_at(world, MONDAY_10)  # 60 working minutes to file it
    assert deadlines.light(case, MONDAY_10 + timedelta(minutes=minutes_later)) == colour
