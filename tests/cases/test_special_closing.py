"""特殊结案: the shift leader closes a case that cannot be handled as the standard says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases import workflow as wf
from cases.models import Case, Status, Task
from org.access import Refusal
from tests.cases.conftest import MONDAY_10, World
from tests.cases.making import chain_is_intact, handling, reported

pytestmark = pytest.mark.django_db


def test_a_suspended_case_is_closed_specially_with_a_reason(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.request_suspension(case, actor=a.handler_a, reason="需纳入道路改造工程")
    wf.decide_suspension(case, actor=a.dispatcher, approve=True)
    with pytest.raises(Refusal) as no_reason:
        wf.close_special(case, actor=a.shift_leader, reason="")
    assert no_reason.value.code == "reason_required"
    case = wf.close_special(case, actor=a.shift_leader, reason="道路改造工程已立项，问题随工程解决")
    assert (case.status, case.closing_type, case.due_at) == (Status.CLOSED, "special", None)
    assert chain_is_intact(case)


def test_a_case_suspended_in_time_and_closed_specially_later_is_not_overdue(
    world: World,
) -> None:
    a = world.actors
    case = handling(world)  # MONDAY_10, a 4 working-hour limit
    wf.request_suspension(case, actor=a.handler_a, reason="待工程", now=MONDAY_10)
    wf.decide_suspension(case, actor=a.dispatcher, approve=True, now=MONDAY_10)
    later = MONDAY_10 + timedelta(days=90)
    case = wf.close_special(case, actor=a.shift_leader, reason="随工程解决", now=later)
    assert not case.is_overdue(later)
    assert not Case.objects.overdue(later).filter(pk=case.pk).exists()


def test_special_closing_cancels_an_open_check_and_needs_the_shift_leader(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.feedback_case(case, actor=a.handler_a, reason="已处置")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector))
    with pytest.raises(Refusal) as wrong_post:
        wf.close_special(case, actor=a.dispatcher, reason="工程")
    assert wrong_post.value.code == "wrong_role"
    wf.close_special(case, actor=a.shift_leader, reason="现场已由市级工程接管")
    assert Task.objects.get(case=case).outcome == "cancelled"


def test_a_report_not_yet_filed_is_declined_rather_than_closed(world: World) -> None:
    case = reported(world)
    with pytest.raises(Refusal) as refused:
        wf.close_special(case, actor=world.actors.shift_leader, reason="无")
    assert refused.value.code == "invalid_transition"
    declined = wf.decline_case(case, actor=world.actors.acceptor, reason="不属于城管范围")
    assert declined.status == Status.DECLINED
