"""Every way a case moves after it is reported (cases/reporting.py): one function per verb,
named for what it does (STANDARDS.md §4, DESIGN.md §4).

Each verb takes the case (or its number) and a keyword-only `actor` (org/access.py), and goes
through cases/steps.py: lock the case row, check the state machine (cases/transitions.py),
change the case, move its deadlines (cases/deadlines.py), append a hash-chained event and notify
after the commit. Views, the API, the simulator and commands call only these functions. A
refusal is a Refusal with a stable `code` and a message in the user's language; when one is
raised nothing has been written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from cases import deadlines
from cases.audit import moment
from cases.models import (
    OPEN_STATUSES,
    Case,
    Channel,
    ClosingType,
    CoHandling,
    PendingRequest,
    Satisfaction,
    Status,
    TaskKind,
    TaskOutcome,
)
from cases.steps import (
    Step,
    act,
    cancel_open_task,
    check_inspector,
    clean_text,
    command_center,
    finish_task,
    open_request,
    open_task,
    required,
    supervision_center,
    take_request,
    unit_list,
)
from catalog.models import FilingCondition, Urgency
from catalog.routing import suggest_unit
from org.access import Actor, Refusal
from org.models import Person, Unit, UnitKind
from org.roles import Role

HANDLING_KINDS = (UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.TOWNSHIP)


# -- supervision center: verify, accept, file ---------------------------------------------------


def send_verify(
    case: Case | str, *, actor: Actor, inspector: Person, now: datetime | None = None
) -> Case:
    """发核实: ask an inspector to confirm a public report on site."""

    def change(case: Case, now: datetime) -> Step:
        check_inspector(inspector)
        task = open_task(case, TaskKind.VERIFY, inspector, now)
        case.status = Status.VERIFYING
        return Step({"inspector": inspector.user.username, "task": task.pk}, [inspector])

    return act(case, actor=actor, verb="send_verify", change=change, now=now)


def verify_report(
    case: Case | str, *, actor: Actor, found: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """核实: the inspector confirms the problem exists, or that it does not."""

    def change(case: Case, now: datetime) -> Step:
        outcome = TaskOutcome.CONFIRMED if found else TaskOutcome.DENIED
        finish_task(case, TaskKind.VERIFY, outcome, now)
        case.verified, case.status = found, Status.REPORTED
        return Step({"found": found}, [supervision_center()])

    return act(case, actor=actor, verb="verify", change=change, reason=clean_text(reason), now=now)


def self_handle(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """自处理: the reporting inspector fixed a trivial problem on the spot."""

    def change(case: Case, now: datetime) -> Step:
        if case.channel != Channel.INSPECTOR:
            raise Refusal(
                "not_reporter",
                _("Only the inspector who reported it may handle it on the spot."),
                403,
            )
        case.status, case.handled_at = Status.SELF_HANDLED, now
        return Step({}, [supervision_center()])

    reason = clean_text(reason)
    return act(case, actor=actor, verb="self_handle", change=change, reason=reason, now=now)


def accept_case(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """受理: the supervision center takes the report on, for the shift leader to file."""

    def change(case: Case, now: datetime) -> Step:
        if case.is_public and case.verified is not True:
            raise Refusal(
                "not_verified",
                _("A report from the public is accepted only after an inspector verified it."),
                409,
            )
        case.status = Status.ACCEPTED
        return Step({}, [])

    return act(case, actor=actor, verb="accept", change=change, reason=clean_text(reason), now=now)


def decline_case(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """不予受理: not a matter for the platform (not found, not the city's business…)."""

    def change(case: Case, now: datetime) -> Step:
        cancel_open_task(case, now)
        case.status, case.closed_at = Status.DECLINED, now
        return Step({}, [])

    return act(case, actor=actor, verb="decline", change=change, reason=required(reason), now=now)


def merge_case(
    case: Case | str,
    *,
    actor: Actor,
    into: Case | str,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """合并: a duplicate report joins an open case about the same problem."""

    def change(case: Case, now: datetime) -> Step:
        number = into.number if isinstance(into, Case) else into
        target = Case.objects.visible_to(actor).filter(number=number).first()
        if target is None or target.pk == case.pk or target.status not in OPEN_STATUSES:
            raise Refusal("bad_merge_target", _("A case merges only into another open case."), 409)
        cancel_open_task(case, now)
        case.merged_into, case.status, case.closed_at = target, Status.MERGED, now
        return Step({"into": target.number}, [])

    return act(case, actor=actor, verb="merge", change=change, reason=clean_text(reason), now=now)


def file_case(
    case: Case | str,
    *,
    actor: Actor,
    condition: FilingCondition,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """立案: file the case against a filing condition of its type. Routing then suggests the
    unit to dispatch it to, from the stored placement (and the component's owner)."""

    def change(case: Case, now: datetime) -> Step:
        _check_condition(case, condition)
        case.case_type, case.condition = condition.case_type, condition
        case.is_urgent = case.is_urgent or condition.urgency == Urgency.URGENT
        case.status, case.filed_at = Status.FILED, now
        suggestion = suggest_unit(condition.case_type, case, component=case.component)
        case.suggested_unit, case.suggestion_rule = suggestion.unit, suggestion.rule
        case.suggestion_basis = suggestion.basis
        data = {"condition": condition.pk, "type": condition.case_type.code}
        return Step(data, [command_center()])

    return act(case, actor=actor, verb="file", change=change, reason=clean_text(reason), now=now)


def _check_condition(case: Case, condition: FilingCondition) -> None:
    """The condition must be one of the case's type (the type is chosen when reported, or by
    the condition when the report named none)."""
    chosen = condition.case_type
    if not chosen.is_active:
        raise Refusal("inactive_type", _("This type is no longer in use."))
    if case.case_type_id is not None and chosen.pk != case.case_type_id:
        raise Refusal(
            "condition_of_other_type",
            _("This filing condition belongs to %(other)s, not to the case's type %(type)s.")
            % {"other": chosen, "type": case.case_type},
        )
    if case.component is not None and case.component.case_type_id != chosen.pk:
        raise Refusal(
            "condition_of_other_type",
            _("This filing condition does not fit component %(c)s.")
            % {"c": case.component.identifier},
        )


def reject_case(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """不予立案: accepted, but it does not meet any filing condition."""

    def change(case: Case, now: datetime) -> Step:
        case.status, case.closed_at = Status.REJECTED, now
        return Step({}, [])

    return act(case, actor=actor, verb="reject", change=change, reason=required(reason), now=now)


def request_void(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """作废申请: an invalid case, for the shift leader to approve."""
    return open_request(
        case, actor=actor, verb="request_void", kind=PendingRequest.VOID, reason=reason, now=now
    )


def decide_void(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        take_request(case, PendingRequest.VOID)
        if approve:
            cancel_open_task(case, now)
            case.status, case.closed_at, case.urge_due_at = Status.VOIDED, now, None
        return Step({"approved": approve}, [])

    reason = clean_text(reason)
    return act(case, actor=actor, verb="decide_void", change=change, reason=reason, now=now)


# -- supervision center: check, close, call back ------------------------------------------------


def send_check(
    case: Case | str, *, actor: Actor, inspector: Person, now: datetime | None = None
) -> Case:
    """发核查: ask an inspector to check the result on site."""

    def change(case: Case, now: datetime) -> Step:
        check_inspector(inspector)
        task = open_task(case, TaskKind.CHECK, inspector, now)
        case.status = Status.CHECKING
        return Step({"inspector": inspector.user.username, "task": task.pk}, [inspector])

    return act(case, actor=actor, verb="send_check", change=change, now=now)


def check_case(
    case: Case | str, *, actor: Actor, passed: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """核查: pass, or fail and send the case back to the same unit (返工)."""

    def change(case: Case, now: datetime) -> Step:
        finish_task(case, TaskKind.CHECK, TaskOutcome.PASSED if passed else TaskOutcome.FAILED, now)
        if passed:
            case.status = Status.CHECKED
            return Step({"passed": True}, [supervision_center()])
        case.status, case.rework_count, case.handled_at = (
            Status.HANDLING,
            case.rework_count + 1,
            None,
        )
        deadlines.start_handling(case, now)
        return Step({"passed": False}, unit_list(case))

    reason = clean_text(reason) if passed else required(reason)
    return act(case, actor=actor, verb="check", change=change, reason=reason, now=now)


def close_case(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """结案: normal, or overdue when the unit reported back after its deadline."""

    def change(case: Case, now: datetime) -> Step:
        late = case.is_overdue(now)
        case.closing_type = ClosingType.OVERDUE if late else ClosingType.NORMAL
        _closed(case, now)
        return Step({"closing_type": case.closing_type}, unit_list(case))

    return act(case, actor=actor, verb="close", change=change, reason=clean_text(reason), now=now)


def close_special(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """特殊结案: close a case that cannot be handled as the standard says (a problem gone by
    itself, a long-suspended work the city has decided on…), with the reason on record."""

    def change(case: Case, now: datetime) -> Step:
        cancel_open_task(case, now)
        case.closing_type = ClosingType.SPECIAL
        _closed(case, now)
        return Step({"closing_type": case.closing_type}, unit_list(case))

    reason = required(reason)
    return act(case, actor=actor, verb="close_special", change=change, reason=reason, now=now)


def _closed(case: Case, now: datetime) -> None:
    case.status, case.closed_at = Status.CLOSED, now
    case.urge_due_at, case.satisfaction = None, ""


def callback_case(
    case: Case | str,
    *,
    actor: Actor,
    satisfaction: str,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """回访: call the public reporter back after closing. 不满意 reopens the case for the
    supervision center to file again."""
    if satisfaction not in Satisfaction.values:
        raise Refusal("bad_satisfaction", _("Say satisfied, basically satisfied or dissatisfied."))

    def change(case: Case, now: datetime) -> Step:
        if not case.is_public:
            raise Refusal("no_callback", _("Only reports from the public are called back."), 409)
        if case.satisfaction:
            raise Refusal("already_called_back", _("This closing was already called back."), 409)
        case.satisfaction = satisfaction
        if satisfaction != Satisfaction.DISSATISFIED:
            return Step({"satisfaction": satisfaction}, [])
        case.status, case.closing_type, case.closed_at = Status.ACCEPTED, "", None
        case.reopen_count += 1
        _release(case)
        return Step({"satisfaction": satisfaction, "reopened": True}, [supervision_center()])

    reason = clean_text(reason)
    return act(case, actor=actor, verb="callback", change=change, reason=reason, now=now)


# -- command center: dispatch and decide ------------------------------------------------------


def dispatch_case(
    case: Case | str,
    *,
    actor: Actor,
    unit: Unit,
    co_units: Iterable[Unit] = (),
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """派遣: send the case to the unit that leads its handling (主办), with any co-handling
    units (协办); the handling clock starts. Another unit than the suggested one needs a
    reason, and the override is recorded."""
    co_units = list(co_units)
    for chosen in (unit, *co_units):
        if chosen.kind not in HANDLING_KINDS or not chosen.is_active:
            raise Refusal(
                "not_a_handling_unit",
                _("Cases are dispatched to an active department or street office."),
            )
    if len({u.pk for u in co_units} | {unit.pk}) != len(co_units) + 1:
        raise Refusal("repeated_unit", _("Name each unit once, the lead unit not again."))
    reason = clean_text(reason)

    def change(case: Case, now: datetime) -> Step:
        override = case.suggested_unit_id is not None and unit.pk != case.suggested_unit_id
        if override and not reason:
            raise Refusal(
                "override_reason_required",
                _("Say why the case goes to another unit than the suggested one."),
            )
        case.responsible_unit, case.team = unit, None
        case.status, case.dispatched_at = Status.DISPATCHED, now
        case.dispatch_count += 1
        deadlines.start_handling(case, now)
        case.co_handlings.all().delete()
        CoHandling.objects.bulk_create([CoHandling(case=case, unit=u) for u in co_units])
        data = {
            "unit": unit.code,
            "co_units": [u.code for u in co_units] or None,
            "suggested": case.suggested_unit.code if case.suggested_unit else None,
            "basis": case.suggestion_basis or None,
            "override": override,
        }
        return Step(data, [unit, *co_units])

    return act(case, actor=actor, verb="dispatch", change=change, reason=reason, now=now)


def decide_return(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """回退审批: approved, the case waits for dispatch again (counted against the unit)."""

    def change(case: Case, now: datetime) -> Step:
        take_request(case, PendingRequest.RETURN)
        tell = unit_list(case)
        if approve:
            case.status, case.return_count = Status.FILED, case.return_count + 1
            _release(case)
        return Step({"approved": approve}, tell)

    reason = clean_text(reason)
    return act(case, actor=actor, verb="decide_return", change=change, reason=reason, now=now)


def _release(case: Case) -> None:
    """The units let go of the case (returned, or reopened for filing again)."""
    case.responsible_unit, case.team, case.handling_due_at = None, None, None
    case.handled_at, case.urge_due_at = None, None
    case.co_handlings.all().delete()


def decide_extension(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        minutes = case.pending_minutes or 0
        take_request(case, PendingRequest.EXTENSION)
        if approve:
            deadlines.extend_handling(case, minutes)
            case.extension_count += 1
        return Step({"approved": approve, "minutes": minutes}, unit_list(case))

    reason = clean_text(reason)
    return act(case, actor=actor, verb="decide_extension", change=change, reason=reason, now=now)


def decide_suspension(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        take_request(case, PendingRequest.SUSPENSION)
        if approve:
            deadlines.suspend_handling(case, now)
            case.status, case.suspension_count = Status.SUSPENDED, case.suspension_count + 1
        return Step({"approved": approve}, unit_list(case))

    reason = clean_text(reason)
    return act(case, actor=actor, verb="decide_suspension", change=change, reason=reason, now=now)


def resume_case(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """挂账恢复: back to handling; the time spent suspended does not count."""

    def change(case: Case, now: datetime) -> Step:
        deadlines.resume_handling(case, now)
        case.status = Status.HANDLING
        return Step({}, unit_list(case))

    return act(case, actor=actor, verb="resume", change=change, reason=clean_text(reason), now=now)


def urge_case(case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None) -> Case:
    """督办: press on an overdue or important case. A unit holding it must answer in time."""

    def change(case: Case, now: datetime) -> Step:
        case.urge_count += 1
        held = case.status in (Status.DISPATCHED, Status.HANDLING, Status.SUSPENDED)
        if held and case.responsible_unit_id is not None:
            deadlines.start_urge_reply(case, now)
        data = {"answer_due": moment(case.urge_due_at)}
        return Step(data, unit_list(case) or [supervision_center()])

    return act(case, actor=actor, verb="urge", change=change, reason=required(reason), now=now)


def decide_appeal(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """First review by the command center, final review by a leader; approval marks the case
    exempt in the statistics (the overdue itself stays on record)."""

    def change(case: Case, now: datetime) -> Step:
        review = (
            PendingRequest.APPEAL if actor.role == Role.DISPATCHER else PendingRequest.APPEAL_FINAL
        )
        take_request(case, review)
        if approve and review == PendingRequest.APPEAL:
            case.pending_request = PendingRequest.APPEAL_FINAL
        elif approve:
            case.exempt = True
        return Step({"approved": approve, "review": review}, unit_list(case))

    reason = clean_text(reason)
    return act(case, actor=actor, verb="decide_appeal", change=change, reason=reason, now=now)


# -- handling units ---------------------------------------------------------------------------


def sign_case(case: Case | str, *, actor: Actor, now: datetime | None = None) -> Case:
    """签收: the unit takes the case on."""

    def change(case: Case, now: datetime) -> Step:
        case.status = Status.HANDLING
        return Step({}, [])

    return act(case, actor=actor, verb="sign", change=change, now=now)


def assign_team(case: Case | str, *, actor: Actor, team: Unit, now: datetime | None = None) -> Case:
    def change(case: Case, now: datetime) -> Step:
        if team.kind != UnitKind.TEAM or team.parent_id != case.responsible_unit_id:
            raise Refusal("not_own_team", _("Choose one of your unit's own teams."))
        case.team = team
        return Step({"team": team.code}, [team])

    return act(case, actor=actor, verb="assign_team", change=change, now=now)


def feedback_case(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """处置反馈: the unit reports the problem handled (with after-photos)."""

    def change(case: Case, now: datetime) -> Step:
        # Reporting the problem handled answers an urging still waiting for an answer.
        due, case.urge_due_at = case.urge_due_at, None
        case.status, case.handled_at = Status.HANDLED, now
        return Step({"urge_due": moment(due)}, [supervision_center()])

    return act(case, actor=actor, verb="feedback", change=change, reason=required(reason), now=now)


def co_feedback(case: Case | str, *, actor: Actor, reply: str, now: datetime | None = None) -> Case:
    """协办反馈: a co-handling unit reports its part to the lead unit."""
    reply = required(reply)

    def change(case: Case, now: datetime) -> Step:
        assert actor.post is not None
        unit_id = actor.post.unit.handling_unit.pk
        case.co_handlings.filter(unit_id=unit_id).update(replied_at=now, reply=reply)
        return Step({"unit": actor.post.unit.handling_unit.code}, unit_list(case))

    return act(case, actor=actor, verb="co_feedback", change=change, reason=reply, now=now)


def return_case(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """回退: not this unit's business; the dispatcher decides. A case is returned at most
    MAX_RETURNS times: after that the command center coordinates instead."""

    def guard(case: Case, now: datetime) -> None:
        if case.return_count >= settings.MAX_RETURNS:
            raise Refusal(
                "return_limit",
                _("This case was returned %(n)d times already; ask the command center.")
                % {"n": case.return_count},
                409,
            )

    return open_request(
        case,
        actor=actor,
        verb="return_case",
        kind=PendingRequest.RETURN,
        reason=reason,
        now=now,
        guard=guard,
    )


def request_extension(
    case: Case | str, *, actor: Actor, minutes: int, reason: str, now: datetime | None = None
) -> Case:
    """延期申请: more handling time, in the handling limit's own clock; at most
    MAX_EXTENSION_MINUTES at a time and MAX_EXTENSIONS in all."""
    largest = settings.MAX_EXTENSION_MINUTES
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= largest:
        raise Refusal(
            "bad_minutes",
            _("Ask for a whole number of minutes from 1 to %(max)d.") % {"max": largest},
        )

    def guard(case: Case, now: datetime) -> None:
        if case.extension_count >= settings.MAX_EXTENSIONS:
            raise Refusal(
                "extension_limit",
                _("This case was extended %(n)d times already.") % {"n": case.extension_count},
                409,
            )

    return open_request(
        case,
        actor=actor,
        verb="request_extension",
        kind=PendingRequest.EXTENSION,
        reason=reason,
        now=now,
        minutes=minutes,
        guard=guard,
    )


def request_suspension(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """挂账申请: cannot be solved within any limit (works, season); the timer would stop."""
    return open_request(
        case,
        actor=actor,
        verb="request_suspension",
        kind=PendingRequest.SUSPENSION,
        reason=reason,
        now=now,
    )


def answer_urge(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """督办回复: the urged unit answers; the event keeps whether it answered in time."""

    def change(case: Case, now: datetime) -> Step:
        due = case.urge_due_at
        if due is None:
            raise Refusal("no_urging", _("No urging waits for an answer on this case."), 409)
        case.urge_due_at = None
        return Step({"due": moment(due), "on_time": now <= due}, [command_center()])

    return act(
        case, actor=actor, verb="answer_urge", change=change, reason=required(reason), now=now
    )


def appeal_overdue(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """超时申诉: the unit asks that an overdue not count against it (two reviews)."""

    def guard(case: Case, now: datetime) -> None:
        if not case.is_overdue(now) or case.exempt:
            raise Refusal("not_overdue", _("Only an overdue case can be appealed, once."), 409)

    return open_request(
        case,
        actor=actor,
        verb="appeal_overdue",
        kind=PendingRequest.APPEAL,
        reason=reason,
        now=now,
        guard=guard,
    )
