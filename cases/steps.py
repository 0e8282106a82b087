"""The common path of every workflow verb (cases/workflow/): lock the case, check the state
machine (cases/transitions.py), change the case, move its deadlines, append the hash-chained
event with the deadlines in force and the state after, and notify.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import component_status, deadlines
from cases.audit import case_state, seal
from cases.models import (
    TEXT_MAX,
    Case,
    CaseEvent,
    PendingRequest,
    Task,
    TaskOutcome,
    outcome_of,
)
from cases.notify import notify
from cases.signals import case_changed
from cases.transitions import TRANSITIONS, check_allowed, check_role
from lib.text import has_control_characters
from org.access import Actor, Refusal
from org.models import Membership, Person, Unit, UnitKind
from org.roles import Role


@dataclass
class Step:
    """What a verb did, for its event: the extra details and who is told."""

    data: dict[str, Any]
    tell: list[Unit | Person]


type Change = Callable[[Case, datetime], Step]


def act(
    case_or_number: Case | str,
    *,
    actor: Actor,
    verb: str,
    change: Change,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    now, reason = now or timezone.now(), clean_text(reason)  # refused before anything is locked
    check_role(actor, verb)  # a post the verb is never for: refused before the lock too
    with transaction.atomic():
        case = lock_case(case_or_number)
        check_allowed(case, actor, verb, now)
        before, due_then = case.status, (case.due_at, case.handling_due_at)
        held = component_status.holds(case.status, case.verified)
        step = change(case, now)
        if not TRANSITIONS[verb].allows_target(before, case.status):
            raise AssertionError(f"{verb} moved case {case.number} from {before} to {case.status}")
        deadlines.follow(case, before, now)
        event = append_event(case, verb, actor, before, now, reason, step.data, due_then)
        case.save()
        component_status.follow(case, held, actor, verb, now)
        for recipient in step.tell:
            notify(case, verb, recipient)
        # Inside the transaction: what the apps above write about the change (a partner's
        # status push) commits with it, in the case lock's order, or not at all.
        case_changed.send(Case, case=case, verb=verb, event=event)
    return case


def open_request(
    case: Case | str,
    *,
    actor: Actor,
    verb: str,
    kind: str,
    reason: str,
    now: datetime | None,
    minutes: int | None = None,
    guard: Callable[[Case, datetime], None] | None = None,
) -> Case:
    """A request that waits for a decision (void, return, extension, suspension, appeal)."""
    reason = required(reason)

    def change(case: Case, now: datetime) -> Step:
        if guard is not None:
            guard(case, now)
        case.pending_request, case.pending_minutes = kind, minutes
        deciders = supervision_center() if kind == PendingRequest.VOID else command_center()
        return Step({"request": kind, "minutes": minutes}, [deciders])

    return act(case, actor=actor, verb=verb, change=change, reason=reason, now=now)


def take_request(case: Case) -> tuple[str, int | None]:
    """The request being decided, cleared from the case (check_allowed has made sure it is
    the deciding verb's, and the deciding post's)."""
    taken = case.pending_request, case.pending_minutes
    case.pending_request, case.pending_minutes = "", None
    return taken


def lock_case(case_or_number: Case | str) -> Case:
    number = case_or_number.number if isinstance(case_or_number, Case) else case_or_number
    related = ("condition", "responsible_unit")  # what the verbs read and notify
    locked = Case.objects.select_for_update(of=("self",)).select_related(*related)
    case = locked.by_number(number)
    if case is None:
        raise Refusal("no_such_case", _("There is no case %(number)s.") % {"number": number}, 404)
    return case


def append_event(
    case: Case,
    verb: str,
    actor: Actor | None,
    from_status: str,
    now: datetime,
    reason: str,
    data: dict[str, Any],
    due_then: tuple[datetime | None, datetime | None] = (None, None),
) -> CaseEvent:
    """Append the event to the case's chain; the caller saves the case (its audit head)."""
    event = new_event(case, verb, actor, from_status, now, reason, data, due_then)
    event.save(force_insert=True)
    return event


