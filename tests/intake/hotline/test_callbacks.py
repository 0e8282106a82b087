"""The callbacks due (回访): closed hotline cases whose caller wants a callback and has not
had one, the longest closed first; a case leaves the list once called back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import deadlines
from cases import workflow as wf
from cases.calendar import Clock
from cases.deadlines import Limit
from cases.models import Case, Channel, Light, Satisfaction
from cases.reporting import report_case
from consoles.queues import cases_in, queue_for
from intake.hotline.calls import CallIn, callbacks_due, calls_today, record_call, to_call_back
from tests.cases.conftest import MONDAY_10, SHANGHAI, WEST, World
from tests.cases.making import public_report, reported

pytestmark = pytest.mark.django_db


def hotline_case(world: World, n: int, *, callback: bool = True) -> Case:
    call = CallIn(
        caller=f"来电人{n}",
        phone="13800000000" if callback else "",
        case_type=world.garbage,
        description=f"垃圾 {n}",
        address="",
        lon=WEST[0],
        lat=WEST[1],
        is_urgent=False,
        callback_wanted=callback,
        callback_note="",
        request_id=f"hotline-{n}",
    )
    return record_call(actor=world.actors.acceptor, call=call, now=MONDAY_10).case


def closed(world: World, case: Case, at: int) -> Case:
    """Walked through the loop and closed `at` minutes after MONDAY_10."""
    a, t = world.actors, MONDAY_10 + timedelta(minutes=at)
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector), now=t)
    wf.verify_report(case, actor=a.inspector, found=True, now=t)
    wf.accept_case(case, actor=a.acceptor, now=t)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal, now=t)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="派", now=t)
    wf.sign_case(case, actor=a.handler_a, now=t)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=t)
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2), now=t)
    wf.check_case(case, actor=a.inspector_2, passed=True, now=t)
    return wf.close_case(case, actor=a.shift_leader, now=t)


def due_numbers() -> list[str]:
    return [case.number for case in callbacks_due()]


def test_only_closed_hotline_cases_not_called_back_are_due_oldest_first(world: World) -> None:
    later = closed(world, hotline_case(world, 1), at=60)
    earlier = closed(world, hotline_case(world, 2), at=30)
    hotline_case(world, 3)  # still open
    closed(world, hotline_case(world, 4, callback=False), at=10)  # no callback wanted
    closed(world, public_report(world), at=5)  # closed, from the app: no hotline call
    closed(world, reported(world), at=5)  # an inspector's report
    assert due_numbers() == [earlier.number, later.number]


def test_a_hotline_report_sent_through_the_api_is_due_with_its_contact(
    world: World, acceptor_client: Client
) -> None:
    case = report_case(
        actor=world.actors.acceptor, channel=Channel.HOTLINE, description="井盖丢失",
        lon=WEST[0], lat=WEST[1], contact_name="赵先生", contact_phone="13700000000",
        now=MONDAY_10,
    )  # fmt: skip
    closed(world, case, at=10)
    assert due_numbers() == [case.number]
    page = acceptor_client.get("/hotline/").content.decode()
    assert "赵先生" in page and "13700000000" in page


def test_a_case_called_back_leaves_the_list(world: World, acceptor_client: Client) -> None:
    satisfied = closed(world, hotline_case(world, 1), at=10)
    unhappy = closed(world, hotline_case(world, 2), at=20)
    page = acceptor_client.get("/hotline/").content.decode()
    assert f'href="/cases/{satisfied.number}/"' in page and "13800000000" in page
    wf.callback_case(satisfied, actor=world.actors.acceptor, satisfaction=Satisfaction.SATISFIED)
    assert due_numbers() == [unhappy.number]
    # 不满意 reopens the case: not closed, so not due until it is closed again.
    wf.callback_case(unhappy, actor=world.actors.acceptor, satisfaction=Satisfaction.DISSATISFIED)
    assert due_numbers() == []
    page = acceptor_client.get("/hotline/").content.decode()
    assert "没有待回访的来电人" in page


def test_a_callback_is_due_two_working_days_after_closing_with_its_light(
    world: World, acceptor_client: Client
) -> None:
    case = closed(world, hotline_case(world, 1), at=10)
    closed_at = MONDAY_10 + timedelta(minutes=10)
    assert case.closed_at == closed_at
    [due] = to_call_back(callbacks_due(), closed_at)
    assert due.due == deadlines.add(closed_at, Limit(960, Clock.WORKING)) > closed_at
    assert due.light == Light.GREEN
    assert to_call_back(callbacks_due(), due.due + timedelta(minutes=1))[0].light == Light.RED
    page = acceptor_client.get("/hotline/").content.decode()
    assert (
        'data-testid="callback-due">' in page
        and due.due.astimezone(SHANGHAI).strftime("%m-%d %H:%M") in page
    )


def test_the_acceptors_callback_queue_leaves_out_callers_who_wanted_none(world: World) -> None:
    wanted = closed(world, hotline_case(world, 1), at=10)
    closed(world, hotline_case(world, 2, callback=False), at=20)
    app = closed(world, public_report(world), at=30)
    queue = queue_for(world.actors.acceptor, "callback")
    assert queue is not None
    found = cases_in(queue, world.actors.acceptor, MONDAY_10 + timedelta(hours=1))
    assert {case.number for case in found} == {wanted.number, app.number}


def test_my_calls_today_are_my_own_calls_since_midnight(world: World) -> None:
    mine = hotline_case(world, 1)
    today = calls_today(world.actors.acceptor, MONDAY_10 + timedelta(hours=1))
    assert [call.case for call in today] == [mine]
    assert not calls_today(world.actors.shift_leader, MONDAY_10)
    assert not calls_today(world.actors.acceptor, MONDAY_10 + timedelta(days=1))


def test_the_console_reads_the_same_queries_however_long_its_lists(
    world: World, acceptor_client: Client
) -> None:
    closed(world, hotline_case(world, 1), at=10)
    acceptor_client.get("/hotline/")  # the process builds its gazetteer once
    with CaptureQueriesContext(connection) as one:
        acceptor_client.get("/hotline/")
    for n in range(2, 5):
        closed(world, hotline_case(world, n), at=10 * n)
    with CaptureQueriesContext(connection) as four:
        page = acceptor_client.get("/hotline/")
    assert page.content.decode().count('<tr data-case="') == 4
    assert len(four) == len(one)
