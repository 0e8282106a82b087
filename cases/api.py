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
from ninja.files import UploadedFile

from cases import photos
from cases import schemas as s
from cases import workflow as wf
from cases.contacts import reveal_contact
from cases.models import Case, PhotoStage, Task
from cases.reporting import report_case
from cases.transitions import TRANSITIONS, get_case_for, not_found
from catalog.lookup import types_with_code
from catalog.models import CaseType, FilingCondition
from components.models import Component
from org.access import Actor, Refusal, actor_for
from org.api import ERRORS
from org.models import Person, Unit
from org.roles import Role

SUMMARY_RELATED = ("case_type", "street", "responsible_unit")
DETAIL_RELATED = (
    *SUMMARY_RELATED,
    *("condition", "component", "grid", "community", "territory_unit", "team", "merged_into"),
    *("suggested_unit", "suggestion_rule"),
)

router = Router(tags=["cases"])


def acting(request: HttpRequest, number: str, verb: str) -> tuple[Actor, Case]:
    """The actor and the case for a verb: a post the verb does not allow is refused first,
    then a case the post may not see answers 404 like a case that does not exist."""
    actor = actor_for(request)
    if actor.role not in TRANSITIONS[verb].roles:
        raise Refusal(
            "wrong_role",
            _("As %(role)s you cannot do this (%(verb)s).")
            % {"role": actor.role_label, "verb": verb},
            403,
        )
    case = Case.objects.visible_to(actor).by_number(number)
    if case is None:
        raise not_found(number)
    return actor, case


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
    page = cases.select_related(*SUMMARY_RELATED).order_by("-created_at", "-id")[start:end]
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
    filters = s.CaseFilters.model_validate({"component": identifier, "limit": 200})
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
    case = get_case_for(actor, number).case
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
        now=now,
    )
    created = case.created_at == now  # a retry gets the earlier case back
    return Status(201 if created else 200, s.case_summary(case, now))


# -- the verbs (STANDARDS.md §4, cases/workflow/) ----------------------------------------------


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Refusal("no_such_unit", _("There is no unit %(code)s.") % {"code": code})
    return unit


def _inspector(username: str) -> Person:
    person = Person.objects.select_related("user").filter(user__username=username).first()
    if person is None:
        raise Refusal("no_such_person", _("There is no person %(name)s.") % {"name": username})
    return person


def _condition(pk: int) -> FilingCondition:
    condition = FilingCondition.objects.select_related("case_type").filter(pk=pk).first()
    if condition is None:
        raise Refusal("no_such_condition", _("There is no filing condition %(id)d.") % {"id": pk})
    return condition


def verb(name: str, body: str, label: str) -> Any:
    """Register POST /cases/{number}/<name>; the description says who may call it."""
    roles = ", ".join(sorted(TRANSITIONS[name].roles))
    return router.post(
        f"/cases/{{number}}/{name}",
        response={200: s.CaseSummary, **ERRORS},
        summary=label,
        operation_id=name,
        description=f"{label}. Posts: {roles}. Body: {body}.",
        tags=["workflow"],
    )


@verb("send_verify", "inspector", "发核实 Send for verification")
def send_verify(request: HttpRequest, number: str, body: s.SendTaskIn) -> s.CaseSummary:
    actor, case = acting(request, number, "send_verify")
    return changed(wf.send_verify(case, actor=actor, inspector=_inspector(body.inspector)))


@verb("verify", "found, reason", "核实 Verify")
def verify(request: HttpRequest, number: str, body: s.VerifyIn) -> s.CaseSummary:
    actor, case = acting(request, number, "verify")
    return changed(wf.verify_report(case, actor=actor, found=body.found, reason=body.reason))


@verb("self_handle", "reason", "自处理 Handle on the spot")
def self_handle(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "self_handle")
    return changed(wf.self_handle(case, actor=actor, reason=body.reason))