def note(case: Case, verb: str, actor: Actor, now: datetime, data: dict[str, Any]) -> None:
    """An event that changes nothing of the case but its trail (a photo, a contact shown)."""
    due_then = (case.due_at, case.handling_due_at)
    append_event(case, verb, actor, case.status, now, "", data, due_then)
    case.save(update_fields=["audit_head"])


def new_event(
    case: Case,
    verb: str,
    actor: Actor | None,
    from_status: str,
    now: datetime,
    reason: str,
    data: dict[str, Any],
    due_then: tuple[datetime | None, datetime | None] = (None, None),
) -> CaseEvent:
    """The case's next event, sealed into its chain, with the deadlines in force when it
    happened and the case's state after it (not saved yet)."""
    first = not case.audit_head  # a new case: no need to ask for the last sequence
    last = 0 if first else case.events.aggregate(last=Max("sequence"))["last"] or 0
    event = CaseEvent(
        case=case,
        sequence=last + 1,
        verb=verb,
        actor=actor.user if actor else None,
        role=actor.role if actor else "",
        unit=actor.unit if actor else None,
        at=now,
        from_status=from_status,
        to_status=case.status,
        reason=reason,
        data={k: v for k, v in data.items() if v is not None},
        step_due_at=due_then[0],
        handling_due_at=due_then[1],
        state=case_state(case),
        responsible_unit_id=case.responsible_unit_id,
    )
    event.outcome = outcome_of(event.data)
    seal(case, event)
    return event


def clean_text(text: str, *, limit: int = TEXT_MAX) -> str:
    """Text as people typed it, stripped; refused if too long or holding control characters
    (a NUL cannot even be stored by PostgreSQL)."""
    text = text.strip()
    if has_control_characters(text):
        raise Refusal("bad_characters", _("The text holds control characters."))
    if len(text) > limit:
        raise Refusal(
            "text_too_long",
            _("The text is too long: at most %(limit)d characters.") % {"limit": limit},
        )
    return text


def required(reason: str) -> str:
    reason = clean_text(reason)
    if not reason:
        raise Refusal("reason_required", _("Give a reason."))
    return reason


def check_inspector(person: Person) -> None:
    if not Membership.objects.active().filter(person=person, role=Role.INSPECTOR).exists():
        raise Refusal(
            "not_an_inspector", _("%(name)s is not an inspector on duty.") % {"name": person.name}
        )


def open_task(case: Case, kind: str, inspector: Person, now: datetime) -> Task:
    due = deadlines.task_due(kind, urgent=case.is_urgent, now=now)
    return Task.objects.create(
        case=case, kind=kind, inspector=inspector, created_at=now, due_at=due
    )


def finish_task(case: Case, kind: str, outcome: str, now: datetime) -> None:
    """Close the open task (the state machine checked that it is the actor's)."""
    case.tasks.filter(kind=kind, done_at__isnull=True).update(done_at=now, outcome=outcome)


def cancel_open_task(case: Case, now: datetime) -> None:
    case.tasks.filter(done_at__isnull=True).update(done_at=now, outcome=TaskOutcome.CANCELLED)


def release_units(case: Case) -> None:
    """The units let go of the case (returned, or reopened for filing again)."""
    case.responsible_unit, case.team, case.handling_due_at = None, None, None
    case.handled_at, case.urge_due_at = None, None
    case.co_handlings.all().delete()


def unit_list(case: Case) -> list[Unit | Person]:
    return [case.responsible_unit] if case.responsible_unit else []


def supervision_center() -> Unit:
    return _center(Role.ACCEPTOR)


def command_center() -> Unit:
    return _center(Role.DISPATCHER)


def _center(role: str) -> Unit:
    centers = Unit.objects.filter(kind=UnitKind.CENTER)
    center = centers.filter(memberships__role=role).first() or centers.first()
    if center is None:
        raise Refusal("no_center", _("The organisation has no supervision and command center."))
    return center
