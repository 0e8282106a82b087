"""Random sequences of actions by every post: whatever happens, the case stays consistent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cases import deadlines
from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, Channel, Status, Task
from cases.steps import TRANSITIONS, WorkflowError
from org.roles import Role
from tests.cases.conftest import MONDAY_10, WEST, World

pytestmark = pytest.mark.django_db
Action = Callable[[Case, datetime], object]


def actions(w: World) -> list[tuple[str, Action]]:
    inspector = w.person(w.inspector)
    return [
        ("file", lambda c, t: wf.file(c, w.shift_leader, condition=w.normal, now=t)),
        ("reject", lambda c, t: wf.reject(c, w.shift_leader, reason="不属于城管问题", now=t)),
        ("dispatch", lambda c, t: wf.dispatch(c, w.dispatcher, unit=w.org.department_a, now=t)),
        ("sign", lambda c, t: wf.sign(c, w.handler_a, now=t)),
        ("sign", lambda c, t: wf.sign(c, w.handler_b, now=t)),  # another unit: always refused
        ("feedback", lambda c, t: wf.feedback(c, w.handler_a, reason="已处理", now=t)),
        ("return_case", lambda c, t: wf.return_case(c, w.handler_a, reason="非本单位", now=t)),
        ("decide_return", lambda c, t: wf.decide_return(c, w.dispatcher, approve=True, now=t)),
        (
            "decide_return",
            lambda c, t: wf.decide_return(
                c, w.dispatcher, approve=False, reason="属于你单位", now=t
            ),
        ),
        (
            "request_extension",
            lambda c, t: wf.request_extension(c, w.handler_a, minutes=60, reason="天气", now=t),
        ),
        (
            "decide_extension",
            lambda c, t: wf.decide_extension(c, w.dispatcher, approve=True, now=t),
        ),
        (
            "request_suspension",
            lambda c, t: wf.request_suspension(c, w.handler_a, reason="待施工", now=t),
        ),
        (
            "decide_suspension",
            lambda c, t: wf.decide_suspension(c, w.dispatcher, approve=True, now=t),
        ),
        ("resume", lambda c, t: wf.resume(c, w.dispatcher, now=t)),
        ("send_check", lambda c, t: wf.send_check(c, w.acceptor, inspector=inspector, now=t)),
        ("check", lambda c, t: wf.check(c, w.inspector, passed=True, now=t)),
        ("check", lambda c, t: wf.check(c, w.inspector, passed=False, reason="未处理完", now=t)),
        ("close", lambda c, t: wf.close(c, w.shift_leader, now=t)),
        ("urge", lambda c, t: wf.urge(c, w.dispatcher, role=Role.DISPATCHER, reason="尽快", now=t)),
        (
            "request_void",
            lambda c, t: wf.request_void(c, w.acceptor, role=Role.ACCEPTOR, reason="无效", now=t),
        ),
        (
            "decide_void",
            lambda c, t: wf.decide_void(c, w.shift_leader, approve=False, reason="有效", now=t),
        ),
        (
            "appeal_overdue",
            lambda c, t: wf.appeal_overdue(c, w.handler_a, reason="客观原因", now=t),
        ),
        (
            "decide_appeal",
            lambda c, t: wf.decide_appeal(
                c, w.dispatcher, role=Role.DISPATCHER, approve=True, now=t
            ),
        ),
        (
            "decide_appeal",
            lambda c, t: wf.decide_appeal(c, w.leader, role=Role.LEADER, approve=False, now=t),
        ),
    ]


def snapshot(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (case.status, case.pending_request, case.events.count(), case.audit_head)


@settings(  # max_examples comes from the Hypothesis profile (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(1, 40))
def test_random_action_sequences_keep_every_invariant(
    world: World, data: st.DataObject, length: int
) -> None:
    moves = actions(world)
    now = MONDAY_10
    case = wf.report(
        world.inspector, role=Role.INSPECTOR, channel=Channel.INSPECTOR, description="随机",
        lon=WEST[0], lat=WEST[1], now=now,
    )  # fmt: skip
    for _ in range(length):
        now += timedelta(minutes=data.draw(st.integers(0, 600)))
        before = snapshot(case)
        # Mostly moves the case's status allows (to get deep), sometimes any move at all.
        fitting = [m for m in moves if case.status in TRANSITIONS[m[0]].sources] or moves
        _verb, move = data.draw(st.sampled_from(fitting if data.draw(st.integers(0, 9)) else moves))
        try:
            move(case, now)
        except WorkflowError:
            assert snapshot(case) == before  # a refusal changes nothing
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
    assert_deadline(case)


def assert_deadline(case: Case) -> None:
    if case.status in (Status.SUSPENDED, Status.CLOSED, Status.REJECTED, Status.VOIDED):
        assert case.due_at is None
    elif case.status == Status.HANDLING:
        assert case.due_at == case.handling_due_at
    else:
        stage = deadlines.STAGE_OF_STATUS[case.status]
        expected = deadlines.add(case.step_started_at, deadlines.stage_limit(stage))
        assert case.due_at == expected
