"""The common path of every workflow verb (see cases/workflow.py): the transition table, the
post and scope checks, the row lock, the event chain and the notifications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines
from cases.audit import seal
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    PendingRequest,
    Status,
    Task,
    TaskOutcome,
)
from cases.notify import notify
from org.models import Membership, Person, Unit, UnitKind
from org.roles import Role

R = Role
HANDLERS = frozenset({R.HANDLER, R.UNIT_ADMIN})
ACTIVE = frozenset(OPEN_STATUSES) | {Status.SUSPENDED}


class WorkflowError(Exception):
    """A refused action. `code` is stable for machines; `message` is for people."""

    status_code = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class NotAllowed(WorkflowError):
    status_code = 403


class InvalidTransition(WorkflowError):
    status_code = 409


@dataclass(frozen=True)
class Transition:
    roles: frozenset[str]
    sources: frozenset[str]


def _t(roles: Iterable[str], sources: Iterable[str]) -> Transition:
    return Transition(frozenset(roles), frozenset(sources))


# Who may do what from which status. Targets are set by each verb (some have two outcomes).
TRANSITIONS: dict[str, Transition] = {
    "send_verify": _t({R.ACCEPTOR}, {Status.REPORTED}),
    "verify": _t({R.INSPECTOR}, {Status.VERIFYING}),
    "self_handle": _t({R.INSPECTOR}, {Status.REPORTED}),
    "file": _t({R.SHIFT_LEADER}, {Status.REPORTED}),
    "reject": _t({R.SHIFT_LEADER}, {Status.REPORTED, Status.SELF_HANDLED}),
    "request_void": _t({R.ACCEPTOR, R.DISPATCHER}, OPEN_STATUSES),
    "decide_void": _t({R.SHIFT_LEADER}, OPEN_STATUSES),
    "merge": _t({R.ACCEPTOR, R.SHIFT_LEADER}, {Status.REPORTED, Status.VERIFYING}),
    "dispatch": _t({R.DISPATCHER}, {Status.FILED}),
    "sign": _t(HANDLERS, {Status.DISPATCHED}),
    "assign_team": _t(HANDLERS, {Status.HANDLING}),
    "feedback": _t(HANDLERS, {Status.HANDLING}),
    "return_case": _t(HANDLERS, {Status.DISPATCHED, Status.HANDLING}),
    "decide_return": _t({R.DISPATCHER}, {Status.DISPATCHED, Status.HANDLING}),
    "request_extension": _t(HANDLERS, {Status.HANDLING}),
    "decide_extension": _t({R.DISPATCHER}, {Status.HANDLING}),
    "request_suspension": _t(HANDLERS, {Status.HANDLING}),
    "decide_suspension": _t({R.DISPATCHER}, {Status.HANDLING}),
    "resume": _t({R.DISPATCHER}, {Status.SUSPENDED}),
    "send_check": _t({R.ACCEPTOR}, {Status.HANDLED}),
    "check": _t({R.INSPECTOR}, {Status.CHECKING}),
    "close": _t({R.SHIFT_LEADER}, {Status.CHECKED, Status.SELF_HANDLED}),
    "urge": _t({R.DISPATCHER, R.LEADER}, ACTIVE),
    "appeal_overdue": _t(HANDLERS, ACTIVE | {Status.CLOSED}),
    "decide_appeal": _t({R.DISPATCHER, R.LEADER}, ACTIVE | {Status.CLOSED}),
}
# The decision each pending request waits for; while one waits, only it and urging may act.
DECISIONS = {
    PendingRequest.VOID: "decide_void",
    PendingRequest.RETURN: "decide_return",
    PendingRequest.EXTENSION: "decide_extension",
    PendingRequest.SUSPENSION: "decide_suspension",
    PendingRequest.APPEAL: "decide_appeal",
    PendingRequest.APPEAL_FINAL: "decide_appeal",
}


@dataclass
class Step:
    """What a verb did, for its event: the extra details and who is told."""

    data: dict[str, Any]
    tell: list[Unit | Person]


# -- the common path --------------------------------------------------------------------------


def act(
    case_or_number: Case | str,
    user: User,
    role: str,
    verb: str,
    change: Callable[[Case, datetime], Step],
    *,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    with transaction.atomic():
        membership = membership_for(user, role)
        case = lock_case(case_or_number)
        check_allowed(case, membership, verb)
        before = case.status
        step = change(case, now)
        if case.status != before:
            deadlines.start_step(case, now)
        elif case.status == Status.HANDLING:
            case.due_at = case.handling_due_at  # an extension moves the deadline
        append_event(case, verb, user, membership, before, now, reason, step.data)
        case.save()
        for recipient in step.tell:
            notify(case, verb, recipient)
    return case


def request(
    case_or_number: Case | str,
    user: User,
    role: str,
    verb: str,
    kind: str,
    reason: str,
    now: datetime | None,
    minutes: int | None = None,
    guard: Callable[[Case, datetime], None] | None = None,
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        if guard is not None:
            guard(case, now)
        case.pending_request, case.pending_minutes = kind, minutes
        deciders = supervision_center() if kind == PendingRequest.VOID else command_center()
        return Step({"request": kind, "minutes": minutes}, [deciders])

    return act(case_or_number, user, role, verb, change, reason=required(reason), now=now)


def take_request(case: Case, kind: str) -> None:
    if case.pending_request != kind:
        raise InvalidTransition(
            "no_such_request", _("There is no such request to decide on this case.")
        )
    case.pending_request, case.pending_minutes = "", None


def check_allowed(case: Case, membership: Membership, verb: str) -> None:
    transition = TRANSITIONS[verb]
    if membership.role not in transition.roles:
        raise NotAllowed(
            "wrong_role",
            _("As %(role)s you cannot do this (%(verb)s).")
            % {"role": membership.get_role_display(), "verb": verb},
        )
    scope = membership.data_scope
    if not scope.covers(
        responsible_unit_id=case.responsible_unit_id, territory_unit_id=case.territory_unit_id
    ):
        raise NotAllowed(
            "out_of_scope",
            _("Case %(number)s is not one of your unit's cases.") % {"number": case.number},
        )
    if case.status not in transition.sources:
        raise InvalidTransition(
            "invalid_transition",
            _("Case %(number)s is %(status)s now: this action is not possible.")
            % {"number": case.number, "status": case.get_status_display()},
        )
    waiting = case.pending_request
    if waiting and verb not in (DECISIONS[PendingRequest(waiting)], "urge"):
        raise InvalidTransition(
            "request_pending",
            _("Case %(number)s waits for a decision on a request (%(request)s) first.")
            % {"number": case.number, "request": case.get_pending_request_display()},
        )


def membership_for(user: User | None, role: str | None) -> Membership:
    if user is None or role is None:
        raise NotAllowed("login_required", _("Sign in first."))
    membership = Membership.objects.for_user(user).filter(role=role).first()
    if membership is None:
        raise NotAllowed("no_such_post", _("You do not hold this post."))
    return membership


def lock_case(case_or_number: Case | str) -> Case:
    number = case_or_number.number if isinstance(case_or_number, Case) else case_or_number
    try:
        locked = Case.objects.select_for_update(of=("self",)).select_related("condition")
        return locked.get(number=number)
    except Case.DoesNotExist:
        raise WorkflowError(
            "no_such_case", _("There is no case %(number)s.") % {"number": number}
        ) from None


def get_case(number: str) -> Case:
    try:
        return Case.objects.get(number=number)
    except Case.DoesNotExist:
        raise WorkflowError(
            "no_such_case", _("There is no case %(number)s.") % {"number": number}
        ) from None


def append_event(
    case: Case,
    verb: str,
    user: User | None,
    membership: Membership | None,
    from_status: str,
    now: datetime,
    reason: str,
    data: dict[str, Any],
) -> None:
    """Append the event to the case's chain; the caller saves the case (its audit head)."""
    last = case.events.aggregate(last=Max("sequence"))["last"] or 0
    event = CaseEvent(
        case=case,
        sequence=last + 1,
        verb=verb,
        actor=user,
        role=membership.role if membership else "",
        unit=membership.unit if membership else None,
        at=now,
        from_status=from_status,
        to_status=case.status,
        reason=reason,
        data={k: v for k, v in data.items() if v is not None},
    )
    seal(case, event)
    event.save()


