"""The JSON API on cases (mounted by config/api.py under /api/v1/): report, list, read, one
endpoint per workflow verb, an inspector's open tasks, photos.

Every request acts as one post (岗位) of the caller: the `X-UrbanGrid-Role` header or the
`role` query parameter names it, and a caller holding a single post needs neither. The post's
data scope decides which cases exist for the request: a case outside it answers 404 exactly
like a case that does not exist, so numbers cannot be probed. Changes go through
cases/workflow/ only; a refused call has stored nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticError

from cases import photos
from cases import schemas as s
from cases.contacts import reveal_contact
from cases.models import Case, PhotoStage, Task
from cases.reporting import report_case
from cases.schemas import DETAIL_RELATED, SUMMARY_RELATED
from cases.steps import clean_text
from cases.transitions import TRANSITIONS, check_role, get_case_for, visible_case
from cases.verbs import VERBS, Action
from catalog.lookup import types_with_code
from catalog.models import CaseType
from components.models import Component
from org.access import Actor, Refusal, actor_for
from org.api import ERRORS
from org.roles import Role

router = Router(tags=["cases"])


def acting(request: HttpRequest, number: str, verb: str) -> tuple[Actor, Case]:
    """The actor and the case for a verb: a post the verb does not allow is refused first,
    then a case the post may not see answers 404 like a case that does not exist."""
    actor = actor_for(request)
    check_role(actor, verb)
    return actor, visible_case(actor, number)


def _aware(moment: datetime) -> datetime:
    """A time given without an offset is the district's local time."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def changed(case: Case) -> s.CaseSummary:
    """The case after a verb, read again with what its summary shows."""
    fresh = Case.objects.select_related(*SUMMARY_RELATED).get(pk=case.pk)
    return s.case_summary(fresh, timezone.now())


# -- reading -------------------------------------------------------------------------------------


@router.get("/cases", response={200: s.CaseList, **ERRORS}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[s.CaseFilters]) -> s.CaseList:
    """The cases the acting post may see, newest first, filtered and paginated."""
    actor = actor_for(request)
    now = timezone.now()
    cases = Case.objects.visible_to(actor)
    if filters.status:
        cases = cases.filter(status__in=filters.status)
    if filters.street:
        field = "street__full_code" if len(filters.street) > 3 else "street__code"
        cases = cases.filter(**{field: filters.street})
    if filters.unit:
        cases = cases.filter(responsible_unit__code=filters.unit)
    if filters.type:
        cases = cases.filter(case_type__code=filters.type)
    if filters.component:
        cases = cases.filter(component__identifier=filters.component)
    if filters.overdue is True:
        cases = cases.filter(due_at__lt=now)  # only open steps have a deadline
    elif filters.overdue is False:
        cases = cases.exclude(due_at__lt=now)
    if filters.created_from:
        cases = cases.filter(created_at__gte=_aware(filters.created_from))
    if filters.created_to:
        cases = cases.filter(created_at__lt=_aware(filters.created_to))
    start, end = filters.offset, filters.offset + filters.limit
    page = cases.listed(*SUMMARY_RELATED).order_by("-created_at", "-id")[start:end]
    return s.CaseList(
        total=cases.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[s.case_summary(case, now) for case in page],
    )


@router.get(
    "/components/{identifier}/cases",
    response={200: s.CaseList, **ERRORS},
    summary="A component's cases",
    tags=["components"],
)
def component_cases(request: HttpRequest, identifier: str) -> s.CaseList:
    """The cases reported on the component that the acting post may see, newest first."""
    try:
        filters = s.CaseFilters.model_validate({"component": identifier, "limit": 200})
    except PydanticError as error:  # a control character in the identifier: a 422 as in a query
        problems = [{**e, "loc": ("path", "", "identifier")} for e in error.errors()]
        raise ValidationError(problems) from None
    return list_cases(request, filters)


@router.get("/cases/{number}", response={200: s.CaseDetail, **ERRORS}, summary="One case")
def get_case(request: HttpRequest, number: str) -> s.CaseDetail:
    """The case with its deadlines, counters, timeline of events, tasks, photos, and the
    actions the acting post may take on it now. A public reporter's contact comes masked."""
    in_hand = get_case_for(actor_for(request), number, related=DETAIL_RELATED)
    return s.case_detail(in_hand.case, timezone.now(), in_hand.verbs)


@router.post(
    "/cases/{number}/reveal_contact",
    response={200: s.Contact, **ERRORS},
    summary="查看举报人信息 Reveal the reporter's contact",
    tags=["workflow"],
)
def reveal(request: HttpRequest, number: str) -> s.Contact:
    """The public reporter's name and phone in full, for the supervision center (acceptor,
    shift leader). Every reveal is recorded in the case's audit trail."""
    actor = actor_for(request)
    case = visible_case(actor, number)
    contact = reveal_contact(case, actor=actor, now=timezone.now())
    return s.Contact(name=contact.name, phone=contact.phone)


