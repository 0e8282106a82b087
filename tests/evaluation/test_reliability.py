"""Repeat failures and MTBF per component, type and owner (evaluation/reliability.py), on a
November of failures made through the workflow, with the answers worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from cases import workflow as wf
from cases.models import Case
from components.models import Component
from evaluation.periods import Period
from evaluation.reliability import (
    ComponentFailures,
    GroupFailures,
    component_failures,
    failing_components,
    failures_by_owner,
    failures_by_type,
)
from tests.cases.conftest import EAST, MONDAY_10, World
from tests.cases.making import filed_on, make_component, make_cover, report_on

pytestmark = pytest.mark.django_db
NOVEMBER = Period.month(date(2026, 11, 1))
NOV_1_10 = MONDAY_10 - timedelta(days=22)  # Sunday 1 November, 10:00


def day(n: int, hour: int = 10) -> datetime:
    return NOV_1_10 + timedelta(days=n - 1, hours=hour - 10)


@dataclass
class History:
    cover_1: Component
    cover_2: Component
    cover_3: Component
    lamp: Component


@pytest.fixture
def history(world: World) -> History:
    """November's failures, and what is not one:

    - cover 1 (上水井盖, owned by department B): filed on the 2nd, 5th and 11th (gaps 72 h and
      144 h: MTBF 108 h); a report declined on the 8th, and one filed then voided on the 9th;
    - cover 2 (the same): filed on the 3rd and 4th (24 h); one filed on 30 October, outside the
      month; one reported on the 25th and never filed;
    - cover 3 (the same): filed once, on the 20th;
    - a street lamp (路灯, east, no owner recorded): filed on the 2nd and 12th, and handled on
      the spot by the inspector on the 22nd (自处理, closed: gaps 240 h and 240 h).
    """
    a = world.actors
    made = History(
        make_cover(world), make_cover(world), make_cover(world),
        make_component(world, "0118", "路灯", where=EAST),
    )  # fmt: skip
    for n in (2, 5, 11):
        filed_on(world, made.cover_1, day(n))
    wf.decline_case(report_on(world, made.cover_1, at=day(8)), actor=a.acceptor, reason="不属实")
    voided = filed_on(world, made.cover_1, day(9))
    wf.request_void(voided, actor=a.acceptor, reason="重复录入", now=day(9))
    wf.decide_void(voided, actor=a.shift_leader, approve=True, now=day(9))
    for at in (day(3), day(4), day(1) - timedelta(days=2)):
        filed_on(world, made.cover_2, at)
    report_on(world, made.cover_2, at=day(25))
    filed_on(world, made.cover_3, day(20))
    for n in (2, 12):
        filed_on(world, made.lamp, day(n))
    on_the_spot = report_on(world, made.lamp, at=day(22))
    wf.self_handle(on_the_spot, actor=a.inspector, reason="已扶正", now=day(22))
    wf.close_case(on_the_spot, actor=a.shift_leader, now=day(22))
    return made


def test_the_components_failing_repeatedly_come_most_failures_first(history: History) -> None:
    assert failing_components(NOVEMBER) == [
        ComponentFailures(
            history.lamp.identifier, "0118", "路灯", "", 3, day(2), day(22), 240.0
        ),  # three failures, like cover 1, but the latest
        ComponentFailures(
            history.cover_1.identifier, "0101", "上水井盖", "区环卫站", 3, day(2), day(11), 108.0
        ),
        ComponentFailures(
            history.cover_2.identifier, "0101", "上水井盖", "区环卫站", 2, day(3), day(4), 24.0
        ),
    ]


def test_minimum_and_limit_choose_the_rows(history: History) -> None:
    assert [row.identifier for row in failing_components(NOVEMBER, minimum=3)] == [
        history.lamp.identifier,
        history.cover_1.identifier,
    ]
    assert len(failing_components(NOVEMBER, minimum=1, limit=None)) == 4
    assert len(failing_components(NOVEMBER, minimum=1, limit=2)) == 2
    assert failing_components(Period.month(date(2026, 12, 1))) == []


def test_a_type_pools_the_gaps_of_its_components(history: History) -> None:
    assert failures_by_type(NOVEMBER) == [
        # cover 1's gaps (72 h + 144 h) and cover 2's (24 h): 240 h over 3 gaps.
        GroupFailures("0101", "上水井盖", components=3, repeating=2, failures=6, mtbf_hours=80.0),
        GroupFailures("0118", "路灯", components=1, repeating=1, failures=3, mtbf_hours=240.0),
    ]


def test_an_owner_pools_the_gaps_of_its_components_and_no_owner_is_a_row(
    world: World, history: History
) -> None:
    assert failures_by_owner(NOVEMBER) == [
        GroupFailures("DB", "区环卫站", components=3, repeating=2, failures=6, mtbf_hours=80.0),
        GroupFailures("", "", components=1, repeating=1, failures=3, mtbf_hours=240.0),
    ]


def test_a_component_that_failed_once_has_no_mtbf(history: History) -> None:
    [group] = failures_by_type(Period(date(2026, 11, 20), date(2026, 11, 20)))
    assert (group.failures, group.repeating, group.mtbf_hours) == (1, 0, None)


def test_failures_can_be_restricted_to_some_cases(world: World, history: History) -> None:
    east = Case.objects.filter(territory_unit=world.org.other_street)  # the lamp's street
    assert [row.identifier for row in failing_components(NOVEMBER, cases=east)] == [
        history.lamp.identifier
    ]
    assert [row.code for row in failures_by_type(NOVEMBER, cases=east)] == ["0118"]
    assert [row.code for row in failures_by_owner(NOVEMBER, cases=east)] == [""]


def test_two_failures_at_the_same_moment_are_a_gap_of_none(world: World) -> None:
    cover = make_cover(world)
    filed_on(world, cover, day(6))
    filed_on(world, cover, day(6))
    filed_on(world, cover, day(7))
    [row] = failing_components(NOVEMBER)
    assert (row.failures, row.mtbf_hours) == (3, 12.0)  # (0 h + 24 h) / 2
    [group] = failures_by_type(NOVEMBER)
    assert (group.repeating, group.mtbf_hours) == (1, 12.0)


def test_a_components_whole_history(world: World, history: History) -> None:
    whole = component_failures(history.cover_2)
    assert (whole.failures, whole.first_failure, whole.last_failure) == (
        3,
        day(1) - timedelta(days=2),
        day(4),
    )
    assert whole.mtbf_hours == 60.0  # 30 October to 4 November: 120 h over 2 gaps
    untouched = component_failures(make_cover(world))
    assert (untouched.failures, untouched.mtbf_hours, untouched.owner) == (0, None, "区环卫站")
