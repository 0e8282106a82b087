"""The closed loop, verb by verb: what is allowed, what is refused, and what is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import Point

from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, CaseEvent, Channel, Notification, Status, Task
from cases.steps import InvalidTransition, NotAllowed, WorkflowError
from catalog.models import CaseType, FilingCondition, MajorClass
from components.models import Component
from org.roles import Role
from tests.cases.conftest import EAST, MONDAY_10, WEST, World

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def reported(world: World, *, at: datetime = MONDAY_10, where: tuple[float, float] = WEST) -> Case:
    return wf.report(
        world.inspector,
        role=Role.INSPECTOR,
        channel=Channel.INSPECTOR,
        description="路边有成堆垃圾",
        lon=where[0],
        lat=where[1],
        case_type=world.garbage,
        now=at,
    )


def dispatched(world: World, at: datetime = MONDAY_10) -> Case:
    case = reported(world, at=at)
    wf.file(case, world.shift_leader, condition=world.normal, now=at)
    return wf.dispatch(case, world.dispatcher, unit=world.org.department_a, now=at)


def handling(world: World, at: datetime = MONDAY_10) -> Case:
    return wf.sign(dispatched(world, at), world.handler_a, now=at)


def events(case: Case) -> list[str]:
    return list(case.events.order_by("sequence").values_list("verb", flat=True))


def chain_is_intact(case: Case) -> bool:
    case.refresh_from_db()
    return not list(verify_case(case, case.events.order_by("sequence")))


def test_the_whole_loop_from_report_to_closing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = handling(world)
    t = MONDAY_10 + HOUR
    wf.feedback(case, world.handler_a, reason="已清理", now=t)
    wf.send_check(case, world.acceptor, inspector=world.person(world.inspector_2), now=t)
    wf.check(case, world.inspector_2, passed=True, now=t)
    case = wf.close(case, world.shift_leader, now=t)

    assert (case.status, case.closing_type, case.due_at) == (Status.CLOSED, "normal", None)
    assert case.number == "2026000001"
    assert events(case) == [
        "report", "file", "dispatch", "sign", "feedback", "send_check", "check", "close",
    ]  # fmt: skip
    assert chain_is_intact(case)
    assert Task.objects.get(case=case).outcome == "passed"
    assert Notification.objects.filter(case=case, unit=world.org.department_a).exists()


def test_a_report_gets_the_position_hierarchy_and_a_filing_deadline(world: World) -> None:
    case = reported(world, where=EAST)
    assert case.grid.code == "520199002001004"
    assert case.territory_unit == world.org.other_street
    # Filing must happen within 60 working minutes.
    assert case.due_at == MONDAY_10 + HOUR


def test_a_public_report_is_filed_only_after_an_inspector_verified_it(world: World) -> None:
    case = wf.report(
        None, role=None, channel=Channel.WEB, description="小区门口垃圾没人管",
        lon=WEST[0], lat=WEST[1], now=MONDAY_10,
    )  # fmt: skip
    with pytest.raises(InvalidTransition) as refused:
        wf.file(case, world.shift_leader, condition=world.normal, now=MONDAY_10)
    assert refused.value.code == "not_verified"
    wf.send_verify(case, world.acceptor, inspector=world.person(world.inspector), now=MONDAY_10)
    with pytest.raises(NotAllowed) as refused_task:
        wf.verify(case, world.inspector_2, found=True, now=MONDAY_10)
    assert refused_task.value.code == "not_your_task"
    wf.verify(case, world.inspector, found=True, now=MONDAY_10)
    assert wf.file(case, world.shift_leader, condition=world.normal).status == Status.FILED


def test_a_post_cannot_do_anothers_work(world: World) -> None:
    case = reported(world)
    with pytest.raises(NotAllowed) as refused:
        wf.file(case, world.dispatcher, condition=world.normal)
    assert refused.value.code == "no_such_post"
    with pytest.raises(InvalidTransition) as wrong_status:
        wf.dispatch(case, world.dispatcher, unit=world.org.department_a)
    assert wrong_status.value.code == "invalid_transition"
    assert events(case) == ["report"]


def test_a_unit_cannot_touch_another_units_case(world: World) -> None:
    case = dispatched(world)
    with pytest.raises(NotAllowed) as refused:
        wf.sign(case, world.handler_b)
    assert refused.value.code == "out_of_scope"
    assert case.number in refused.value.message
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and events(case) == ["report", "file", "dispatch"]


def test_a_return_waits_for_the_dispatcher_and_blocks_other_steps(world: World) -> None:
    case = handling(world)
    wf.return_case(case, world.handler_a, reason="不属于本单位职责")
    with pytest.raises(InvalidTransition) as refused:
        wf.feedback(case, world.handler_a, reason="已处理")
    assert refused.value.code == "request_pending"
    case = wf.decide_return(case, world.dispatcher, approve=True)
    assert (case.status, case.return_count, case.responsible_unit) == (Status.FILED, 1, None)
    case = wf.dispatch(case, world.dispatcher, unit=world.org.department_b)
    assert case.dispatch_count == 2 and chain_is_intact(case)


def test_an_approved_extension_moves_the_handling_deadline_in_working_time(world: World) -> None:
    case = handling(world)  # Monday 10:00 + 4 working hours → 16:00 (lunch 12:00–14:00)
    assert case.handling_due_at == MONDAY_10 + 6 * HOUR
    wf.request_extension(case, world.handler_a, minutes=90, reason="需要调车")
    case = wf.decide_extension(case, world.dispatcher, approve=True)
    assert case.handling_due_at == MONDAY_10 + 7.5 * HOUR  # 17:30, the end of the day
    assert case.due_at == case.handling_due_at and case.extension_count == 1


def test_suspended_time_does_not_count(world: World) -> None:
    case = handling(world)
    wf.request_suspension(case, world.handler_a, reason="需等待管线施工", now=MONDAY_10)
    case = wf.decide_suspension(case, world.dispatcher, approve=True, now=MONDAY_10 + HOUR)
    assert case.status == Status.SUSPENDED and case.due_at is None
    assert case.suspended_remaining == 180  # 11:00 → 16:00 less lunch
    later = MONDAY_10 + timedelta(days=3)  # Thursday 10:00
    case = wf.resume(case, world.dispatcher, now=later)
    assert case.handling_due_at == later + 5 * HOUR  # three working hours, across lunch


def test_a_failed_check_sends_the_case_back_to_the_same_unit(world: World) -> None:
    case = handling(world)
    wf.feedback(case, world.handler_a, reason="已清理")
    wf.send_check(case, world.acceptor, inspector=world.person(world.inspector))
    with pytest.raises(WorkflowError) as refused:
        wf.check(case, world.inspector, passed=False)
    assert refused.value.code == "reason_required"
    case = wf.check(case, world.inspector, passed=False, reason="仍有垃圾")
    assert (case.status, case.rework_count, case.responsible_unit) == (
        Status.HANDLING,
        1,
        world.org.department_a,
    )


def test_voiding_needs_the_shift_leaders_approval_and_cancels_open_tasks(world: World) -> None:
    case = wf.report(
        None, role=None, channel=Channel.APP, description="测试", lon=WEST[0], lat=WEST[1]
    )
    wf.send_verify(case, world.acceptor, inspector=world.person(world.inspector))
    wf.request_void(case, world.acceptor, role=Role.ACCEPTOR, reason="重复举报")
    case = wf.decide_void(case, world.shift_leader, approve=True)
    assert case.status == Status.VOIDED and case.status_kind == "closed"
    assert Task.objects.get(case=case).outcome == "cancelled"


def test_a_duplicate_merges_into_an_open_case(world: World) -> None:
    first, second = reported(world), reported(world)
    second = wf.merge(second, world.acceptor, role=Role.ACCEPTOR, into=first.number)
    assert (second.status, second.merged_into) == (Status.MERGED, first)
    with pytest.raises(InvalidTransition):
        wf.merge(first, world.acceptor, role=Role.ACCEPTOR, into=first.number)


def test_an_overdue_appeal_needs_two_approvals_and_keeps_the_overdue(world: World) -> None:
    case = handling(world)
    late = MONDAY_10 + timedelta(days=1)
    wf.feedback(case, world.handler_a, reason="已清理", now=late)
    wf.appeal_overdue(case, world.admin_a, role=Role.UNIT_ADMIN, reason="暴雨无法作业", now=late)
    wf.decide_appeal(case, world.dispatcher, role=Role.DISPATCHER, approve=True, now=late)
    assert not Case.objects.get(pk=case.pk).exempt
    case = wf.decide_appeal(case, world.leader, role=Role.LEADER, approve=True, now=late)
    assert case.exempt and wf.is_overdue(case, late)
    with pytest.raises(InvalidTransition):
        wf.appeal_overdue(case, world.handler_a, reason="再次申诉", now=late)


def test_an_on_time_case_cannot_be_appealed(world: World) -> None:
    case = handling(world)
    with pytest.raises(InvalidTransition) as refused:
        wf.appeal_overdue(case, world.handler_a, reason="申诉", now=MONDAY_10)
    assert refused.value.code == "not_overdue"


def test_a_retried_report_returns_the_same_case(world: World) -> None:
    def send(user: User) -> Case:
        return wf.report(
            user, role=Role.INSPECTOR, channel=Channel.INSPECTOR, description="井盖缺失",
            lon=WEST[0], lat=WEST[1], request_id="phone-7-0001",
        )  # fmt: skip

    first, again = send(world.inspector), send(world.inspector)
    assert first.pk == again.pk and Case.objects.count() == 1
    with pytest.raises(WorkflowError) as refused:
        send(world.inspector_2)
    assert refused.value.code == "request_id_taken"


def test_a_report_outside_the_district_is_refused_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(WorkflowError) as refused:
        wf.report(
            world.inspector, role=Role.INSPECTOR, channel=Channel.INSPECTOR,
            description="x", lon=WEST[0] - 0.1, lat=WEST[1],
        )  # fmt: skip
    assert refused.value.code == "outside_district"
    assert "不在本区单元网格范围内" in refused.value.message
    with pytest.raises(WorkflowError) as swapped:
        wf.report(
            world.inspector, role=Role.INSPECTOR, channel=Channel.INSPECTOR,
            description="x", lon=WEST[1], lat=WEST[0],
        )  # fmt: skip
    assert swapped.value.code == "bad_position"
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_tampering_with_the_trail_is_detected(world: World) -> None:
    case = handling(world)
    call_command("verify_audit")
    CaseEvent.objects.filter(case=case, sequence=2).update(reason="改过的理由")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert [(p.sequence, p.problem) for p in problems] == [(2, "content altered")]


def test_removing_the_newest_event_is_detected(world: World) -> None:
    case = handling(world)
    CaseEvent.objects.filter(case=case, sequence=4).delete()  # a queryset bypasses the model
    case.refresh_from_db()
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert [p.sequence for p in problems] == [None]


def test_events_refuse_to_be_changed_through_the_model(world: World) -> None:
    event = reported(world).events.get()
    event.reason = "x"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_reordering_events_is_detected(world: World) -> None:
    case = handling(world)
    events_of = CaseEvent.objects.filter(case=case)
    events_of.filter(sequence=2).update(sequence=99)
    events_of.filter(sequence=3).update(sequence=2)
    events_of.filter(sequence=99).update(sequence=3)
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert {p.sequence for p in problems} >= {2, 3}


def test_a_component_problem_is_routed_to_the_components_owner(world: World) -> None:
    cover_type = CaseType.objects.create(
        major=MajorClass.objects.create(
            edition=world.garbage.major.edition, kind="component", code="01", name="公用设施"
        ),
        code="0101",
        name="上水井盖",
    )
    FilingCondition.objects.create(
        case_type=cover_type, condition="井盖缺失", urgency="urgent", limit_value=2,
        limit_unit="natural_hour", closing_condition="恢复",
    )  # fmt: skip
    cover = Component(
        case_type=cover_type, point=Point(*WEST), department=world.org.department_a,
        owner=world.org.department_b,
    )  # fmt: skip
    cover.save()
    case = wf.report(
        world.inspector, role=Role.INSPECTOR, channel=Channel.INSPECTOR, description="井盖丢了",
        lon=WEST[0], lat=WEST[1], component=cover, now=MONDAY_10,
    )  # fmt: skip
    assert case.case_type == cover_type
    wf.file(case, world.shift_leader, condition=cover_type.conditions.get(), now=MONDAY_10)
    case = wf.dispatch(case, world.dispatcher, unit=world.org.department_b, now=MONDAY_10)
    assert "区环卫站" in case.routing_reason and "权属单位" in case.routing_reason
