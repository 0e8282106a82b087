"""Request and response bodies of the JSON API (cases/api.py): one input schema per endpoint,
and how a case and what belongs to it become their response bodies.

Inputs refuse unknown fields, so a misspelt optional field ("reasn") is an error rather than
silently ignored. Units are named by their code, people by their username, cases by number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from cases import deadlines
from cases.contacts import masked
from cases.models import (
    DESCRIPTION_MAX,
    TEXT_MAX,
    Case,
    CaseEvent,
    Channel,
    Photo,
    Satisfaction,
    Status,
    Task,
)
from cases.photos import doubts, photo_urls
from catalog.models import TypeKind
from catalog.routing import explain
from org.api import Clean, In, Named, named
from org.roles import Role

# -- reading -----------------------------------------------------------------------------------

# What a case summary and a case's detail show of its relations: select them with the case.
SUMMARY_RELATED = ("case_type", "street", "responsible_unit")
DETAIL_RELATED = (
    *SUMMARY_RELATED,
    *("condition", "component", "grid", "community", "territory_unit", "team", "merged_into"),
    *("suggested_unit", "suggestion_rule"),
)


class Person(Schema):
    username: str
    name: str


class CaseSummary(Schema):
    number: str
    status: str
    status_label: str
    status_kind: str = Field(description="open, suspended or closed")
    channel: str
    is_urgent: bool
    type: Named | None
    street: Named
    responsible_unit: Named | None
    address: str
    lon: float
    lat: float
    created_at: datetime
    observed_at: datetime | None = Field(None, description="when the reporter saw it")
    due_at: datetime | None = Field(description="deadline of the current step")
    light: str | None = Field(description="green, yellow or red; null when no clock runs")
    pending_request: str = Field(description="a request waiting for a decision, or empty")


class CaseList(Schema):
    total: int
    limit: int
    offset: int
    items: list[CaseSummary]


class Condition(Schema):
    id: int
    condition: str
    limit: str
    closing_condition: str


class Deadlines(Schema):
    step_started_at: datetime
    due_at: datetime | None
    step_clock: str = Field(description="natural or working time")
    handling_due_at: datetime | None
    suspended_at: datetime | None
    overdue: bool = Field(description="handling finished, or still running, past its deadline")
    urge_answer_due_at: datetime | None = Field(description="an urged unit answers by then")


class Pending(Schema):
    kind: str
    label: str
    minutes: int | None


class Counters(Schema):
    urged: int
    dispatches: int
    returns: int
    reworks: int
    extensions: int
    suspensions: int
    reopened: int


class Contact(Schema):
    name: str
    phone: str


class SuggestionOut(Schema):
    unit: Named | None
    basis: str = Field(description="owner, rule, department, territory or none")
    reason: str = Field(description="why, in the language of the request")


class CoHandlingOut(Schema):
    unit: Named
    replied_at: datetime | None
    reply: str


class EventOut(Schema):
    sequence: int
    verb: str
    label: str
    at: datetime
    actor: Person | None
    role: str
    role_label: str
    unit: Named | None
    from_status: str
    to_status: str
    reason: str
    data: dict[str, Any]


class TaskOut(Schema):
    id: int
    kind: str
    inspector: Person
    created_at: datetime
    due_at: datetime
    done_at: datetime | None
    outcome: str


class PhotoOut(Schema):
    id: int
    stage: str
    uploaded_at: datetime
    width: int
    height: int
    urls: dict[str, str] = Field(description="the image and its thumbnail")
    doubts: list[str] = Field(
        [], description="why EXIF says to look twice: taken long before it was sent, or far away"
    )


class CaseDetail(CaseSummary):
    description: str
    grid: str
    community: Named
    territory_unit: Named | None
    team: Named | None
    condition: Condition | None
    component: str | None = Field(description="identifier of the component reported on")
    merged_into: str | None
    suggestion: SuggestionOut | None = Field(description="routing's, stored when filed")
    near_boundary: bool
    co_units: list[CoHandlingOut] = Field(description="co-handling units (协办)")
    verified: bool | None
    closing_type: str
    satisfaction: str = Field(description="the reporter's answer when called back (回访)")
    exempt: bool
    deadlines: Deadlines
    pending: Pending | None
    counters: Counters
    contact: Contact | None = Field(
        description="a public reporter's, masked; reveal_contact shows it (and is recorded)"
    )
    verbs: list[str] = Field(description="the actions the acting post may take now")
    events: list[EventOut]
    tasks: list[TaskOut]
    photos: list[PhotoOut]


class TaskWithCase(TaskOut):
    case: CaseSummary


# -- report ------------------------------------------------------------------------------------


class ReportIn(In):
    channel: Channel
    description: str = Field(max_length=DESCRIPTION_MAX)
    lon: float = Field(allow_inf_nan=False)
    lat: float = Field(allow_inf_nan=False)
    crs: str = Field("wgs84", description="wgs84, cgcs2000, gcj02 (Amap, Tencent) or bd09")
    type: str | None = Field(None, description="type code (小类代码)")
    kind: TypeKind | None = Field(None, description="when a code exists for both kinds")
    edition: str | None = Field(None, description="catalog edition code; the current one if empty")
    component: str | None = Field(None, description="identifier (部件标识码) of the component")
    address: str = Field("", max_length=200)
    request_id: str | None = Field(
        None,
        max_length=64,
        description="the client's own id: a retry with the same content returns the same case",
    )
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    is_urgent: StrictBool = False
    observed_at: datetime | None = Field(
        None,
        description="when the reporter saw it, if the device queued the report offline "
        "(at most OBSERVED_MAX_AGE_HOURS ago, 72 by default)",
    )


class CaseFilters(Clean):
    status: list[Status] | None = Field(None, description="one or more statuses")
    street: str | None = Field(None, description="street code (3 digits) or full code (9)")
    unit: str | None = Field(None, description="code of the responsible unit")
    type: str | None = Field(None, description="type code")
    component: str | None = Field(None, description="identifier of the component reported on")
    overdue: bool | None = Field(None, description="the current step is past its deadline")
    created_from: datetime | None = None
    created_to: datetime | None = Field(None, description="exclusive")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


# -- the verbs (one body per verb of cases/workflow/) ----------------------------------------


class ReasonIn(In):
    reason: str = Field("", max_length=TEXT_MAX)


class Decision(ReasonIn):
    approve: StrictBool


class SendTaskIn(In):
    inspector: str = Field(description="username of an inspector on duty", max_length=150)


class VerifyIn(ReasonIn):
    found: StrictBool


class FileIn(ReasonIn):
    condition: StrictInt = Field(
        description="id of a filing condition (立案条件) of the case's type"
    )


class MergeIn(ReasonIn):
    into: str = Field(description="number of the open case this one duplicates", max_length=14)


class DispatchIn(ReasonIn):
    unit: str = Field(description="code of the lead department or street office (主办)")
    co_units: list[str] = Field(
        default_factory=list, description="codes of co-handling units (协办)", max_length=10
    )


class NoBody(In):
    pass


class AssignTeamIn(In):
    team: str = Field(description="code of one of the unit's own teams", max_length=18)


class ExtensionIn(ReasonIn):
    minutes: StrictInt = Field(
        gt=0, le=10**6, description="extra handling minutes, in the handling limit's clock"
    )


class CheckIn(ReasonIn):
    passed: StrictBool


class CallbackIn(ReasonIn):
    satisfaction: Satisfaction = Field(description="满意 / 基本满意 / 不满意 (reopens the case)")


class ReplyIn(In):
    reply: str = Field(max_length=TEXT_MAX, description="the co-handling unit's part")


# -- from the models ---------------------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _person(user: User) -> Person:
    try:
        name = user.person.name
    except ObjectDoesNotExist:
        name = user.get_full_name() or user.username
    return Person(username=user.username, name=name)


def case_summary(case: Case, now: datetime) -> CaseSummary:
    # Built unvalidated: the API validates what it answers anyway, and lists build many.
    return CaseSummary.model_construct(
        number=case.number,
        status=case.status,
        status_label=str(Status(case.status).label),  # not get_…_display: it hashes every label
        status_kind=case.status_kind,
        channel=case.channel,
        is_urgent=case.is_urgent,
        type=Named(code=case.case_type.code, name=case.case_type.name) if case.case_type else None,
        street=Named(code=case.street.full_code, name=case.street.name),
        responsible_unit=named(case.responsible_unit),
        address=case.address,
        lon=case.point.x,
        lat=case.point.y,
        created_at=timezone.localtime(case.created_at),
        observed_at=_local(case.observed_at),
        due_at=_local(case.due_at),
        light=deadlines.light(case, now),
        pending_request=case.pending_request,
    )


def _event(event: CaseEvent) -> EventOut:
    role_label = Role(event.role).label if event.role in Role.values else event.role
    return EventOut(
        sequence=event.sequence,
        verb=event.verb,
        label=event.get_verb_display(),
        at=timezone.localtime(event.at),
        actor=_person(event.actor) if event.actor else None,
        role=event.role,
        role_label=str(role_label),
        unit=named(event.unit),
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        data=event.data,
    )


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.pk,
        kind=task.kind,
        inspector=_person(task.inspector.user),
        created_at=timezone.localtime(task.created_at),
        due_at=timezone.localtime(task.due_at),
        done_at=_local(task.done_at),
        outcome=task.outcome,
    )


def photo_out(photo: Photo, case: Case) -> PhotoOut:
    return PhotoOut(
        id=photo.pk,
        stage=photo.stage,
        uploaded_at=timezone.localtime(photo.uploaded_at),
        width=photo.width,
        height=photo.height,
        urls=photo_urls(photo),
        doubts=doubts(case, photo),
    )


def suggestion_out(case: Case) -> SuggestionOut | None:
    """Routing's suggestion as stored when the case was filed, explained."""
    if not case.suggestion_basis:
        return None
    reason = explain(
        case.suggestion_basis,
        case.suggested_unit,
        case.suggestion_rule,
        type_name=case.case_type.name if case.case_type else "",
        grid_code=case.grid.code,
    )
    return SuggestionOut(
        unit=named(case.suggested_unit), basis=case.suggestion_basis, reason=reason
    )


