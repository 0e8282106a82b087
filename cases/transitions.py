"""The state machine of a case: for each verb, the statuses it starts from, the statuses it may
leave the case in, and who may call it (STANDARDS.md §4, DESIGN.md §4).

Who may call a verb is a set of posts plus the actor's part in the case: the supervision and
command centers act on any case of their data scope; a unit's handlers act on the cases their
unit leads (主办) or co-handles (协办); an inspector acts on the tasks sent to them and on the
problems they reported. `get_case_for` gives a case together with the verbs an actor may call
on it now: the consoles show exactly those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases.models import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    Case,
    Channel,
    CoHandling,
    PendingRequest,
    Status,
    Task,
    TaskKind,
    Verb,
)
from org.access import Actor, ActorKind, Refusal
from org.roles import Role

R, S = Role, Status
HANDLERS = frozenset({R.HANDLER, R.UNIT_ADMIN})


class Part(StrEnum):
    """The actor's part in a case that a verb asks for, besides its post."""

    SCOPE = "scope"  # the case is in the post's data scope (the centers: the whole district)
    LEAD = "lead"  # the actor's unit leads the handling (主办)
    CO = "co"  # the actor's unit co-handles the case (协办)
    TASK = "task"  # the open verify or check task was sent to the actor
    REPORTER = "reporter"  # the actor is the inspector who reported it


@dataclass(frozen=True)
class Transition:
    verb: str
    roles: frozenset[str]
    sources: frozenset[str]
    targets: frozenset[str]  # statuses the verb may move the case to
    stays: bool  # whether the status may also stay as it was (requests, decisions, notes)
    part: Part

    def allows_target(self, before: str, after: str) -> bool:
        return after in self.targets or (self.stays and after == before)


def _t(
    verb: str,
    roles: Iterable[str],
    sources: Iterable[str],
    targets: Iterable[str] = (),
    *,
    stays: bool = False,
    part: Part = Part.SCOPE,
) -> Transition:
    return Transition(verb, frozenset(roles), frozenset(sources), frozenset(targets), stays, part)


HANDLING_STEPS = (S.FILED, S.DISPATCHED, S.HANDLING, S.HANDLED, S.CHECKING, S.CHECKED)
TABLE: tuple[Transition, ...] = (
    # 监督中心 supervision center: receive, verify, accept, file, check, close, call back
    _t("send_verify", {R.ACCEPTOR}, {S.REPORTED}, {S.VERIFYING}),
    _t("verify", {R.INSPECTOR}, {S.VERIFYING}, {S.REPORTED}, part=Part.TASK),
    _t("self_handle", {R.INSPECTOR}, {S.REPORTED}, {S.SELF_HANDLED}, part=Part.REPORTER),
    _t("accept", {R.ACCEPTOR}, {S.REPORTED}, {S.ACCEPTED}),
    _t("decline", {R.ACCEPTOR}, {S.REPORTED}, {S.DECLINED}),
    _t("merge", {R.ACCEPTOR, R.SHIFT_LEADER}, {S.REPORTED, S.VERIFYING, S.ACCEPTED}, {S.MERGED}),
    _t("file", {R.SHIFT_LEADER}, {S.ACCEPTED}, {S.FILED}),
    _t("reject", {R.SHIFT_LEADER}, {S.ACCEPTED, S.SELF_HANDLED}, {S.REJECTED}),
    _t("request_void", {R.ACCEPTOR, R.DISPATCHER}, OPEN_STATUSES, stays=True),
    _t("decide_void", {R.SHIFT_LEADER}, OPEN_STATUSES, {S.VOIDED}, stays=True),
    _t("send_check", {R.ACCEPTOR}, {S.HANDLED}, {S.CHECKING}),
    _t("check", {R.INSPECTOR}, {S.CHECKING}, {S.CHECKED, S.HANDLING}, part=Part.TASK),
    _t("close", {R.SHIFT_LEADER}, {S.CHECKED, S.SELF_HANDLED}, {S.CLOSED}),
    _t("close_special", {R.SHIFT_LEADER}, {*HANDLING_STEPS, S.SUSPENDED}, {S.CLOSED}),
    # 回访: the acceptor calls the reporter, or the reporter rates it on the public portal.
    _t("callback", {R.ACCEPTOR, ActorKind.PUBLIC}, {S.CLOSED}, {S.ACCEPTED}, stays=True),
    # 指挥中心 command center: dispatch, decide on requests, urge
    _t("dispatch", {R.DISPATCHER}, {S.FILED}, {S.DISPATCHED}),
    _t("decide_return", {R.DISPATCHER}, {S.DISPATCHED, S.HANDLING}, {S.FILED}, stays=True),
    _t("decide_extension", {R.DISPATCHER}, {S.HANDLING}, stays=True),
    _t("decide_suspension", {R.DISPATCHER}, {S.HANDLING}, {S.SUSPENDED}, stays=True),
    _t("resume", {R.DISPATCHER}, {S.SUSPENDED}, {S.HANDLING}),
    _t("urge", {R.DISPATCHER, R.LEADER}, ACTIVE_STATUSES, stays=True),
    _t("decide_appeal", {R.DISPATCHER, R.LEADER}, {*ACTIVE_STATUSES, S.CLOSED}, stays=True),
    # 专业部门 / 街道 handling units
    _t("sign", HANDLERS, {S.DISPATCHED}, {S.HANDLING}, part=Part.LEAD),
    _t("assign_team", HANDLERS, {S.HANDLING}, stays=True, part=Part.LEAD),
    _t("feedback", HANDLERS, {S.HANDLING}, {S.HANDLED}, part=Part.LEAD),
    _t("return_case", HANDLERS, {S.DISPATCHED, S.HANDLING}, stays=True, part=Part.LEAD),
    _t("request_extension", HANDLERS, {S.HANDLING}, stays=True, part=Part.LEAD),
    _t("request_suspension", HANDLERS, {S.HANDLING}, stays=True, part=Part.LEAD),
    _t(
        "answer_urge", HANDLERS, {S.DISPATCHED, S.HANDLING, S.SUSPENDED}, stays=True, part=Part.LEAD
    ),
    _t("appeal_overdue", HANDLERS, {*ACTIVE_STATUSES, S.CLOSED}, stays=True, part=Part.LEAD),
    _t("co_feedback", HANDLERS, {S.DISPATCHED, S.HANDLING}, stays=True, part=Part.CO),
)
TRANSITIONS: dict[str, Transition] = {transition.verb: transition for transition in TABLE}

