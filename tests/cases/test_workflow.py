"""The closed loop, verb by verb: what is allowed, what is refused, and what is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, CaseEvent, CaseNumber, Channel, Notification, Status, Task
from cases.reporting import report_case
from cases.transitions import allowed_verbs, get_case_for
from org.access import Actor, Refusal
from tests.cases.conftest import EAST, MONDAY_10, WEST, World
from tests.cases.making import (
    chain_is_intact,
    dispatched,
    events,
    filed,
    handling,
    make_cover,
    public_report,
    reported,
)
from tests.geo.territory import STEP, X0, Y0

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def test_the_whole_loop_from_report_to_closing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.actors
    with django_capture_on_commit_callbacks(execute=True):
        case = handling(world)
    t = MONDAY_10 + HOUR
    wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=t)
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2), now=t)
    wf.check_case(case, actor=a.inspector_2, passed=True, now=t)
    case = wf.close_case(case, actor=a.shift_leader, now=t)

    assert (case.status, case.closing_type, case.due_at) == (Status.CLOSED, "normal", None)
    assert case.number == "2026000001"
    assert events(case) == [
        "report", "accept", "file", "dispatch", "sign", "feedback", "send_check", "check", "close",
    ]  # fmt: skip
    assert chain_is_intact(case)
    assert Task.objects.get(case=case).outcome == "passed"
    assert Notification.objects.filter(case=case, unit=world.org.department_a).exists()


def test_a_report_gets_the_position_hierarchy_and_an_acceptance_deadline(world: World) -> None:
    case = reported(world, where=EAST)
    assert case.grid.code == "520199002001004"
    assert case.territory_unit == world.org.other_street
    # Accepting must happen within 30 working minutes.
    assert case.due_at == MONDAY_10 + HOUR / 2


def test_an_inspectors_report_is_accepted_before_it_is_filed(world: World) -> None:
    a = world.actors
    case = reported(world)
    with pytest.raises(Refusal) as refused:
        wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    assert refused.value.code == "invalid_transition"
    case = wf.accept_case(case, actor=a.acceptor, now=MONDAY_10)
    assert case.status == Status.ACCEPTED and case.due_at == MONDAY_10 + HOUR  # filing: 60 min
    assert wf.file_case(case, actor=a.shift_leader, condition=world.normal).status == Status.FILED


def test_a_report_that_is_no_matter_for_the_platform_is_declined_with_a_reason(
    world: World,
) -> None:
    a = world.actors
    case = reported(world)
    with pytest.raises(Refusal) as refused:
        wf.decline_case(case, actor=a.acceptor, reason=" ")
    assert refused.value.code == "reason_required"
    case = wf.decline_case(case, actor=a.acceptor, reason="不属于城市管理问题")
    assert (case.status, case.status_kind, case.due_at) == (Status.DECLINED, "closed", None)
    assert events(case) == ["report", "decline"]


def test_a_public_report_is_accepted_only_after_an_inspector_verified_it(world: World) -> None:
    a = world.actors
    case = public_report(world)
    with pytest.raises(Refusal) as refused:
        wf.accept_case(case, actor=a.acceptor, now=MONDAY_10)
    assert refused.value.code == "not_verified"
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector), now=MONDAY_10)
    with pytest.raises(Refusal) as refused_task:
        wf.verify_report(case, actor=a.inspector_2, found=True, now=MONDAY_10)
    assert refused_task.value.code == "not_your_task"
    wf.verify_report(case, actor=a.inspector, found=True, now=MONDAY_10)
    assert wf.accept_case(case, actor=a.acceptor).status == Status.ACCEPTED


def test_a_post_cannot_do_anothers_work(world: World) -> None:
    a = world.actors
    case = wf.accept_case(reported(world), actor=a.acceptor)
    with pytest.raises(Refusal) as refused:
        wf.file_case(case, actor=a.dispatcher, condition=world.normal)
    assert (refused.value.code, refused.value.status) == ("wrong_role", 403)
    with pytest.raises(Refusal) as wrong_status:
        wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a)
    assert (wrong_status.value.code, wrong_status.value.status) == ("invalid_transition", 409)
    assert events(case) == ["report", "accept"]


def test_a_person_acts_only_in_a_post_they_hold(world: World) -> None:
    with pytest.raises(Refusal) as refused:
        Actor.of(world.dispatcher, "shift_leader")
    assert refused.value.code == "no_such_post"


def test_a_unit_cannot_touch_another_units_case(world: World) -> None:
    case = dispatched(world)
    with pytest.raises(Refusal) as refused:
        wf.sign_case(case, actor=world.actors.handler_b)
    assert refused.value.code == "out_of_scope"
    assert case.number in refused.value.message
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert events(case) == ["report", "accept", "file", "dispatch"]


def test_a_return_waits_for_the_dispatcher_and_blocks_other_steps(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.return_case(case, actor=a.handler_a, reason="不属于本单位职责")
    with pytest.raises(Refusal) as refused:
        wf.feedback_case(case, actor=a.handler_a, reason="已处理")
    assert refused.value.code == "request_pending"
    case = wf.decide_return(case, actor=a.dispatcher, approve=True)
    assert (case.status, case.return_count, case.responsible_unit) == (Status.FILED, 1, None)
    case = wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_b, reason="改派")
    assert case.dispatch_count == 2 and chain_is_intact(case)


def test_an_approved_extension_moves_the_handling_deadline_in_working_time(world: World) -> None:
    a = world.actors
    case = handling(world)  # Monday 10:00 + 4 working hours → 16:00 (lunch 12:00–14:00)
    assert case.handling_due_at == MONDAY_10 + 6 * HOUR
    wf.request_extension(case, actor=a.handler_a, minutes=90, reason="需要调车")
    case = wf.decide_extension(case, actor=a.dispatcher, approve=True)
    assert case.handling_due_at == MONDAY_10 + 7.5 * HOUR  # 17:30, the end of the day
    assert case.due_at == case.handling_due_at and case.extension_count == 1


def test_suspended_time_does_not_count(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.request_suspension(case, actor=a.handler_a, reason="需等待管线施工", now=MONDAY_10)
    case = wf.decide_suspension(case, actor=a.dispatcher, approve=True, now=MONDAY_10 + HOUR)
    assert case.status == Status.SUSPENDED and case.due_at is None
    assert case.suspended_remaining == 180  # 11:00 → 16:00 less lunch
    later = MONDAY_10 + timedelta(days=3)  # Thursday 10:00
    assert not case.is_overdue(later)  # the clock stopped when it was suspended
    case = wf.resume_case(case, actor=a.dispatcher, now=later)
    assert case.handling_due_at == later + 5 * HOUR  # three working hours, across lunch


def test_a_failed_check_sends_the_case_back_to_the_same_unit(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector))
    with pytest.raises(Refusal) as refused:
        wf.check_case(case, actor=a.inspector, passed=False)
    assert refused.value.code == "reason_required"
    case = wf.check_case(case, actor=a.inspector, passed=False, reason="仍有垃圾")
    assert (case.status, case.rework_count, case.responsible_unit) == (
        Status.HANDLING,
        1,
        world.org.department_a,
    )


def test_only_the_inspector_sent_the_check_may_check(world: World) -> None:
    a = world.actors
    case = handling(world)
    with pytest.raises(Refusal) as early:
        wf.check_case(case, actor=a.inspector, passed=True)
    assert early.value.code == "invalid_transition"
    wf.feedback_case(case, actor=a.handler_a, reason="已清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector))
    with pytest.raises(Refusal) as refused:
        wf.check_case(case, actor=a.inspector_2, passed=True)
    assert refused.value.code == "not_your_task"


def test_voiding_needs_the_shift_leaders_approval_and_cancels_open_tasks(world: World) -> None:
    a = world.actors
    case = public_report(world)
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector))
    wf.request_void(case, actor=a.acceptor, reason="重复举报")
    case = wf.decide_void(case, actor=a.shift_leader, approve=True)
    assert case.status == Status.VOIDED and case.status_kind == "closed"
    assert Task.objects.get(case=case).outcome == "cancelled"


def test_a_duplicate_merges_into_an_open_case(world: World) -> None:
    a = world.actors
    first, second = reported(world), reported(world)
    second = wf.merge_case(second, actor=a.acceptor, into=first.number)
    assert (second.status, second.merged_into) == (Status.MERGED, first)
    with pytest.raises(Refusal) as itself:
        wf.merge_case(first, actor=a.acceptor, into=first.number)
    assert itself.value.code == "bad_merge_target"
    third = reported(world)
    with pytest.raises(Refusal) as merged:  # not into a case that was itself merged
        wf.merge_case(third, actor=a.acceptor, into=second)
    assert merged.value.code == "bad_merge_target"


def test_an_overdue_appeal_needs_two_approvals_and_keeps_the_overdue(world: World) -> None:
    a = world.actors
    case = handling(world)
    late = MONDAY_10 + timedelta(days=1)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=late)
    wf.appeal_overdue(case, actor=a.admin_a, reason="暴雨无法作业", now=late)
    wf.decide_appeal(case, actor=a.dispatcher, approve=True, now=late)
    assert not Case.objects.get(pk=case.pk).exempt
    case = wf.decide_appeal(case, actor=a.leader, approve=True, now=late)
    assert case.exempt and case.is_overdue(late)
    assert Case.objects.overdue(late).filter(pk=case.pk).exists()
    with pytest.raises(Refusal) as again:
        wf.appeal_overdue(case, actor=a.handler_a, reason="再次申诉", now=late)
    assert again.value.code == "not_overdue"


def test_an_on_time_case_cannot_be_appealed(world: World) -> None:
    case = handling(world)
    with pytest.raises(Refusal) as refused:
        wf.appeal_overdue(case, actor=world.actors.handler_a, reason="申诉", now=MONDAY_10)
    assert refused.value.code == "not_overdue"
    assert not Case.objects.overdue(MONDAY_10).exists()


def test_a_retried_report_returns_the_same_case(world: World) -> None:
    def send(actor: Actor, description: str = "井盖缺失") -> Case:
        return report_case(
            actor=actor, channel=Channel.INSPECTOR, description=description,
            lon=WEST[0], lat=WEST[1], request_id="phone-7-0001",
        )  # fmt: skip

    first, again = send(world.actors.inspector), send(world.actors.inspector)
    assert first.pk == again.pk and Case.objects.count() == 1
    with pytest.raises(Refusal) as refused:
        send(world.actors.inspector_2)
    assert refused.value.code == "request_id_taken"
    with pytest.raises(Refusal) as reused:
        send(world.actors.inspector, description="路灯不亮")
    assert (reused.value.code, reused.value.status) == ("request_id_reused", 409)
    assert first.number in reused.value.message and reused.value.extra["case"] == first.number
    assert Case.objects.count() == 1


def test_a_report_outside_the_district_is_refused_and_nothing_is_stored(world: World) -> None:
    def send(lon: float, lat: float) -> Case:
        return report_case(
            actor=world.actors.inspector, channel=Channel.INSPECTOR, description="x",
            lon=lon, lat=lat,
        )  # fmt: skip

    with pytest.raises(Refusal) as refused:
        send(WEST[0] - 0.1, WEST[1])
    assert refused.value.code == "outside_district"
    assert "不在本区单元网格范围内" in refused.value.message
    with pytest.raises(Refusal) as swapped:
        send(WEST[1], WEST[0])
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


def test_a_suspension_late_by_no_working_time_keeps_the_trail_intact(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Late by none (after hours, past a deadline at the end of the day) is -0.0 minutes
    left, which PostgreSQL's jsonb gives back as 0: the sealed state must say 0 too. Found
    by the random action sequences under CI's Hypothesis profile."""
    from cases import deadlines

    case = handling(world)
    wf.request_suspension(case, actor=world.actors.handler_a, reason="待工程")
    monkeypatch.setattr(deadlines, "minutes_between", lambda *_args: -0.0)
    case = wf.decide_suspension(case, actor=world.actors.dispatcher, approve=True)
    assert case.suspended_remaining == 0
    assert chain_is_intact(case)