def case_detail(case: Case, now: datetime, verbs: tuple[str, ...]) -> CaseDetail:
    """The case with its timeline; the caller has select_related what the case refers to."""
    condition = case.condition
    contact = masked(case)
    events = case.events.select_related("actor__person", "unit").order_by("sequence")
    tasks = case.tasks.select_related("inspector__user").order_by("created_at", "id")
    return CaseDetail(
        **case_summary(case, now).model_dump(),
        description=case.description,
        grid=case.grid.code,
        community=Named(code=case.community.full_code, name=case.community.name),
        territory_unit=named(case.territory_unit),
        team=named(case.team),
        condition=Condition(
            id=condition.pk,
            condition=condition.condition,
            limit=f"{condition.limit_value} {condition.get_limit_unit_display()}",
            closing_condition=condition.closing_condition,
        )
        if condition
        else None,
        component=case.component.identifier if case.component else None,
        merged_into=case.merged_into.number if case.merged_into else None,
        suggestion=suggestion_out(case),
        near_boundary=case.near_boundary,
        co_units=[
            CoHandlingOut(
                unit=Named(code=co.unit.code, name=co.unit.name),
                replied_at=_local(co.replied_at),
                reply=co.reply,
            )
            for co in case.co_handlings.select_related("unit")
        ],
        verified=case.verified,
        closing_type=case.closing_type,
        satisfaction=case.satisfaction,
        exempt=case.exempt,
        deadlines=Deadlines(
            step_started_at=timezone.localtime(case.step_started_at),
            due_at=_local(case.due_at),
            step_clock=case.step_clock,
            handling_due_at=_local(case.handling_due_at),
            suspended_at=_local(case.suspended_at),
            overdue=case.is_overdue(now),
            urge_answer_due_at=_local(case.urge_due_at),
        ),
        pending=Pending(
            kind=case.pending_request,
            label=case.get_pending_request_display(),
            minutes=case.pending_minutes,
        )
        if case.pending_request
        else None,
        counters=Counters(
            urged=case.urge_count,
            dispatches=case.dispatch_count,
            returns=case.return_count,
            reworks=case.rework_count,
            extensions=case.extension_count,
            suspensions=case.suspension_count,
            reopened=case.reopen_count,
        ),
        contact=Contact(name=contact.name, phone=contact.phone) if contact else None,
        events=[_event(event) for event in events],
        tasks=[task_out(task) for task in tasks],
        photos=[photo_out(photo, case) for photo in case.photos.order_by("uploaded_at", "id")],
        verbs=list(verbs),
    )
