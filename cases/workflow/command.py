"""The command center's verbs (指挥中心): dispatch, decide on requests, resume, urge.

See cases/workflow/__init__.py for what every verb does on its way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext as _

from cases import deadlines
from cases.audit import moment
from cases.models import (
    Case,
    CoHandling,
    PendingRequest,
    Status,
)
from cases.steps import (
    Step,
    act,
    clean_text,
    release_units,
    required,
    supervision_center,
    take_request,
    unit_list,
)
from org.access import Actor, Refusal
from org.models import HANDLING_KINDS, Unit

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
    reason = clean_text(reason)  # an override needs one: blanks are none

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
        deadlines.start_handling(case, now)  # no co-handlers yet: release_units let them go
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
        take_request(case)
        tell = unit_list(case)
        if approve:
            case.status, case.return_count = Status.FILED, case.return_count + 1
            release_units(case)
        return Step({"approved": approve}, tell)

    return act(case, actor=actor, verb="decide_return", change=change, reason=reason, now=now)


def decide_extension(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        minutes = take_request(case)[1]
        if approve:
            deadlines.extend_handling(case, minutes or 0)
            case.extension_count += 1
        return Step({"approved": approve, "minutes": minutes}, unit_list(case))

    return act(case, actor=actor, verb="decide_extension", change=change, reason=reason, now=now)


def decide_suspension(
    case: Case | str, *, actor: Actor, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        take_request(case)
        if approve:
            deadlines.suspend_handling(case, now)
            case.status, case.suspension_count = Status.SUSPENDED, case.suspension_count + 1
        return Step({"approved": approve}, unit_list(case))

    return act(case, actor=actor, verb="decide_suspension", change=change, reason=reason, now=now)


def resume_case(
    case: Case | str, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Case:
    """挂账恢复: back to handling; the time spent suspended does not count."""

    def change(case: Case, now: datetime) -> Step:
        deadlines.resume_handling(case, now)
        case.status = Status.HANDLING
        return Step({}, unit_list(case))

    return act(case, actor=actor, verb="resume", change=change, reason=reason, now=now)


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
        review = take_request(case)[0]
        if approve and review == PendingRequest.APPEAL:
            case.pending_request = PendingRequest.APPEAL_FINAL
        elif approve:
            case.exempt = True
        return Step({"approved": approve, "review": review}, unit_list(case))

    return act(case, actor=actor, verb="decide_appeal", change=change, reason=reason, now=now)
