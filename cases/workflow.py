"""Every way a case can change: one function per verb (STANDARDS.md §4, DESIGN.md §4).

Each verb checks the actor's post (role) and data scope, locks the case row, checks the
transition table, changes the case, restarts the step clock, appends a hash-chained CaseEvent
and schedules notifications for after the commit. Views, the API, the simulator and commands
call only these functions. Errors are WorkflowError with a stable `code` and a message in the
user's language; when one is raised nothing has been written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines
from cases.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PUBLIC_CHANNELS,
    Case,
    CaseNumber,
    Channel,
    ClosingType,
    PendingRequest,
    Status,
    TaskKind,
    TaskOutcome,
)
from cases.notify import notify
from cases.steps import (
    InvalidTransition,
    NotAllowed,
    R,
    Step,
    WorkflowError,
    act,
    append_event,
    cancel_open_task,
    check_inspector,
    command_center,
    finish_task,
    get_case,
    membership_for,
    open_task,
    request,
    required,
    supervision_center,
    take_request,
    unit_list,
)
from catalog.models import CaseType, FilingCondition, Urgency
from components.models import Component
from geo.lookup import OutsideDistrict, locate
from geo.messages import coordinate_error_text
from geo.models import Street
from lib.coords import CoordinateError
from org.models import Membership, Person, Unit, UnitKind

# -- intake -----------------------------------------------------------------------------------


def report(
    user: User | None,
    *,
    role: str | None,
    channel: str,
    description: str,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    case_type: CaseType | None = None,
    component: Component | None = None,
    address: str = "",
    request_id: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    is_urgent: bool = False,
    now: datetime | None = None,
) -> Case:
    """上报: a new case. A retry with the same `request_id` returns the first case."""
    if request_id:
        existing = _existing_report(request_id, user)
        if existing is not None:
            return existing
    membership = _reporting_post(user, role, channel)
    if not description.strip():
        raise WorkflowError("description_required", _("Describe the problem."))
    now = now or timezone.now()
    location = _locate(lon, lat, crs)
    street = Street.objects.select_related("office").get(pk=location.street_id)
    try:
        with transaction.atomic():
            case = Case(
                number=_next_number(now),
                request_id=request_id or None,
                channel=channel,
                status=Status.REPORTED,
                case_type=case_type or (component.case_type if component else None),
                component=component,
                description=description.strip(),
                address=address.strip(),
                point=location.point,
                grid_id=location.grid_id,
                community_id=location.community_id,
                street=street,
                territory_unit=street.office,
                reporter=user,
                contact_name=contact_name,
                contact_phone=contact_phone,
                is_urgent=is_urgent,
                created_at=now,
                step_started_at=now,
            )
            deadlines.start_step(case, now)
            case.save()
            append_event(case, "report", user, membership, "", now, "", {"crs": crs})
            case.save(update_fields=["audit_head"])
            notify(case, "report", supervision_center())
    except IntegrityError:
        # Another request with the same id won the race: that one is the report.
        existing = _existing_report(request_id, user) if request_id else None
        if existing is None:
            raise
        return existing
    return case


def _existing_report(request_id: str, user: User | None) -> Case | None:
    case = Case.objects.filter(request_id=request_id).first()
    if case is not None and case.reporter_id != (user.pk if user else None):
        raise WorkflowError(
            "request_id_taken", _("This request id was already used by someone else.")
        )
    return case


def _reporting_post(user: User | None, role: str | None, channel: str) -> Membership | None:
    if channel not in Channel.values:
        raise WorkflowError("unknown_channel", _("Unknown channel %(c)s.") % {"c": channel})
    if user is None:
        if channel in PUBLIC_CHANNELS:
            return None  # the public portal, a partner or a hotline record without an account
        raise NotAllowed("login_required", _("Sign in to report through this channel."))
    allowed = {R.INSPECTOR} if channel == Channel.INSPECTOR else {R.ACCEPTOR, R.SHIFT_LEADER}
    if channel == Channel.LEADER:
        allowed = {R.LEADER, R.ACCEPTOR}
    if role not in allowed:
        raise NotAllowed("wrong_role", _("Your post cannot report through this channel."))
    return membership_for(user, role)


@dataclass(frozen=True)
class _Location:
    point: Any
    grid_id: int
    community_id: int
    street_id: int


def _locate(lon: float, lat: float, crs: str) -> _Location:
    from shapely.geometry import Point

    from lib.coords import to_wgs84

    try:
        x, y = to_wgs84(lon, lat, crs)
        found = locate(x, y)
    except CoordinateError as error:
        raise WorkflowError("bad_position", coordinate_error_text(error)) from None
    except OutsideDistrict as error:
        raise WorkflowError("outside_district", str(error)) from None
    return _Location(Point(x, y), found.grid_id, found.community_id, found.street_id)


def _next_number(now: datetime) -> str:
    """Year + six-digit sequence, unique under concurrency on both databases."""
    year = timezone.localtime(now).year
    CaseNumber.objects.bulk_create([CaseNumber(year=year)], ignore_conflicts=True)
    counter = CaseNumber.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:06d}"


# -- supervision center -----------------------------------------------------------------------


def send_verify(
    case: Case | str, user: User, *, inspector: Person, now: datetime | None = None
) -> Case:
    """发核实: ask an inspector to confirm a public report on site."""

    def change(case: Case, now: datetime) -> Step:
        check_inspector(inspector)
        task = open_task(case, TaskKind.VERIFY, inspector, now)
        case.status = Status.VERIFYING
        return Step({"inspector": inspector.pk, "task": task.pk}, [inspector])

    return act(case, user, R.ACCEPTOR, "send_verify", change, now=now)


def verify(
    case: Case | str,
    user: User,
    *,
    found: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """核实: the inspector confirms the problem exists, or that it does not."""

    def change(case: Case, now: datetime) -> Step:
        finish_task(
            case, user, TaskKind.VERIFY, TaskOutcome.CONFIRMED if found else TaskOutcome.DENIED, now
        )
        case.verified = found
        case.status = Status.REPORTED
        return Step({"found": found}, [supervision_center()])

    return act(case, user, R.INSPECTOR, "verify", change, reason=reason, now=now)


def self_handle(
    case: Case | str, user: User, *, reason: str = "", now: datetime | None = None
) -> Case:
    """自处理: the reporting inspector fixed a trivial problem on the spot."""

    def change(case: Case, now: datetime) -> Step:
        if case.reporter_id != user.pk or case.channel != Channel.INSPECTOR:
            raise NotAllowed(
                "not_reporter", _("Only the inspector who reported it may handle it on the spot.")
            )
        case.status = Status.SELF_HANDLED
        case.handled_at = now
        return Step({}, [supervision_center()])

    return act(case, user, R.INSPECTOR, "self_handle", change, reason=reason, now=now)


def file(
    case: Case | str,
    user: User,
    *,
    condition: FilingCondition,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """立案: accept the case against a filing condition of its type."""

    def change(case: Case, now: datetime) -> Step:
        if case.channel in PUBLIC_CHANNELS and case.verified is not True:
            raise InvalidTransition(
                "not_verified",
                _("A report from the public is filed only after an inspector verified it."),
            )
        if not condition.case_type.is_active:
            raise WorkflowError("inactive_type", _("This type is no longer in use."))
        case.case_type, case.condition = condition.case_type, condition
        case.is_urgent = case.is_urgent or condition.urgency == Urgency.URGENT
        case.status, case.filed_at = Status.FILED, now
        return Step(
            {"condition": condition.pk, "type": condition.case_type.code}, [command_center()]
        )

    return act(case, user, R.SHIFT_LEADER, "file", change, reason=reason, now=now)


def reject(case: Case | str, user: User, *, reason: str, now: datetime | None = None) -> Case:
    """不予立案: not a case (not found, not the city's business, a duplicate…)."""

    def change(case: Case, now: datetime) -> Step:
        case.status, case.closed_at = Status.REJECTED, now
        return Step({}, [])

    return act(case, user, R.SHIFT_LEADER, "reject", change, reason=required(reason), now=now)


def request_void(
    case: Case | str, user: User, *, role: str, reason: str, now: datetime | None = None
) -> Case:
    """作废申请: an invalid case, for the shift leader to approve."""
    return request(case, user, role, "request_void", PendingRequest.VOID, reason, now)


def decide_void(
    case: Case | str,
    user: User,
    *,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        take_request(case, PendingRequest.VOID)
        if approve:
            cancel_open_task(case, now)
            case.status, case.closed_at = Status.VOIDED, now
        return Step({"approved": approve}, [])

    return act(case, user, R.SHIFT_LEADER, "decide_void", change, reason=reason, now=now)


def merge(
    case: Case | str,
    user: User,
    *,
    role: str,
    into: Case | str,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """合并: a duplicate report joins an open case about the same problem."""

    def change(case: Case, now: datetime) -> Step:
        target = into if isinstance(into, Case) else get_case(into)
        if target.pk == case.pk or target.status not in OPEN_STATUSES:
            raise InvalidTransition(
                "bad_merge_target", _("A case merges only into another open case.")
            )
        cancel_open_task(case, now)
        case.merged_into, case.status, case.closed_at = target, Status.MERGED, now
        return Step({"into": target.number}, [])

    return act(case, user, role, "merge", change, reason=reason, now=now)


# -- command center and handling units ---------------------------------------------------------


def dispatch(
    case: Case | str,
    user: User,
    *,
    unit: Unit,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """派遣: send the case to the unit responsible for it; the handling clock starts."""

    def change(case: Case, now: datetime) -> Step:
        if (
            unit.kind not in (UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.TOWNSHIP)
            or not unit.is_active
        ):
            raise WorkflowError(
                "not_a_handling_unit",
                _("Cases are dispatched to an active department or street office."),
            )
        suggestion = _routing(case)
        case.responsible_unit, case.team = unit, None
        case.routing_reason = suggestion
        case.near_boundary = _near_boundary(case)
        case.status, case.dispatched_at = Status.DISPATCHED, now
        case.dispatch_count += 1
        assert case.condition is not None
        case.handling_due_at = deadlines.add(now, deadlines.handling_limit(case.condition))
        return Step(
            {"unit": unit.pk, "suggested": suggestion, "near_boundary": case.near_boundary}, [unit]
        )

    return act(case, user, R.DISPATCHER, "dispatch", change, reason=reason, now=now)


def sign(
    case: Case | str, user: User, *, role: str = R.HANDLER, now: datetime | None = None
) -> Case:
    """签收: the unit takes the case on."""

    def change(case: Case, now: datetime) -> Step:
        case.status = Status.HANDLING
        return Step({}, [])

    return act(case, user, role, "sign", change, now=now)


def assign_team(
    case: Case | str,
    user: User,
    *,
    team: Unit,
    role: str = R.UNIT_ADMIN,
    now: datetime | None = None,
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        if team.kind != UnitKind.TEAM or team.parent_id != case.responsible_unit_id:
            raise WorkflowError("not_own_team", _("Choose one of your unit's own teams."))
        case.team = team
        return Step({"team": team.pk}, [team])

    return act(case, user, role, "assign_team", change, now=now)


def feedback(
    case: Case | str,
    user: User,
    *,
    reason: str,
    role: str = R.HANDLER,
    now: datetime | None = None,
) -> Case:
    """处置反馈: the unit reports the problem handled (with after-photos)."""

    def change(case: Case, now: datetime) -> Step:
        case.status, case.handled_at = Status.HANDLED, now
        return Step({}, [supervision_center()])

    return act(case, user, role, "feedback", change, reason=required(reason), now=now)


def return_case(
    case: Case | str,
    user: User,
    *,
    reason: str,
    role: str = R.HANDLER,
    now: datetime | None = None,
) -> Case:
    """回退: not this unit's business; the dispatcher decides."""
    return request(case, user, role, "return_case", PendingRequest.RETURN, reason, now)


def decide_return(
    case: Case | str,
    user: User,
    *,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        take_request(case, PendingRequest.RETURN)
        tell: list[Unit | Person] = [case.responsible_unit] if case.responsible_unit else []
        if approve:
            case.status, case.return_count = Status.FILED, case.return_count + 1
            case.responsible_unit, case.team, case.handling_due_at = None, None, None
        return Step({"approved": approve}, tell)

    return act(case, user, R.DISPATCHER, "decide_return", change, reason=reason, now=now)


def request_extension(
    case: Case | str,
    user: User,
    *,
    minutes: int,
    reason: str,
    role: str = R.HANDLER,
    now: datetime | None = None,
) -> Case:
    """延期申请: more handling time, in the handling limit's own clock."""
    if minutes <= 0:
        raise WorkflowError("bad_minutes", _("Ask for a positive number of minutes."))
    return request(
        case, user, role, "request_extension", PendingRequest.EXTENSION, reason, now, minutes
    )


def decide_extension(
    case: Case | str,
    user: User,
    *,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        minutes = case.pending_minutes or 0
        take_request(case, PendingRequest.EXTENSION)
        if approve and case.handling_due_at is not None and case.condition is not None:
            clock = deadlines.handling_limit(case.condition).clock
            case.handling_due_at = deadlines.add(
                case.handling_due_at, deadlines.Limit(minutes, clock)
            )
            case.extension_count += 1
        return Step({"approved": approve, "minutes": minutes}, unit_list(case))

    return act(case, user, R.DISPATCHER, "decide_extension", change, reason=reason, now=now)


def request_suspension(
    case: Case | str,
    user: User,
    *,
    reason: str,
    role: str = R.HANDLER,
    now: datetime | None = None,
) -> Case:
    """挂账申请: cannot be solved within any limit (works, season); the timer would stop."""
    return request(case, user, role, "request_suspension", PendingRequest.SUSPENSION, reason, now)


def decide_suspension(
    case: Case | str,
    user: User,
    *,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    def change(case: Case, now: datetime) -> Step:
        take_request(case, PendingRequest.SUSPENSION)
        if approve:
            assert case.handling_due_at is not None and case.condition is not None
            clock = deadlines.handling_limit(case.condition).clock
            case.suspended_remaining = deadlines.minutes_between(now, case.handling_due_at, clock)
            case.status, case.suspended_at = Status.SUSPENDED, now
            case.suspension_count += 1
        return Step({"approved": approve}, unit_list(case))

    return act(case, user, R.DISPATCHER, "decide_suspension", change, reason=reason, now=now)


def resume(case: Case | str, user: User, *, reason: str = "", now: datetime | None = None) -> Case:
    """挂账恢复: back to handling; the time spent suspended does not count."""

    def change(case: Case, now: datetime) -> Step:
        assert case.condition is not None
        clock = deadlines.handling_limit(case.condition).clock
        left = case.suspended_remaining or 0.0
        case.handling_due_at = deadlines.add(now, deadlines.Limit(left, clock)) if left > 0 else now
        case.status, case.suspended_at, case.suspended_remaining = Status.HANDLING, None, None
        return Step({}, unit_list(case))

    return act(case, user, R.DISPATCHER, "resume", change, reason=reason, now=now)


def send_check(
    case: Case | str, user: User, *, inspector: Person, now: datetime | None = None
) -> Case:
    """发核查: ask an inspector to check the result on site."""

    def change(case: Case, now: datetime) -> Step:
        check_inspector(inspector)
        task = open_task(case, TaskKind.CHECK, inspector, now)
        case.status = Status.CHECKING
        return Step({"inspector": inspector.pk, "task": task.pk}, [inspector])

    return act(case, user, R.ACCEPTOR, "send_check", change, now=now)


def check(
    case: Case | str,
    user: User,
    *,
    passed: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """核查: pass, or fail and send the case back to the same unit (返工)."""

    def change(case: Case, now: datetime) -> Step:
        outcome = TaskOutcome.PASSED if passed else TaskOutcome.FAILED
        finish_task(case, user, TaskKind.CHECK, outcome, now)
        if passed:
            case.status = Status.CHECKED
            return Step({"passed": True}, [supervision_center()])
        assert case.condition is not None
        case.status, case.rework_count, case.handled_at = (
            Status.HANDLING,
            case.rework_count + 1,
            None,
        )
        case.handling_due_at = deadlines.add(now, deadlines.handling_limit(case.condition))
        return Step({"passed": False}, unit_list(case))

    return act(
        case,
        user,
        R.INSPECTOR,
        "check",
        change,
        reason=reason if passed else required(reason),
        now=now,
    )


def close(case: Case | str, user: User, *, reason: str = "", now: datetime | None = None) -> Case:
    """结案: normal, or overdue when the unit reported back after its deadline."""

    def change(case: Case, now: datetime) -> Step:
        late = (
            case.handling_due_at is not None
            and case.handled_at is not None
            and case.handled_at > case.handling_due_at
        )
        case.closing_type = ClosingType.OVERDUE if late else ClosingType.NORMAL
        case.status, case.closed_at = Status.CLOSED, now
        return Step({"closing_type": case.closing_type}, unit_list(case))

    return act(case, user, R.SHIFT_LEADER, "close", change, reason=reason, now=now)


def urge(
    case: Case | str, user: User, *, role: str, reason: str, now: datetime | None = None
) -> Case:
    """督办: press the unit on an overdue or important case."""

    def change(case: Case, now: datetime) -> Step:
        case.urge_count += 1
        return Step({}, unit_list(case) or [supervision_center()])

    return act(case, user, role, "urge", change, reason=required(reason), now=now)


def appeal_overdue(
    case: Case | str,
    user: User,
    *,
    reason: str,
    role: str = R.HANDLER,
    now: datetime | None = None,
) -> Case:
    """超时申诉: the unit asks that an overdue not count against it (two reviews)."""

    def guard(case: Case, now: datetime) -> None:
        if not is_overdue(case, now) or case.exempt:
            raise InvalidTransition("not_overdue", _("Only an overdue case can be appealed, once."))

    return request(
        case, user, role, "appeal_overdue", PendingRequest.APPEAL, reason, now, guard=guard
    )


def decide_appeal(
    case: Case | str,
    user: User,
    *,
    role: str,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """First review by the command center, final review by a leader; approval marks the case
    exempt in the statistics (the overdue itself stays on record)."""

    def change(case: Case, now: datetime) -> Step:
        stage = PendingRequest.APPEAL if role == R.DISPATCHER else PendingRequest.APPEAL_FINAL
        take_request(case, stage)
        if approve and stage == PendingRequest.APPEAL:
            case.pending_request = PendingRequest.APPEAL_FINAL
        elif approve:
            case.exempt = True
        return Step({"approved": approve, "review": stage}, unit_list(case))

    return act(case, user, role, "decide_appeal", change, reason=reason, now=now)


def is_overdue(case: Case, now: datetime) -> bool:
    if case.handling_due_at is None:
        return False
    finished = case.handled_at or (now if case.status not in CLOSED_STATUSES else None)
    return finished is not None and finished > case.handling_due_at


def _routing(case: Case) -> str:
    from catalog.routing import suggest_unit

    if case.case_type is None:
        return ""
    point = case.point
    return suggest_unit(case.case_type, point.x, point.y, component=case.component).reason


def _near_boundary(case: Case) -> bool:
    from django.conf import settings

    from geo.lookup import territory_index

    distance = territory_index().distance_to_street_border(case.point.x, case.point.y)
    return distance is not None and distance <= settings.BOUNDARY_WARNING_METRES
