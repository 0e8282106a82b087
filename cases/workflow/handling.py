"""The handling units' verbs (专业部门、街道): sign, assign a team, report back, co-handle,
return, ask for time, answer an urging, appeal.

See cases/workflow/__init__.py for what every verb does on its way.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from cases.audit import moment
from cases.models import (
    Case,
    PendingRequest,
    Status,
)
from cases.steps import (
    Step,
    act,
    command_center,
    open_request,
    required,
    supervision_center,
    unit_list,
)
from org.access import Actor, Refusal
from org.models import Unit, UnitKind

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
        unit = actor.post.unit.handling_unit
        case.co_handlings.filter(unit=unit).update(replied_at=now, reply=reply)
        return Step({"unit": unit.code}, unit_list(case))

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
        due, case.urge_due_at = case.urge_due_at, None
        assert due is not None  # the state machine's condition for answering
        return Step({"due": moment(due), "on_time": now <= due}, [command_center()])

    return act(
        case, actor=actor, verb="answer_urge", change=change, reason=required(reason), now=now
    )


def appeal_overdue(
    case: Case | str, *, actor: Actor, reason: str, now: datetime | None = None
) -> Case:
    """超时申诉: the unit asks that an overdue not count against it (two reviews)."""
    return open_request(
        case, actor=actor, verb="appeal_overdue", kind=PendingRequest.APPEAL, reason=reason, now=now
    )
