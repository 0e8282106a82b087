"""The supervision center's verbs (监督中心): verify, accept, file, check, close, call back.

See cases/workflow/__init__.py for what every verb does on its way.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from cases import deadlines
from cases.models import (
    OPEN_STATUSES,
    Case,
    ClosingType,
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
    release_units,
    required,
    supervision_center,
    take_request,
    unit_list,
)
from catalog.models import FilingCondition, Urgency
from catalog.routing import suggest_unit
from org.access import Actor, Refusal
from org.models import Person

# -- supervision center: verify, accept, file ---------------------------------------------------

# The verb sending a task of each kind, and the status the case waits in meanwhile.
SENT: dict[str, tuple[str, str]] = {
    TaskKind.VERIFY: ("send_verify", Status.VERIFYING),
    TaskKind.CHECK: ("send_check", Status.CHECKING),
}


def send_verify(
    case: Case | str, *, actor: Actor, inspector: Person, now: datetime | None = None
) -> Case:
    """发核实: ask an inspector to confirm a public report on site."""
    return _send_task(case, actor, inspector, TaskKind.VERIFY, now)


def _send_task(
    case: Case | str, actor: Actor, inspector: Person, kind: str, now: datetime | None
) -> Case:
    verb, status = SENT[kind]

    def change(case: Case, now: datetime) -> Step:
        check_inspector(inspector)
        task = open_task(case, kind, inspector, now)
        case.status = status
        return Step({"inspector": inspector.user.username, "task": task.pk}, [inspector])

    return act(case, actor=actor, verb=verb, change=change, now=now)


def verify_report(
    case: Case | str, *, actor: Actor, found: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """核实: the inspector confirms the problem exists, or that it does not."""

    def change(case: Case, now: datetime) -> Step:
        outcome = TaskOutcome.CONFIRMED if found else TaskOutcome.DENIED
        finish_task(case, TaskKind.VERIFY, outcome, now)
        case.verified, case.status = found, Status.REPORTED
        return Step({"found": found}, [supervision_center()])

    return act(case, actor=actor, verb="verify", change=change, reason=reason, now=now)


def self_handle(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """自处理: the reporting inspector fixed a trivial problem on the spot."""

    def change(case: Case, now: datetime) -> Step:
        case.status, case.handled_at = Status.SELF_HANDLED, now
        return Step({}, [supervision_center()])

    return act(case, actor=actor, verb="self_handle", change=change, reason=reason, now=now)


def accept_case(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """受理: the supervision center takes the report on, for the shift leader to file."""

    def change(case: Case, now: datetime) -> Step:
        case.status = Status.ACCEPTED
        return Step({}, [])

    return act(case, actor=actor, verb="accept", change=change, reason=reason, now=now)


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
        target = Case.objects.visible_to(actor).by_number(number)
        if target is None or target.pk == case.pk or target.status not in OPEN_STATUSES:
            raise Refusal("bad_merge_target", _("A case merges only into another open case."), 409)
        cancel_open_task(case, now)
        case.merged_into, case.status, case.closed_at = target, Status.MERGED, now
        return Step({"into": target.number}, [])

    return act(case, actor=actor, verb="merge", change=change, reason=reason, now=now)


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

    return act(case, actor=actor, verb="file", change=change, reason=reason, now=now)


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
        take_request(case)
        if approve:
            cancel_open_task(case, now)
            case.status, case.closed_at, case.urge_due_at = Status.VOIDED, now, None
        return Step({"approved": approve}, [])

    return act(case, actor=actor, verb="decide_void", change=change, reason=reason, now=now)


# -- supervision center: check, close, call back ------------------------------------------------


def send_check(
    case: Case | str, *, actor: Actor, inspector: Person, now: datetime | None = None
) -> Case:
    """发核查: ask an inspector to check the result on site."""
    return _send_task(case, actor, inspector, TaskKind.CHECK, now)


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

    return act(case, actor=actor, verb="close", change=change, reason=reason, now=now)


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
        if satisfaction != Satisfaction.DISSATISFIED:
            case.satisfaction = satisfaction
            return Step({"satisfaction": satisfaction}, [])
        # The rating belongs to the closing it judged (its event keeps it): the next closing
        # of the reopened case is called back afresh.
        case.satisfaction = ""
        case.status, case.closing_type, case.closed_at = Status.ACCEPTED, "", None
        case.reopen_count += 1
        release_units(case)
        return Step({"satisfaction": satisfaction, "reopened": True}, [supervision_center()])

    return act(case, actor=actor, verb="callback", change=change, reason=reason, now=now)
