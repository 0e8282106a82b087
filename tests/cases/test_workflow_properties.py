"""Random sequences of actions by every post: whatever happens, the case stays consistent."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cases import deadlines
from cases import workflow as wf
from cases.audit import verify_case
from cases.models import (
    CLOSED_STATUSES,
    Case,
    Channel,
    PendingRequest,
    Satisfaction,
    Status,
    Task,
)
from cases.reporting import report_case
from cases.transitions import DECISIONS, TRANSITIONS
from org.access import Refusal
from tests.cases.conftest import MONDAY_10, WEST, World

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]
Action = Callable[[Case, datetime], object]
ENDINGS = frozenset({"decline", "reject", "close_special"})  # drawn rarely, so runs go deep


def actions(w: World) -> list[tuple[str, Action]]:
    a, inspector = w.actors, w.person(w.inspector)
    unit_a, unit_b = w.org.department_a, w.org.department_b
    return [
        (
            "send_verify",
            lambda c, t: wf.send_verify(c, actor=a.acceptor, inspector=inspector, now=t),
        ),
        ("verify", lambda c, t: wf.verify_report(c, actor=a.inspector, found=True, now=t)),
        ("accept", lambda c, t: wf.accept_case(c, actor=a.acceptor, now=t)),
        ("decline", lambda c, t: wf.decline_case(c, actor=a.acceptor, reason="非城管问题", now=t)),
        ("file", lambda c, t: wf.file_case(c, actor=a.shift_leader, condition=w.normal, now=t)),
        ("reject", lambda c, t: wf.reject_case(c, actor=a.shift_leader, reason="不立案", now=t)),
        (
            "dispatch",
            lambda c, t: wf.dispatch_case(c, actor=a.dispatcher, unit=unit_a, reason="派", now=t),
        ),
        (
            "dispatch",
            lambda c, t: wf.dispatch_case(
                c, actor=a.dispatcher, unit=unit_a, co_units=[unit_b], reason="协同", now=t
            ),
        ),
        ("sign", lambda c, t: wf.sign_case(c, actor=a.handler_a, now=t)),
        ("sign", lambda c, t: wf.sign_case(c, actor=a.handler_b, now=t)),  # never the lead unit
        ("co_feedback", lambda c, t: wf.co_feedback(c, actor=a.handler_b, reply="已配合", now=t)),
        ("feedback", lambda c, t: wf.feedback_case(c, actor=a.handler_a, reason="已处理", now=t)),
        (
            "return_case",
            lambda c, t: wf.return_case(c, actor=a.handler_a, reason="非本单位", now=t),
        ),
        (
            "decide_return",
            lambda c, t: wf.decide_return(c, actor=a.dispatcher, approve=True, now=t),
        ),
        (
            "decide_return",
            lambda c, t: wf.decide_return(
                c, actor=a.dispatcher, approve=False, reason="属于你单位", now=t
            ),
        ),
        (
            "request_extension",
            lambda c, t: wf.request_extension(
                c, actor=a.handler_a, minutes=60, reason="天气", now=t
            ),
        ),
        (
            "decide_extension",
            lambda c, t: wf.decide_extension(c, actor=a.dispatcher, approve=True, now=t),
        ),
        (
            "request_suspension",
            lambda c, t: wf.request_suspension(c, actor=a.handler_a, reason="待施工", now=t),
        ),
        (
            "decide_suspension",
            lambda c, t: wf.decide_suspension(c, actor=a.dispatcher, approve=True, now=t),
        ),
        ("resume", lambda c, t: wf.resume_case(c, actor=a.dispatcher, now=t)),
        ("send_check", lambda c, t: wf.send_check(c, actor=a.acceptor, inspector=inspector, now=t)),
        ("check", lambda c, t: wf.check_case(c, actor=a.inspector, passed=True, now=t)),
        (
            "check",
            lambda c, t: wf.check_case(
                c, actor=a.inspector, passed=False, reason="未处理完", now=t
            ),
        ),
        ("close", lambda c, t: wf.close_case(c, actor=a.shift_leader, now=t)),
        (
            "close_special",
            lambda c, t: wf.close_special(c, actor=a.shift_leader, reason="工程改造", now=t),
        ),
        (
            "callback",
            lambda c, t: wf.callback_case(
                c, actor=a.acceptor, satisfaction=Satisfaction.DISSATISFIED, now=t
            ),
        ),
        ("urge", lambda c, t: wf.urge_case(c, actor=a.dispatcher, reason="尽快", now=t)),
        (
            "answer_urge",
            lambda c, t: wf.answer_urge(c, actor=a.handler_a, reason="明日完成", now=t),
        ),
        ("request_void", lambda c, t: wf.request_void(c, actor=a.acceptor, reason="无效", now=t)),
        (
            "decide_void",
            lambda c, t: wf.decide_void(
                c, actor=a.shift_leader, approve=False, reason="有效", now=t
            ),
        ),
        (
            "appeal_overdue",
            lambda c, t: wf.appeal_overdue(c, actor=a.handler_a, reason="客观原因", now=t),
        ),
        (
            "decide_appeal",
            lambda c, t: wf.decide_appeal(c, actor=a.dispatcher, approve=True, now=t),
        ),
        (
            "decide_appeal",
            lambda c, t: wf.decide_appeal(c, actor=a.leader, approve=False, now=t),
        ),
    ]


def fits(case: Case, verb: str) -> bool:
    """A move that takes the case further: a waiting request's decision first, verifying
    once, deciding only what was asked."""
    waiting = DECISIONS.get(PendingRequest(case.pending_request)) if case.pending_request else None
    if waiting is not None:
        return verb == waiting
    if verb.startswith("decide_") or verb in ENDINGS:
        return False
    if verb == "send_verify" and not (case.is_public and case.verified is None):
        return False
    return case.status in TRANSITIONS[verb].sources


def current(case: Case) -> tuple[Case, tuple[object, ...]]:
    """The case as stored, and what a refusal must leave as it was (one query)."""
    case = Case.objects.annotate(event_count=Count("events")).get(pk=case.pk)
    return case, (case.status, case.pending_request, case.event_count, case.audit_head)


@settings(  # max_examples comes from the Hypothesis profile (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(1, 60))
def test_random_action_sequences_keep_every_invariant(
    world: World, data: st.DataObject, length: int
) -> None:
    moves = actions(world)
    now = MONDAY_10
    public = data.draw(st.booleans())  # a hotline call (verified, called back) or an inspector
    case = report_case(
        actor=world.actors.acceptor if public else world.actors.inspector,
        channel=Channel.HOTLINE if public else Channel.INSPECTOR, description="随机",
        lon=WEST[0], lat=WEST[1], now=now,
    )  # fmt: skip
    for _ in range(length):
        now += timedelta(minutes=data.draw(st.integers(0, 600)))
        case, before = current(case)
        # Mostly moves the case's status allows (to get deep), sometimes any move at all.
        fitting = [m for m in moves if fits(case, m[0])] or moves
        _verb, move = data.draw(st.sampled_from(fitting if data.draw(st.integers(0, 9)) else moves))
        try:
            move(case, now)
        except Refusal:
            assert current(case)[1] == before  # a refusal changes nothing
    case.refresh_from_db()
    event(f"ended {case.status}")  # --hypothesis-show-statistics shows how deep runs go
    assert_consistent(case)


def assert_consistent(case: Case) -> None:
    events = list(case.events.order_by("sequence"))
    assert not list(verify_case(case, events))
    assert events[-1].to_status == case.status
    # One open step at a time: at most one open task, and only while it is awaited.
    open_tasks = Task.objects.filter(case=case, done_at__isnull=True)
    assert open_tasks.count() == (1 if case.status in (Status.VERIFYING, Status.CHECKING) else 0)
    verbs = Counter(e.verb for e in events)
    approved = Counter(e.verb for e in events if e.data.get("approved"))
    assert case.dispatch_count == verbs["dispatch"]
    assert case.return_count == approved["decide_return"]
    assert case.extension_count == approved["decide_extension"]
    assert case.suspension_count == approved["decide_suspension"]
    assert case.urge_count == verbs["urge"]
    assert case.rework_count == sum(1 for e in events if e.verb == "check" and not e.data["passed"])
    assert case.reopen_count == sum(1 for e in events if e.data.get("reopened"))
    # Each event keeps the step and handling deadlines in force when it happened: those the
    # event before it left.
    for before, after in itertools.pairwise(events):
        assert after.step_due_at == _moment(before.state["due_at"])
        assert after.handling_due_at == _moment(before.state["handling_due_at"])
    if case.status not in (Status.DISPATCHED, Status.HANDLING, Status.SUSPENDED):
        assert case.urge_due_at is None
    assert_deadline(case)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def assert_deadline(case: Case) -> None:
    if case.status in (Status.SUSPENDED, *CLOSED_STATUSES):
        assert case.due_at is None
    elif case.status == Status.HANDLING:
        assert case.due_at == case.handling_due_at
    else:
        stage = deadlines.STAGE_OF_STATUS[case.status]
        limit = deadlines.stage_limit(stage, urgent=case.is_urgent)
        assert case.due_at == deadlines.add(case.step_started_at, limit)