def test_removing_the_newest_event_is_detected(world: World) -> None:
    case = handling(world)
    CaseEvent.objects.filter(case=case, sequence=5).delete()  # a queryset bypasses the model
    case.refresh_from_db()
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert None in [p.sequence for p in problems]


def test_a_deadline_moved_by_hand_in_the_case_row_is_detected(world: World) -> None:
    case = handling(world)
    assert chain_is_intact(case) and case.handling_due_at is not None
    Case.objects.filter(pk=case.pk).update(handling_due_at=case.handling_due_at + 2 * HOUR)
    case.refresh_from_db()
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert [p.problem for p in problems] == ["handling_due_at differs from its events"]
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_a_counter_reset_by_hand_is_detected(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.urge_case(case, actor=a.dispatcher, reason="请尽快处置")
    Case.objects.filter(pk=case.pk).update(urge_count=0)
    case.refresh_from_db()
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert [p.problem for p in problems] == ["urge_count differs from its events"]


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
    a = world.actors
    cover = make_cover(world)
    case = report_case(
        actor=a.inspector, channel=Channel.INSPECTOR, description="井盖丢了",
        lon=WEST[0], lat=WEST[1], component=cover, now=MONDAY_10,
    )  # fmt: skip
    assert case.case_type == cover.case_type
    wf.accept_case(case, actor=a.acceptor, now=MONDAY_10)
    condition = cover.case_type.conditions.get()
    case = wf.file_case(case, actor=a.shift_leader, condition=condition, now=MONDAY_10)
    assert (case.suggested_unit, case.suggestion_basis) == (world.org.department_b, "owner")
    case = wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_b, now=MONDAY_10)
    event = case.events.get(verb="dispatch")
    assert event.data == {
        "unit": "DB", "suggested": "DB", "basis": "owner", "override": False,
    }  # fmt: skip


