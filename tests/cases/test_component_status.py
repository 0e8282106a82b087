"""A case on a component holds it damaged while the problem stands and gives it back its status
when the last case on it ends (cases/component_status.py), through the workflow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import workflow as wf
from cases.models import Case, Channel, Satisfaction
from cases.reporting import report_case
from components.models import Component, ComponentStatus, change_status
from org.access import Refusal
from tests.cases.conftest import EAST, MONDAY_10, WEST, World
from tests.cases.making import filed_on, make_cover, report_on, reported

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def handled_and_checked(world: World, case: Case, at: datetime) -> Case:
    a = world.actors
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_b, now=at)
    wf.sign_case(case, actor=a.handler_b, now=at)
    wf.feedback_case(case, actor=a.handler_b, reason="已更换井盖", now=at)
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2), now=at)
    return wf.check_case(case, actor=a.inspector_2, passed=True, now=at)


def status_of(cover: Component) -> str:
    cover.refresh_from_db()
    return cover.status


def history(cover: Component) -> list[tuple[str, str, str]]:
    changes = cover.status_changes.order_by("id")
    return list(changes.values_list("from_status", "to_status", "case_number"))


def test_a_report_on_a_component_marks_it_damaged_naming_the_case(world: World) -> None:
    cover = make_cover(world)
    case = report_on(world, cover)
    assert cover.status == ComponentStatus.DAMAGED  # the caller's copy follows
    assert status_of(cover) == ComponentStatus.DAMAGED
    change = cover.status_changes.get()
    assert (change.from_status, change.to_status) == ("intact", "damaged")
    assert (change.case_number, change.changed_by, change.changed_at) == (
        case.number,
        world.inspector,
        MONDAY_10,
    )


def test_closing_the_case_gives_the_component_back_its_status(world: World) -> None:
    cover = make_cover(world)
    case = handled_and_checked(world, filed_on(world, cover), MONDAY_10 + HOUR)
    assert status_of(cover) == ComponentStatus.DAMAGED
    wf.close_case(case, actor=world.actors.shift_leader, now=MONDAY_10 + 2 * HOUR)
    assert status_of(cover) == ComponentStatus.INTACT
    assert history(cover) == [
        ("intact", "damaged", case.number),
        ("damaged", "intact", case.number),
    ]
    closing = cover.status_changes.order_by("id").last()
    assert closing is not None
    assert (closing.changed_by, closing.changed_at) == (world.shift_leader, MONDAY_10 + 2 * HOUR)


def test_a_special_closing_gives_it_back_too(world: World) -> None:
    a = world.actors
    cover = make_cover(world)
    case = filed_on(world, cover)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_b, now=MONDAY_10)
    wf.close_special(case, actor=a.shift_leader, reason="道路改造，井盖已取消", now=MONDAY_10)
    assert status_of(cover) == ComponentStatus.INTACT


def declined(world: World, case: Case) -> None:
    wf.decline_case(case, actor=world.actors.acceptor, reason="不属实")


def rejected(world: World, case: Case) -> None:
    wf.accept_case(case, actor=world.actors.acceptor)
    wf.reject_case(case, actor=world.actors.shift_leader, reason="未达到立案条件")


def voided(world: World, case: Case) -> None:
    wf.request_void(case, actor=world.actors.acceptor, reason="重复录入")
    wf.decide_void(case, actor=world.actors.shift_leader, approve=True)


def merged(world: World, case: Case) -> None:
    wf.merge_case(case, actor=world.actors.acceptor, into=reported(world))


@pytest.mark.parametrize("ending", [declined, rejected, voided, merged])
def test_a_case_ending_without_a_confirmed_problem_gives_the_status_back(
    world: World, ending: Callable[[World, Case], None]
) -> None:
    cover = make_cover(world)
    case = report_on(world, cover)
    ending(world, case)
    assert status_of(cover) == ComponentStatus.INTACT
    assert history(cover)[-1] == ("damaged", "intact", case.number)


def test_a_report_verified_as_not_found_gives_the_status_back_at_once(world: World) -> None:
    a = world.actors
    cover = make_cover(world)
    case = report_on(world, cover, public=True)
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector))
    assert status_of(cover) == ComponentStatus.DAMAGED
    wf.verify_report(case, actor=a.inspector, found=False, reason="现场井盖完好")
    assert status_of(cover) == ComponentStatus.INTACT
    wf.decline_case(case, actor=a.acceptor, reason="核实不属实")
    assert len(history(cover)) == 2  # declining it changes nothing more


def test_with_two_open_cases_the_component_stays_damaged_until_the_last_ends(
    world: World,
) -> None:
    cover = make_cover(world)
    first = filed_on(world, cover)
    second = report_on(world, cover, at=MONDAY_10 + HOUR)
    handled_and_checked(world, first, MONDAY_10 + HOUR)
    wf.close_case(first, actor=world.actors.shift_leader, now=MONDAY_10 + 2 * HOUR)
    assert status_of(cover) == ComponentStatus.DAMAGED
    declined(world, second)
    assert status_of(cover) == ComponentStatus.INTACT
    assert history(cover) == [
        ("intact", "damaged", first.number),
        ("damaged", "intact", second.number),
    ]


def test_a_reopened_case_marks_the_component_damaged_again(world: World) -> None:
    a = world.actors
    cover = make_cover(world)
    case = report_on(world, cover, public=True)
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector))
    wf.verify_report(case, actor=a.inspector, found=True)
    wf.accept_case(case, actor=a.acceptor)
    wf.file_case(case, actor=a.shift_leader, condition=cover.case_type.conditions.get())
    handled_and_checked(world, case, MONDAY_10 + HOUR)
    wf.close_case(case, actor=a.shift_leader)
    assert status_of(cover) == ComponentStatus.INTACT
    wf.callback_case(case, actor=a.acceptor, satisfaction=Satisfaction.DISSATISFIED, reason="晃动")
    assert status_of(cover) == ComponentStatus.DAMAGED
    assert [change[1] for change in history(cover)] == ["damaged", "intact", "damaged"]


def test_a_status_a_person_set_is_left_as_they_set_it(world: World) -> None:
    missing, damaged = make_cover(world), make_cover(world)
    change_status(missing, ComponentStatus.MISSING, world.acceptor, "井盖被盗")
    change_status(damaged, ComponentStatus.DAMAGED, world.acceptor, "巡查发现裂缝")
    for cover in (missing, damaged):
        declined(world, report_on(world, cover))
    assert (status_of(missing), status_of(damaged)) == ("missing", "damaged")
    assert missing.status_changes.count() == damaged.status_changes.count() == 1


def test_a_retried_report_marks_the_component_once(world: World) -> None:
    cover = make_cover(world)
    said = {
        "actor": world.actors.inspector, "channel": Channel.INSPECTOR, "description": "井盖破损",
        "lon": WEST[0], "lat": WEST[1], "component": cover, "request_id": "phone-1",
    }  # fmt: skip
    first = report_case(**said)  # type: ignore[arg-type]
    again = report_case(**said)  # type: ignore[arg-type]
    assert again.pk == first.pk
    assert history(cover) == [("intact", "damaged", first.number)]


def test_cases_without_a_component_never_read_the_components(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        case = reported(world)
        wf.decline_case(case, actor=world.actors.acceptor, reason="不属实")
    table = Component._meta.db_table
    assert not [q["sql"] for q in queries.captured_queries if table in q["sql"]]


# -- a component named far from the reported position -------------------------------------------


def test_a_component_farther_than_the_limit_is_refused_before_anything_is_stored(
    world: World, settings: Any
) -> None:
    settings.COMPONENT_MAX_DISTANCE_METRES = 250
    cover = make_cover(world, where=WEST)  # EAST lies 299 m east of it
    with pytest.raises(Refusal) as refused:
        report_case(
            actor=world.actors.inspector, channel=Channel.INSPECTOR, description="井盖破损",
            lon=EAST[0], lat=EAST[1], component=cover,
        )  # fmt: skip
    assert (refused.value.code, refused.value.status) == ("component_too_far", 400)
    assert cover.identifier in refused.value.message and "250" in refused.value.message
    assert not Case.objects.exists()
    assert status_of(cover) == ComponentStatus.INTACT and not cover.status_changes.exists()


def test_a_component_within_the_limit_is_accepted(world: World, settings: Any) -> None:
    settings.COMPONENT_MAX_DISTANCE_METRES = 350
    cover = make_cover(world, where=WEST)
    case = report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="井盖破损",
        lon=EAST[0], lat=EAST[1], component=cover,
    )  # fmt: skip
    assert case.component == cover
