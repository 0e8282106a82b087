"""回访: the public reporter is called back after closing; 不满意 reopens the case for the
supervision center, which files it again."""

from __future__ import annotations

import pytest

from cases import workflow as wf
from cases.models import Case, Satisfaction, Status
from org.access import Refusal
from tests.cases.conftest import World
from tests.cases.making import chain_is_intact, events, handling, public_report

pytestmark = pytest.mark.django_db


def closed_public_case(world: World) -> Case:
    a = world.actors
    case = public_report(world)
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector))
    wf.verify_report(case, actor=a.inspector, found=True)
    wf.accept_case(case, actor=a.acceptor)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="派")
    wf.sign_case(case, actor=a.handler_a)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2))
    wf.check_case(case, actor=a.inspector_2, passed=True)
    return wf.close_case(case, actor=a.shift_leader)


def test_a_satisfied_reporter_leaves_the_case_closed(world: World) -> None:
    a = world.actors
    case = closed_public_case(world)
    case = wf.callback_case(case, actor=a.acceptor, satisfaction=Satisfaction.BASICALLY)
    assert (case.status, case.satisfaction, case.reopen_count) == (Status.CLOSED, "basically", 0)
    with pytest.raises(Refusal) as again:
        wf.callback_case(case, actor=a.acceptor, satisfaction=Satisfaction.SATISFIED)
    assert again.value.code == "already_called_back"


def test_a_dissatisfied_reporter_reopens_the_case_for_the_supervision_center(
    world: World,
) -> None:
    a = world.actors
    case = closed_public_case(world)
    case = wf.callback_case(
        case, actor=a.acceptor, satisfaction=Satisfaction.DISSATISFIED, reason="仍有垃圾"
    )
    assert (case.status, case.closing_type, case.closed_at) == (Status.ACCEPTED, "", None)
    assert (case.reopen_count, case.responsible_unit, case.due_at is not None) == (1, None, True)
    case = wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    case = wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="返工")
    assert case.dispatch_count == 2
    assert events(case)[-3:] == ["callback", "file", "dispatch"]
    assert case.satisfaction == ""  # the event keeps the rating of the first closing
    wf.sign_case(case, actor=a.handler_a)
    wf.feedback_case(case, actor=a.handler_a, reason="再次清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2))
    wf.check_case(case, actor=a.inspector_2, passed=True)
    wf.close_case(case, actor=a.shift_leader)
    case = wf.callback_case(case, actor=a.acceptor, satisfaction=Satisfaction.SATISFIED)
    assert (case.status, case.satisfaction, case.reopen_count) == (Status.CLOSED, "satisfied", 1)
    ratings = case.events.filter(verb="callback").order_by("sequence")
    assert [e.data["satisfaction"] for e in ratings] == ["dissatisfied", "satisfied"]
    assert chain_is_intact(case)


def test_only_public_reports_are_called_back_and_only_by_the_center(world: World) -> None:
    a = world.actors
    case = handling(world)  # an inspector's report
    wf.feedback_case(case, actor=a.handler_a, reason="已清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector))
    wf.check_case(case, actor=a.inspector, passed=True)
    wf.close_case(case, actor=a.shift_leader)
    with pytest.raises(Refusal) as inspectors:
        wf.callback_case(case, actor=a.acceptor, satisfaction=Satisfaction.SATISFIED)
    assert inspectors.value.code == "no_callback"
    public = closed_public_case(world)
    with pytest.raises(Refusal) as wrong_post:
        wf.callback_case(public, actor=a.dispatcher, satisfaction=Satisfaction.SATISFIED)
    assert wrong_post.value.code == "wrong_role"
    with pytest.raises(Refusal) as bad:
        wf.callback_case(public, actor=a.acceptor, satisfaction="so-so")
    assert bad.value.code == "bad_satisfaction"