def required(reason: str) -> str:
    if not reason or not reason.strip():
        raise WorkflowError("reason_required", _("Give a reason."))
    return reason.strip()


def check_inspector(person: Person) -> None:
    if not Membership.objects.active().filter(person=person, role=R.INSPECTOR).exists():
        raise WorkflowError(
            "not_an_inspector", _("%(name)s is not an inspector on duty.") % {"name": person.name}
        )


def open_task(case: Case, kind: str, inspector: Person, now: datetime) -> Task:
    limit = deadlines.stage_limit(kind)
    return Task.objects.create(
        case=case, kind=kind, inspector=inspector, created_at=now, due_at=deadlines.add(now, limit)
    )


def finish_task(case: Case, user: User, kind: str, outcome: str, now: datetime) -> None:
    task = case.tasks.filter(kind=kind, done_at__isnull=True).select_related("inspector").first()
    if task is None or task.inspector.user_id != user.pk:
        raise NotAllowed("not_your_task", _("This task was sent to another inspector."))
    task.done_at, task.outcome = now, outcome
    task.save(update_fields=["done_at", "outcome"])


def cancel_open_task(case: Case, now: datetime) -> None:
    case.tasks.filter(done_at__isnull=True).update(done_at=now, outcome=TaskOutcome.CANCELLED)


def unit_list(case: Case) -> list[Unit | Person]:
    return [case.responsible_unit] if case.responsible_unit else []


def supervision_center() -> Unit:
    return (
        Unit.objects.filter(kind=UnitKind.CENTER, memberships__role=R.ACCEPTOR).distinct().first()
        or any_center()
    )


def command_center() -> Unit:
    return (
        Unit.objects.filter(kind=UnitKind.CENTER, memberships__role=R.DISPATCHER).distinct().first()
        or any_center()
    )


def any_center() -> Unit:
    center = Unit.objects.filter(kind=UnitKind.CENTER).first()
    if center is None:
        raise WorkflowError(
            "no_center", _("The organisation has no supervision and command center.")
        )
    return center