@router.get("/tasks", response={200: list[s.TaskWithCase], **ERRORS}, summary="My open tasks")
def my_tasks(request: HttpRequest) -> list[s.TaskWithCase]:
    """The verify (核实) and check (核查) tasks waiting for the calling inspector."""
    actor = actor_for(request)
    if actor.role != Role.INSPECTOR:
        raise Refusal("wrong_role", _("Only inspectors receive tasks."), 403)
    now = timezone.now()
    tasks = (
        Task.objects.filter(inspector=actor.person, done_at__isnull=True)
        .select_related("inspector__user", *(f"case__{name}" for name in SUMMARY_RELATED))
        .order_by("due_at", "id")
    )
    return [
        s.TaskWithCase(**s.task_out(task).model_dump(), case=s.case_summary(task.case, now))
        for task in tasks
    ]


# -- report --------------------------------------------------------------------------------------


def _case_type(body: s.ReportIn) -> CaseType | None:
    if not body.type:
        return None
    found = types_with_code(body.type, edition=body.edition, kind=body.kind)
    if not found:
        raise Refusal("no_such_type", _("There is no type %(code)s.") % {"code": body.type})
    if len(found) > 1:
        raise Refusal(
            "ambiguous_type",
            _("Type %(code)s exists for components and for events: give its kind.")
            % {"code": body.type},
        )
    return found[0]


def _component(identifier: str | None) -> Component | None:
    if not identifier:
        return None
    component = Component.objects.select_related("case_type").filter(identifier=identifier).first()
    if component is None:
        raise Refusal(
            "no_such_component",
            _("There is no component %(identifier)s.") % {"identifier": identifier},
        )
    return component


@router.post(
    "/cases", response={200: s.CaseSummary, 201: s.CaseSummary, **ERRORS}, summary="Report a case"
)
def report(request: HttpRequest, body: s.ReportIn) -> Status[s.CaseSummary]:
    """上报. 201 with the new case; a retry with the same `request_id` and the same content
    answers 200 with the case the first attempt made, and never makes a second one. The same
    `request_id` with other content answers 409 (request_id_reused) naming the first case."""
    now = timezone.now()
    case = report_case(
        actor=actor_for(request),
        channel=body.channel,
        description=body.description,
        lon=body.lon,
        lat=body.lat,
        crs=body.crs,
        case_type=_case_type(body),
        component=_component(body.component),
        address=body.address,
        request_id=body.request_id,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        is_urgent=body.is_urgent,
        observed_at=body.observed_at,
        now=now,
    )
    created = case.created_at == now  # a retry gets the earlier case back
    return Status(201 if created else 200, s.case_summary(case, now))


# -- the verbs (STANDARDS.md §4, cases/workflow/) ----------------------------------------------


def _register(verb: Action) -> None:
    """POST /cases/{number}/<verb>; the description says who may call it and with what."""
    roles = ", ".join(sorted(TRANSITIONS[verb.name].roles))
    fields = ", ".join(verb.body.model_fields) or "empty"

    def endpoint(request: HttpRequest, number: str, body: Any) -> s.CaseSummary:
        actor, case = acting(request, number, verb.name)
        return changed(verb.run(case, actor, body))

    endpoint.__annotations__ = {"request": HttpRequest, "number": str, "body": verb.body}
    endpoint.__name__ = endpoint.__qualname__ = verb.name
    router.post(
        f"/cases/{{number}}/{verb.name}",
        response={200: s.CaseSummary, **ERRORS},
        summary=verb.label,
        operation_id=verb.name,
        description=f"{verb.label}. Posts: {roles}. Body: {fields}.",
        tags=["workflow"],
    )(endpoint)


for _verb in VERBS.values():
    _register(_verb)


# -- photos ------------------------------------------------------------------------------------


@router.post(
    "/cases/{number}/photos",
    response={200: s.PhotoOut, 201: s.PhotoOut, **ERRORS},
    summary="Add a photo",
)
def add_photo(
    request: HttpRequest,
    number: str,
    stage: Form[PhotoStage],
    image: File[UploadedFile],
    request_id: Form[str | None] = None,
) -> Status[s.PhotoOut]:
    """Multipart: `stage` (report, handling, check) and `image` (JPEG or PNG). The report's
    photos come from the supervision center, the reporting inspector or the one verifying;
    the after-photo from the lead unit; the check photo from the inspector checking. With the
    device's own `request_id` for the upload, a retry answers 200 with the photo the first
    attempt stored; the same id with another image answers 409 (request_id_reused)."""
    actor = actor_for(request)
    case = visible_case(actor, number)
    photos.check_photo_allowed(case, actor, stage)  # before decoding anything
    now = timezone.now()
    request_id = clean_text(request_id, limit=64) if request_id else None
    photo = photos.store_photo(case, stage, image, actor=actor, now=now, request_id=request_id)
    return Status(201 if photo.uploaded_at == now else 200, s.photo_out(photo, case))


@router.post("/cases/{number}/{action}", include_in_schema=False)
def unknown_verb(request: HttpRequest, number: str, action: str) -> NoReturn:
    raise Refusal("unknown_verb", _("There is no action %(verb)s.") % {"verb": action}, 404)