# The decision each pending request waits for. While one waits, only that decision and the
# verbs that never move a case forward may act.
DECISIONS = {
    PendingRequest.VOID: "decide_void",
    PendingRequest.RETURN: "decide_return",
    PendingRequest.EXTENSION: "decide_extension",
    PendingRequest.SUSPENSION: "decide_suspension",
    PendingRequest.APPEAL: "decide_appeal",
    PendingRequest.APPEAL_FINAL: "decide_appeal",
}
ALWAYS = frozenset({"urge", "answer_urge", "co_feedback"})
DECIDERS = frozenset(DECISIONS.values())
# An overdue appeal is reviewed twice, each time by another post.
REVIEWER = {PendingRequest.APPEAL: R.DISPATCHER, PendingRequest.APPEAL_FINAL: R.LEADER}


def check_role(actor: Actor, verb: str) -> None:
    """Refuse the verb to a post it is not for, whatever the case."""
    if actor.role not in TRANSITIONS[verb].roles:
        raise Refusal(
            "wrong_role",
            _("As %(role)s you cannot do this (%(verb)s).")
            % {"role": actor.role_label, "verb": Verb(verb).label},
            403,
        )


def check_allowed(case: Case, actor: Actor, verb: str, now: datetime) -> None:
    """Refuse the verb unless the actor may call it on the case as it is `now`."""
    check_role(actor, verb)
    transition = TRANSITIONS[verb]
    personal = transition.part in (Part.TASK, Part.REPORTER)
    if not personal:  # whose case it is comes first: nothing is told about others' cases
        _check_part(case, actor, transition.part)
    if case.status not in transition.sources:
        raise Refusal(
            "invalid_transition",
            _("Case %(number)s is %(status)s now: this action is not possible.")
            % {"number": case.number, "status": case.get_status_display()},
            409,
        )
    waiting = case.pending_request
    awaited = DECISIONS[PendingRequest(waiting)] if waiting else None
    if verb in DECIDERS and verb != awaited:
        raise Refusal("no_such_request", _("There is no such request to decide on this case."), 409)
    reviewer = REVIEWER.get(PendingRequest(waiting)) if waiting else None
    if verb == awaited and reviewer and actor.role != reviewer:
        raise Refusal(
            "not_your_review",
            _("This request waits for the review of another post (%(role)s).")
            % {"role": R(reviewer).label},
            403,
        )
    if verb == awaited and reviewer and not actor.scope.whole_district:
        # A street's leader would exempt its own units' overdue cases from their evaluation.
        raise Refusal(
            "not_your_review",
            _("Overdue appeals are reviewed by the district's leaders."),
            403,
        )
    if waiting and verb != awaited and verb not in ALWAYS:
        raise Refusal(
            "request_pending",
            _("Case %(number)s waits for a decision on a request (%(request)s) first.")
            % {"number": case.number, "request": case.get_pending_request_display()},
            409,
        )
    if personal:
        _check_part(case, actor, transition.part)
    _check_conditions(case, verb, now)