def test_dispatching_elsewhere_than_suggested_needs_a_reason_and_is_recorded(world: World) -> None:
    a = world.actors
    case = filed(world)
    assert (case.suggested_unit, case.suggestion_basis) == (world.org.street, "territory")
    with pytest.raises(Refusal) as refused:
        wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a)
    assert refused.value.code == "override_reason_required"
    case = wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="专业")
    data = case.events.get(verb="dispatch").data
    assert (data["unit"], data["suggested"], data["override"]) == ("DA", "S01", True)


def test_a_type_and_a_component_that_disagree_are_refused(world: World) -> None:
    cover = make_cover(world)
    with pytest.raises(Refusal) as refused:
        report_case(
            actor=world.actors.inspector, channel=Channel.INSPECTOR, description="井盖丢了",
            lon=WEST[0], lat=WEST[1], component=cover, case_type=world.garbage,
        )  # fmt: skip
    assert (refused.value.code, refused.value.status) == ("type_component_mismatch", 400)
    assert not Case.objects.exists()


def test_filing_with_a_condition_of_another_type_is_refused(world: World) -> None:
    a = world.actors
    cover = make_cover(world)
    case = wf.accept_case(reported(world), actor=a.acceptor)  # reported as garbage
    with pytest.raises(Refusal) as refused:
        wf.file_case(case, actor=a.shift_leader, condition=cover.case_type.conditions.get())
    assert (refused.value.code, refused.value.status) == ("condition_of_other_type", 400)
    case.refresh_from_db()
    assert (case.case_type, case.status) == (world.garbage, Status.ACCEPTED)