@verb("accept", "reason", "受理 Accept")
def accept(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "accept")
    return changed(wf.accept_case(case, actor=actor, reason=body.reason))


@verb("decline", "reason", "不予受理 Do not accept")
def decline(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "decline")
    return changed(wf.decline_case(case, actor=actor, reason=body.reason))


@verb("file", "condition, reason", "立案 File")
def file(request: HttpRequest, number: str, body: s.FileIn) -> s.CaseSummary:
    actor, case = acting(request, number, "file")
    condition = _condition(body.condition)
    return changed(wf.file_case(case, actor=actor, condition=condition, reason=body.reason))


@verb("reject", "reason", "不予立案 Do not file")
def reject(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "reject")
    return changed(wf.reject_case(case, actor=actor, reason=body.reason))


@verb("request_void", "reason", "作废申请 Request voiding")
def request_void(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "request_void")
    return changed(wf.request_void(case, actor=actor, reason=body.reason))


@verb("decide_void", "approve, reason", "作废审批 Decide on voiding")
def decide_void(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    actor, case = acting(request, number, "decide_void")
    return changed(wf.decide_void(case, actor=actor, approve=body.approve, reason=body.reason))


@verb("merge", "into, reason", "合并 Merge into an open case")
def merge(request: HttpRequest, number: str, body: s.MergeIn) -> s.CaseSummary:
    actor, case = acting(request, number, "merge")
    return changed(wf.merge_case(case, actor=actor, into=body.into, reason=body.reason))


@verb("dispatch", "unit, co_units, reason", "派遣 Dispatch")
def dispatch(request: HttpRequest, number: str, body: s.DispatchIn) -> s.CaseSummary:
    actor, case = acting(request, number, "dispatch")
    co_units = [_unit(code) for code in body.co_units]
    return changed(
        wf.dispatch_case(
            case, actor=actor, unit=_unit(body.unit), co_units=co_units, reason=body.reason
        )
    )


@verb("sign", "empty", "签收 Sign for")
def sign(request: HttpRequest, number: str, body: s.NoBody) -> s.CaseSummary:
    actor, case = acting(request, number, "sign")
    return changed(wf.sign_case(case, actor=actor))


@verb("assign_team", "team", "分派处置队 Assign a team")
def assign_team(request: HttpRequest, number: str, body: s.AssignTeamIn) -> s.CaseSummary:
    actor, case = acting(request, number, "assign_team")
    return changed(wf.assign_team(case, actor=actor, team=_unit(body.team)))


@verb("co_feedback", "reply", "协办反馈 Report the co-handled part")
def co_feedback(request: HttpRequest, number: str, body: s.ReplyIn) -> s.CaseSummary:
    actor, case = acting(request, number, "co_feedback")
    return changed(wf.co_feedback(case, actor=actor, reply=body.reply))


@verb("feedback", "reason", "处置反馈 Report handled")
def feedback(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "feedback")
    return changed(wf.feedback_case(case, actor=actor, reason=body.reason))


@verb("return_case", "reason", "回退申请 Return to the dispatcher")
def return_case(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "return_case")
    return changed(wf.return_case(case, actor=actor, reason=body.reason))


@verb("decide_return", "approve, reason", "回退审批 Decide on a return")
def decide_return(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    actor, case = acting(request, number, "decide_return")
    return changed(wf.decide_return(case, actor=actor, approve=body.approve, reason=body.reason))


@verb("request_extension", "minutes, reason", "延期申请 Request more time")
def request_extension(request: HttpRequest, number: str, body: s.ExtensionIn) -> s.CaseSummary:
    actor, case = acting(request, number, "request_extension")
    return changed(
        wf.request_extension(case, actor=actor, minutes=body.minutes, reason=body.reason)
    )


@verb("decide_extension", "approve, reason", "延期审批 Decide on an extension")
def decide_extension(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    actor, case = acting(request, number, "decide_extension")
    return changed(wf.decide_extension(case, actor=actor, approve=body.approve, reason=body.reason))


@verb("request_suspension", "reason", "挂账申请 Request suspension")
def request_suspension(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "request_suspension")
    return changed(wf.request_suspension(case, actor=actor, reason=body.reason))


@verb("decide_suspension", "approve, reason", "挂账审批 Decide on a suspension")
def decide_suspension(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    actor, case = acting(request, number, "decide_suspension")
    return changed(
        wf.decide_suspension(case, actor=actor, approve=body.approve, reason=body.reason)
    )


@verb("resume", "reason", "挂账恢复 Resume")
def resume(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "resume")
    return changed(wf.resume_case(case, actor=actor, reason=body.reason))


@verb("send_check", "inspector", "发核查 Send for check")
def send_check(request: HttpRequest, number: str, body: s.SendTaskIn) -> s.CaseSummary:
    actor, case = acting(request, number, "send_check")
    return changed(wf.send_check(case, actor=actor, inspector=_inspector(body.inspector)))


@verb("check", "passed, reason", "核查 Check")
def check(request: HttpRequest, number: str, body: s.CheckIn) -> s.CaseSummary:
    actor, case = acting(request, number, "check")
    return changed(wf.check_case(case, actor=actor, passed=body.passed, reason=body.reason))


@verb("close", "reason", "结案 Close")
def close(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "close")
    return changed(wf.close_case(case, actor=actor, reason=body.reason))


@verb("close_special", "reason", "特殊结案 Close specially")
def close_special(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "close_special")
    return changed(wf.close_special(case, actor=actor, reason=body.reason))


@verb("callback", "satisfaction, reason", "回访 Call the reporter back")
def callback(request: HttpRequest, number: str, body: s.CallbackIn) -> s.CaseSummary:
    actor, case = acting(request, number, "callback")
    return changed(
        wf.callback_case(case, actor=actor, satisfaction=body.satisfaction, reason=body.reason)
    )


@verb("urge", "reason", "督办 Urge")
def urge(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "urge")
    return changed(wf.urge_case(case, actor=actor, reason=body.reason))


@verb("answer_urge", "reason", "督办回复 Answer an urging")
def answer_urge(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "answer_urge")
    return changed(wf.answer_urge(case, actor=actor, reason=body.reason))


@verb("appeal_overdue", "reason", "超时申诉 Appeal an overdue")
def appeal_overdue(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    actor, case = acting(request, number, "appeal_overdue")
    return changed(wf.appeal_overdue(case, actor=actor, reason=body.reason))


@verb("decide_appeal", "approve, reason", "申诉审核 Decide on an appeal")
def decide_appeal(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    actor, case = acting(request, number, "decide_appeal")
    return changed(wf.decide_appeal(case, actor=actor, approve=body.approve, reason=body.reason))


# -- photos ------------------------------------------------------------------------------------


@router.post("/cases/{number}/photos", response={201: s.PhotoOut, **ERRORS}, summary="Add a photo")
def add_photo(
    request: HttpRequest,
    number: str,
    stage: Form[PhotoStage],
    image: File[UploadedFile],
) -> Status[s.PhotoOut]:
    """Multipart: `stage` (report, handling, check) and `image` (JPEG or PNG). The report's
    photos come from the supervision center, the reporting inspector or the one verifying;
    the after-photo from the lead unit; the check photo from the inspector checking."""
    actor = actor_for(request)
    case = get_case_for(actor, number).case
    photos.check_photo_allowed(case, actor, stage)  # before decoding anything
    photo = photos.store_photo(case, stage, image, actor=actor, now=timezone.now())
    return Status(201, s.photo_out(photo))


@router.post("/cases/{number}/{action}", include_in_schema=False)
def unknown_verb(request: HttpRequest, number: str, action: str) -> NoReturn:
    raise Refusal("unknown_verb", _("There is no action %(verb)s.") % {"verb": action}, 404)
