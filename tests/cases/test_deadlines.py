"""Deadlines follow the calendar in the database; lights follow the share of the limit used."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cases import deadlines
from cases import workflow as wf
from cases.calendar import CalendarDay, CalendarYear, StageLimit
from cases.models import Case, CaseEvent, Channel, Light
from cases.reporting import report_case
from tests.cases.conftest import MONDAY_10, SHANGHAI, WEST, World

pytestmark = pytest.mark.django_db


def report_at(world: World, at: datetime, *, urgent: bool = False) -> Case:
    return report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="垃圾",
        lon=WEST[0], lat=WEST[1], is_urgent=urgent, now=at,
    )  # fmt: skip


def test_the_seeded_calendar_skips_national_day(world: World) -> None:
    case = report_at(world, datetime(2026, 9, 30, 17, 15, tzinfo=SHANGHAI))
    assert case.due_at == datetime(2026, 10, 8, 8, 45, tzinfo=SHANGHAI)  # 30 min to accept


def test_an_administrator_can_enter_next_years_holidays(world: World) -> None:
    new_year = datetime(2026, 12, 31, 17, 15, tzinfo=SHANGHAI)
    assert deadlines.calendar_warnings(new_year - timedelta(days=30))  # 2027 is missing
    assert report_at(world, new_year).due_at == datetime(2027, 1, 1, 8, 45, tzinfo=SHANGHAI)
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", note="元旦")
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    assert report_at(world, new_year).due_at == datetime(2027, 1, 4, 8, 45, tzinfo=SHANGHAI)
    assert deadlines.calendar_warnings(new_year) == []


def test_a_changed_step_limit_applies_to_new_cases(world: World) -> None:
    limit = StageLimit.objects.get(stage="accept", urgency="normal")
    limit.minutes, limit.clock = 15, "natural"
    limit.save()  # as the admin saves it: this process forgets its cached limits
    assert report_at(world, MONDAY_10).due_at == MONDAY_10 + timedelta(minutes=15)


def test_urgent_conditions_run_on_natural_time(world: World) -> None:
    a = world.actors
    friday_evening = datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)
    case = report_at(world, friday_evening)
    wf.accept_case(case, actor=a.acceptor, now=friday_evening)
    wf.file_case(case, actor=a.shift_leader, condition=world.urgent, now=friday_evening)
    case = wf.dispatch_case(
        case, actor=a.dispatcher, unit=world.org.department_a, reason="专业", now=friday_evening
    )
    assert case.handling_due_at == friday_evening + timedelta(hours=2)
    assert case.is_urgent


def test_an_urgent_case_at_night_gets_natural_time_step_limits_too(world: World) -> None:
    """Reported at 02:00: signing is due minutes after dispatch, not at 09:30 next morning,
    since its handling deadline is two natural hours away."""
    a = world.actors
    night = datetime(2026, 11, 24, 2, 0, tzinfo=SHANGHAI)  # Tuesday
    case = report_at(world, night, urgent=True)
    assert case.due_at == night + timedelta(minutes=10)  # to accept
    wf.accept_case(case, actor=a.acceptor, now=night)
    case = wf.file_case(case, actor=a.shift_leader, condition=world.urgent, now=night)
    assert case.due_at == night + timedelta(minutes=10)  # to dispatch
    case = wf.dispatch_case(
        case, actor=a.dispatcher, unit=world.org.department_a, reason="专业", now=night
    )
    assert case.due_at == night + timedelta(minutes=15)  # to sign
    assert case.handling_due_at == night + timedelta(hours=2)


def test_a_normal_case_at_night_waits_for_working_time(world: World) -> None:
    a = world.actors
    night = datetime(2026, 11, 24, 2, 0, tzinfo=SHANGHAI)
    case = report_at(world, night)
    wf.accept_case(case, actor=a.acceptor, now=night)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal, now=night)
    case = wf.dispatch_case(
        case, actor=a.dispatcher, unit=world.org.department_a, reason="专业", now=night
    )
    assert case.due_at == datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI)  # 60 working minutes


def test_each_event_keeps_the_deadline_in_force_when_it_happened(world: World) -> None:
    """Limits changed later never rewrite what an event was judged against."""
    a = world.actors
    case = report_at(world, MONDAY_10)
    accept_due = case.due_at
    limit = StageLimit.objects.get(stage="file", urgency="normal")
    limit.minutes = 5
    limit.save()
    late = MONDAY_10 + timedelta(minutes=20)
    wf.accept_case(case, actor=a.acceptor, now=late)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal, now=late)
    accepted = CaseEvent.objects.get(case=case, verb="accept")
    filed = CaseEvent.objects.get(case=case, verb="file")
    assert accepted.step_due_at == accept_due == MONDAY_10 + timedelta(minutes=30)
    assert filed.step_due_at == late + timedelta(minutes=5)
    limit.minutes = 600
    limit.save()
    filed.refresh_from_db()
    assert filed.step_due_at == late + timedelta(minutes=5)  # unchanged by the new limit


@pytest.mark.parametrize(
    ("minutes_later", "colour"),
    [(0, "green"), (23, "green"), (24, "yellow"), (30, "yellow"), (31, "red")],
)
def test_the_light_turns_yellow_at_80_percent_and_red_after_the_limit(
    world: World, minutes_later: int, colour: str
) -> None:
    case = report_at(world, MONDAY_10)  # 30 working minutes to accept it
    at = MONDAY_10 + timedelta(minutes=minutes_later)
    assert deadlines.light(case, at) == colour
    assert {light: Case.objects.lit(light, at).count() for light in Light.values} == {
        light: int(light == colour) for light in Light.values
    }  # lists filter by light in SQL with the same answer


def test_a_working_clock_light_turns_yellow_after_the_weekend(world: World) -> None:
    friday = datetime(2026, 11, 27, 17, 15, tzinfo=SHANGHAI)  # 15 working minutes left today
    case = report_at(world, friday)  # 30 working minutes to accept: 9 min into Monday is 80 %
    assert case.warn_at == datetime(2026, 11, 30, 8, 39, tzinfo=SHANGHAI)
    assert deadlines.light(case, datetime(2026, 11, 29, 12, tzinfo=SHANGHAI)) == Light.GREEN
    assert Case.objects.lit(Light.YELLOW, datetime(2026, 11, 30, 8, 40, tzinfo=SHANGHAI)).exists()
