"""督办: an urged unit holding a case must answer by a deadline; the answer records whether it
came in time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases import workflow as wf
from cases.models import CaseEvent
from org.access import Refusal
from tests.cases.conftest import MONDAY_10, World
from tests.cases.making import filed, handling

pytestmark = pytest.mark.django_db


def test_an_urged_unit_answers_within_a_working_day(world: World) -> None:
    a = world.actors
    case = handling(world)
    case = wf.urge_case(case, actor=a.dispatcher, reason="群众反映强烈", now=MONDAY_10)
    assert case.urge_due_at == MONDAY_10 + timedelta(days=1)  # 7 working hours, to 10:00 Tue
    later = MONDAY_10 + timedelta(hours=2)
    case = wf.urge_case(case, actor=a.leader, reason="再次督办", now=later)
    assert case.urge_count == 2 and case.urge_due_at == MONDAY_10 + timedelta(days=1)
    case = wf.answer_urge(case, actor=a.handler_a, reason="已安排明早处置", now=later)
    assert case.urge_due_at is None
    answer = CaseEvent.objects.get(case=case, verb="answer_urge")
    assert answer.data == {"due": "2026-11-24T02:00:00.000000+00:00", "on_time": True}


def test_a_late_answer_is_recorded_as_late(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.urge_case(case, actor=a.dispatcher, reason="请尽快", now=MONDAY_10)
    wf.answer_urge(case, actor=a.handler_a, reason="迟复", now=MONDAY_10 + timedelta(days=3))
    assert CaseEvent.objects.get(case=case, verb="answer_urge").data["on_time"] is False


def test_only_the_lead_unit_answers_and_only_an_urging_waiting_for_one(world: World) -> None:
    a = world.actors
    case = handling(world)
    with pytest.raises(Refusal) as nothing:
        wf.answer_urge(case, actor=a.handler_a, reason="无")
    assert nothing.value.code == "no_urging"
    wf.urge_case(case, actor=a.dispatcher, reason="请尽快")
    with pytest.raises(Refusal) as other:
        wf.answer_urge(case, actor=a.handler_b, reason="无关")
    assert other.value.code == "out_of_scope"


def test_urging_a_case_no_unit_holds_asks_for_no_answer(world: World) -> None:
    case = wf.urge_case(filed(world), actor=world.actors.dispatcher, reason="尽快派遣")
    assert case.urge_count == 1 and case.urge_due_at is None


def test_reporting_the_case_handled_answers_a_waiting_urging(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.urge_case(case, actor=a.dispatcher, reason="请尽快", now=MONDAY_10)
    case = wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=MONDAY_10)
    assert case.urge_due_at is None
    feedback = CaseEvent.objects.get(case=case, verb="feedback")
    assert feedback.data == {"urge_due": "2026-11-24T02:00:00.000000+00:00"}