def _check_part(case: Case, actor: Actor, part: Part) -> None:
    scope = actor.scope
    if actor.post is None:  # the public or a partner: only the case it holds
        if not actor.holds or actor.holds != case.number:
            raise _out_of_scope(case)
    elif part == Part.TASK:
        kind = TaskKind.VERIFY if case.status == S.VERIFYING else TaskKind.CHECK
        if not holds_task(case, actor, kind):
            raise Refusal("not_your_task", _("This task was sent to another inspector."), 403)
    elif part == Part.REPORTER:
        if actor.user is None or case.reporter_id != actor.user.pk:
            raise Refusal(
                "not_reporter",
                _("Only the inspector who reported it may handle it on the spot."),
                403,
            )
    elif part == Part.LEAD:
        if case.responsible_unit_id not in scope.unit_ids:
            raise _out_of_scope(case)
    elif part == Part.CO:
        co = CoHandling.objects.filter(case=case, unit_id__in=scope.unit_ids)
        if not scope.unit_ids or not co.exists():
            raise Refusal("not_co_handling", _("Your unit does not co-handle this case."), 403)
    elif not scope.covers(
        responsible_unit_id=case.responsible_unit_id, territory_unit_id=case.territory_unit_id
    ):
        raise _out_of_scope(case)


def _out_of_scope(case: Case) -> Refusal:
    return Refusal(
        "out_of_scope",
        _("Case %(number)s is not one of your unit's cases.") % {"number": case.number},
        403,
    )


def holds_task(case: Case, actor: Actor, kind: str) -> bool:
    """Whether the case's open task of this kind was sent to the actor."""
    open_task = Task.objects.filter(case=case, kind=kind, done_at__isnull=True)
    return actor.person is not None and open_task.filter(inspector=actor.person).exists()


@dataclass(frozen=True)
class Condition:
    """What the case itself must show for a verb, besides its status, and the refusal if not."""

    holds: Callable[[Case, datetime], bool]
    code: str
    message: Promise
    status: int = 409


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "accept": (
        Condition(
            lambda case, now: not case.is_public or case.verified is True,
            "not_verified",
            _lazy("A report from the public is accepted only after an inspector verified it."),
        ),
    ),
    "self_handle": (
        Condition(
            lambda case, now: case.channel == Channel.INSPECTOR,
            "not_reporter",
            _lazy("Only the inspector who reported it may handle it on the spot."),
            403,
        ),
    ),
    "callback": (
        Condition(
            lambda case, now: case.is_public,
            "no_callback",
            _lazy("Only reports from the public are called back."),
        ),
        Condition(
            lambda case, now: not case.satisfaction,
            "already_called_back",
            _lazy("This closing was already called back."),
        ),
    ),
    "answer_urge": (
        Condition(
            lambda case, now: case.urge_due_at is not None,
            "no_urging",
            _lazy("No urging waits for an answer on this case."),
        ),
    ),
    "appeal_overdue": (
        Condition(
            lambda case, now: case.is_overdue(now) and not case.exempt,
            "not_overdue",
            _lazy("Only an overdue case can be appealed, once."),
        ),
    ),
}


def _check_conditions(case: Case, verb: str, now: datetime) -> None:
    for condition in CONDITIONS.get(verb, ()):
        if not condition.holds(case, now):
            raise Refusal(condition.code, str(condition.message), condition.status)


def allowed_verbs(case: Case, actor: Actor) -> tuple[str, ...]:
    """The verbs the actor may call on the case now (a verb may still refuse its input)."""
    verbs, now = [], timezone.now()
    for transition in TABLE:
        try:
            check_allowed(case, actor, transition.verb, now)
        except Refusal:
            continue
        verbs.append(transition.verb)
    return tuple(verbs)


@dataclass(frozen=True)
class CaseInHand:
    """A case an actor may see, with the verbs it may call on it now."""

    case: Case
    verbs: tuple[str, ...]


def not_found(number: str) -> Refusal:
    # The same answer for a case that does not exist and one outside the actor's scope, so
    # numbers cannot be probed.
    return Refusal(
        "not_found",
        _("There is no case %(number)s among the cases you may see.") % {"number": number},
        404,
    )


def visible_case(actor: Actor, number: str, *, related: Iterable[str] = ()) -> Case:
    """The case if the actor may see it (404 otherwise)."""
    cases = Case.objects.visible_to(actor)
    related = tuple(related)
    case = (cases.select_related(*related) if related else cases).by_number(number)
    if case is None:
        raise not_found(number)
    return case


def get_case_for(actor: Actor, number: str, *, related: Iterable[str] = ()) -> CaseInHand:
    """The case if the actor may see it (404 otherwise), with the verbs it may call."""
    case = visible_case(actor, number, related=related)
    return CaseInHand(case, allowed_verbs(case, actor))