def test_a_report_without_a_type_takes_the_type_of_its_filing_condition(world: World) -> None:
    a = world.actors
    case = report_case(
        actor=a.inspector, channel=Channel.INSPECTOR, description="路边垃圾",
        lon=WEST[0], lat=WEST[1],
    )  # fmt: skip
    wf.accept_case(case, actor=a.acceptor)
    case = wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    assert case.case_type == world.garbage


def test_control_characters_and_overlong_texts_are_refused(world: World) -> None:
    def send(description: str) -> Case:
        return report_case(
            actor=world.actors.inspector, channel=Channel.INSPECTOR, description=description,
            lon=WEST[0], lat=WEST[1],
        )  # fmt: skip

    with pytest.raises(Refusal) as nul:
        send("井盖\x00缺失")
    assert (nul.value.code, nul.value.status) == ("bad_characters", 400)
    with pytest.raises(Refusal) as long:
        send("长" * 2001)
    assert long.value.code == "text_too_long"
    assert len(send("长" * 2000).description) == 2000


def test_case_numbers_go_on_from_those_already_given_this_year(world: World) -> None:
    CaseNumber.objects.create(year=2026, last=41)  # numbers given before (by the counter)
    assert reported(world).number == "2026000042"
    assert reported(world).number == "2026000043"
    assert reported(world, at=MONDAY_10.replace(year=2027)).number == "2027000001"


def test_a_report_near_the_border_of_two_streets_is_flagged_when_placed(world: World) -> None:
    near = reported(world, where=(X0 + 2 * STEP - 0.0002, Y0 + 0.5 * STEP))  # ≈ 20 m
    assert (near.near_boundary, reported(world).near_boundary) == (True, False)


def test_a_case_offers_each_post_only_the_verbs_it_may_call_now(world: World) -> None:
    a = world.actors
    case = handling(world)
    assert get_case_for(a.dispatcher, case.number).verbs == ("request_void", "urge")
    assert get_case_for(a.handler_a, case.number).verbs == (
        "assign_team", "feedback", "return_case", "request_extension", "request_suspension",
        "appeal_overdue",  # handled since Monday 23 November: overdue today
    )  # fmt: skip
    wf.request_extension(case, actor=a.handler_a, minutes=60, reason="雨")
    assert get_case_for(a.dispatcher, case.number).verbs == ("decide_extension", "urge")
    with pytest.raises(Refusal) as refused:
        wf.decide_suspension(case, actor=a.dispatcher, approve=True)
    assert refused.value.code == "no_such_request"


def test_each_review_of_an_appeal_is_offered_only_to_its_post(world: World) -> None:
    a = world.actors
    case = handling(world)  # reported days ago: overdue by now
    case = wf.appeal_overdue(case, actor=a.handler_a, reason="暴雨停工")
    assert "decide_appeal" in allowed_verbs(case, a.dispatcher)
    assert "decide_appeal" not in allowed_verbs(case, a.leader)
    with pytest.raises(Refusal) as early:
        wf.decide_appeal(case, actor=a.leader, approve=True)
    assert early.value.code == "not_your_review"
    case = wf.decide_appeal(case, actor=a.dispatcher, approve=True, reason="属实")
    assert "decide_appeal" in allowed_verbs(case, a.leader)
    assert "decide_appeal" not in allowed_verbs(case, a.dispatcher)
    assert wf.decide_appeal(case, actor=a.leader, approve=True).exempt
