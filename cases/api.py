"""The JSON API on cases (mounted by config/api.py under /api/v1/): report, list, read, one
endpoint per workflow verb, an inspector's open tasks, photos.

Every request acts as one post (岗位) of the caller: the `X-UrbanGrid-Role` header or the
`role` query parameter names it, and a caller holding a single post needs neither. The post's
data scope decides which cases exist for the request: a case outside it answers 404 exactly
like a case that does not exist, so numbers cannot be probed. Changes go through
cases/workflow.py only; a refused call has stored nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from cases import photos
from cases import schemas as s
from cases import workflow as wf
from cases.models import Case, PhotoStage, Task
from cases.queries import visible_cases
from cases.steps import HANDLERS, TRANSITIONS, NotAllowed, WorkflowError
from catalog.models import CaseType, FilingCondition
from components.models import Component
from org.models import Membership, Person, Unit
from org.roles import Role

ROLE_HEADER = "X-UrbanGrid-Role"
ERRORS: dict[int, type[s.ErrorOut]] = {code: s.ErrorOut for code in (400, 401, 403, 404, 409, 422)}
SUMMARY_RELATED = ("case_type", "street", "responsible_unit")
DETAIL_RELATED = (
    *SUMMARY_RELATED,
    *("condition", "component", "grid", "community", "territory_unit", "team", "merged_into"),
)

router = Router(tags=["cases"])


class ApiError(WorkflowError):
    """A refusal of the API layer itself (the workflow's own are WorkflowError)."""

    def __init__(self, code: str, message: str, status_code: int = 400) -> None:
        super().__init__(code, message)
        self.status_code = status_code


# -- who is calling, as which post -------------------------------------------------------------


def caller(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]  # set by ninja's auth


def acting_post(request: HttpRequest) -> Membership:
    """The one post this request acts as: named by header or query parameter, or the only one."""
    wanted = request.headers.get(ROLE_HEADER) or request.GET.get("role")
    posts = list(Membership.objects.for_user(caller(request)))
    if wanted:
        if wanted not in Role.values:
            raise ApiError("unknown_role", _("There is no post %(role)s.") % {"role": wanted})
        chosen = [post for post in posts if post.role == wanted]
        if not chosen:
            raise NotAllowed("no_such_post", _("You do not hold this post."))
        return chosen[0]
    roles = sorted({post.role for post in posts})
    if len(roles) == 1:
        return posts[0]
    if not roles:
        raise NotAllowed("no_post", _("Your account holds no post."))
    raise ApiError(
        "role_required",
        _(
            "You hold several posts: choose one with the %(header)s header or the role "
            "parameter (%(roles)s)."
        )
        % {"header": ROLE_HEADER, "roles": ", ".join(roles)},
    )


def not_found(number: str) -> ApiError:
    # The same answer for a case that does not exist and one outside the post's scope.
    return ApiError(
        "not_found",
        _("There is no case %(number)s among the cases you may see.") % {"number": number},
        404,
    )


def visible_case(post: Membership, number: str, related: tuple[str, ...]) -> Case:
    cases = visible_cases(post.data_scope).filter(number=number)
    case = (cases.select_related(*related) if related else cases).first()
    if case is None:
        raise not_found(number)
    return case


def acting(request: HttpRequest, number: str, verb: str) -> tuple[User, Membership]:
    """The caller and post for a verb: the post itself must be one the verb allows (the
    workflow would otherwise act as any other post the user holds), and the case visible."""
    post = acting_post(request)
    if post.role not in TRANSITIONS[verb].roles:
        raise NotAllowed(
            "wrong_role",
            _("As %(role)s you cannot do this (%(verb)s).")
            % {"role": post.get_role_display(), "verb": verb},
        )
    if not visible_cases(post.data_scope).filter(number=number).exists():
        raise not_found(number)
    return caller(request), post


# -- helpers -------------------------------------------------------------------------------------


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
    post = acting_post(request)
    now = timezone.now()
    cases = visible_cases(post.data_scope)
    if filters.status:
        cases = cases.filter(status__in=filters.status)
    if filters.street:
        field = "street__full_code" if len(filters.street) > 3 else "street__code"
        cases = cases.filter(**{field: filters.street})
    if filters.unit:
        cases = cases.filter(responsible_unit__code=filters.unit)
    if filters.type:
        cases = cases.filter(case_type__code=filters.type)
    if filters.overdue is True:
        cases = cases.filter(due_at__lt=now)  # only open steps have a deadline
    elif filters.overdue is False:
        cases = cases.filter(Q(due_at__isnull=True) | Q(due_at__gte=now))
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


@router.get("/cases/{number}", response={200: s.CaseDetail, **ERRORS}, summary="One case")
def get_case(request: HttpRequest, number: str) -> s.CaseDetail:
    """The case with its deadlines, counters, timeline of events, tasks and photos."""
    post = acting_post(request)
    return s.case_detail(
        visible_case(post, number, DETAIL_RELATED),
        timezone.now(),
        # Like the case page: the reporter's contact only for district-wide (center) posts.
        show_contact=post.data_scope.whole_district,
    )


@router.get("/tasks", response={200: list[s.TaskWithCase], **ERRORS}, summary="My open tasks")
def my_tasks(request: HttpRequest) -> list[s.TaskWithCase]:
    """The verify (核实) and check (核查) tasks waiting for the calling inspector."""
    post = acting_post(request)
    if post.role != Role.INSPECTOR:
        raise NotAllowed("wrong_role", _("Only inspectors receive tasks."))
    now = timezone.now()
    tasks: QuerySet[Task] = (
        Task.objects.filter(inspector=post.person, done_at__isnull=True)
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
    types = CaseType.objects.filter(code=body.type, is_active=True)
    if body.edition:
        types = types.filter(major__edition__code=body.edition)
    else:
        types = types.filter(major__edition__is_current=True)
    if body.kind:
        types = types.filter(major__kind=body.kind)
    found = list(types[:2])
    if not found:
        raise ApiError("no_such_type", _("There is no type %(code)s.") % {"code": body.type})
    if len(found) > 1:
        raise ApiError(
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
        raise ApiError(
            "no_such_component",
            _("There is no component %(identifier)s.") % {"identifier": identifier},
        )
    return component


@router.post(
    "/cases", response={200: s.CaseSummary, 201: s.CaseSummary, **ERRORS}, summary="Report a case"
)
def report_case(request: HttpRequest, body: s.ReportIn) -> Status[s.CaseSummary]:
    """上报. 201 with the new case; a retry with the same `request_id` answers 200 with the
    case the first attempt made, and never makes a second one."""
    post = acting_post(request)
    now = timezone.now()
    case = wf.report(
        caller(request),
        role=post.role,
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
    # A retry (or the loser of a race on the same request id) gets the earlier case back.
    created = case.created_at == now
    return Status(201 if created else 200, s.case_summary(case, now))


# -- the verbs (STANDARDS.md §4, cases/workflow.py) ----------------------------------------------


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ApiError("no_such_unit", _("There is no unit %(code)s.") % {"code": code})
    return unit


def _inspector(username: str) -> Person:
    person = Person.objects.filter(user__username=username).first()
    if person is None:
        raise ApiError("no_such_person", _("There is no person %(name)s.") % {"name": username})
    return person


def _condition(pk: int) -> FilingCondition:
    condition = FilingCondition.objects.select_related("case_type").filter(pk=pk).first()
    if condition is None:
        raise ApiError("no_such_condition", _("There is no filing condition %(id)d.") % {"id": pk})
    return condition


def verb(name: str, body: str, label: str) -> Any:
    """Register POST /cases/{number}/<name>; the docstring says who may call it."""
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
    user, _post = acting(request, number, "send_verify")
    return changed(wf.send_verify(number, user, inspector=_inspector(body.inspector)))


@verb("verify", "found, reason", "核实 Verify")
def verify(request: HttpRequest, number: str, body: s.VerifyIn) -> s.CaseSummary:
    user, _post = acting(request, number, "verify")
    return changed(wf.verify(number, user, found=body.found, reason=body.reason))


@verb("self_handle", "reason", "自处理 Handle on the spot")
def self_handle(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, _post = acting(request, number, "self_handle")
    return changed(wf.self_handle(number, user, reason=body.reason))


@verb("file", "condition, reason", "立案 File")
def file(request: HttpRequest, number: str, body: s.FileIn) -> s.CaseSummary:
    user, _post = acting(request, number, "file")
    condition = _condition(body.condition)
    return changed(wf.file(number, user, condition=condition, reason=body.reason))


@verb("reject", "reason", "不予立案 Do not file")
def reject(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, _post = acting(request, number, "reject")
    return changed(wf.reject(number, user, reason=body.reason))


@verb("request_void", "reason", "作废申请 Request voiding")
def request_void(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, post = acting(request, number, "request_void")
    return changed(wf.request_void(number, user, role=post.role, reason=body.reason))


@verb("decide_void", "approve, reason", "作废审批 Decide on voiding")
def decide_void(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    user, _post = acting(request, number, "decide_void")
    return changed(wf.decide_void(number, user, approve=body.approve, reason=body.reason))


@verb("merge", "into, reason", "合并 Merge into an open case")
def merge(request: HttpRequest, number: str, body: s.MergeIn) -> s.CaseSummary:
    user, post = acting(request, number, "merge")
    return changed(wf.merge(number, user, role=post.role, into=body.into, reason=body.reason))


@verb("dispatch", "unit, reason", "派遣 Dispatch")
def dispatch(request: HttpRequest, number: str, body: s.DispatchIn) -> s.CaseSummary:
    user, _post = acting(request, number, "dispatch")
    return changed(wf.dispatch(number, user, unit=_unit(body.unit), reason=body.reason))


@verb("sign", "empty", "签收 Sign for")
def sign(request: HttpRequest, number: str, body: s.NoBody) -> s.CaseSummary:
    user, post = acting(request, number, "sign")
    return changed(wf.sign(number, user, role=post.role))


@verb("assign_team", "team", "分派处置队 Assign a team")
def assign_team(request: HttpRequest, number: str, body: s.AssignTeamIn) -> s.CaseSummary:
    user, post = acting(request, number, "assign_team")
    return changed(wf.assign_team(number, user, team=_unit(body.team), role=post.role))


@verb("feedback", "reason", "处置反馈 Report handled")
def feedback(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, post = acting(request, number, "feedback")
    return changed(wf.feedback(number, user, reason=body.reason, role=post.role))


@verb("return_case", "reason", "回退申请 Return to the dispatcher")
def return_case(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, post = acting(request, number, "return_case")
    return changed(wf.return_case(number, user, reason=body.reason, role=post.role))


@verb("decide_return", "approve, reason", "回退审批 Decide on a return")
def decide_return(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    user, _post = acting(request, number, "decide_return")
    return changed(wf.decide_return(number, user, approve=body.approve, reason=body.reason))


@verb("request_extension", "minutes, reason", "延期申请 Request more time")
def request_extension(request: HttpRequest, number: str, body: s.ExtensionIn) -> s.CaseSummary:
    user, post = acting(request, number, "request_extension")
    return changed(
        wf.request_extension(number, user, minutes=body.minutes, reason=body.reason, role=post.role)
    )


@verb("decide_extension", "approve, reason", "延期审批 Decide on an extension")
def decide_extension(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    user, _post = acting(request, number, "decide_extension")
    return changed(wf.decide_extension(number, user, approve=body.approve, reason=body.reason))


@verb("request_suspension", "reason", "挂账申请 Request suspension")
def request_suspension(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, post = acting(request, number, "request_suspension")
    return changed(wf.request_suspension(number, user, reason=body.reason, role=post.role))


@verb("decide_suspension", "approve, reason", "挂账审批 Decide on a suspension")
def decide_suspension(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    user, _post = acting(request, number, "decide_suspension")
    return changed(wf.decide_suspension(number, user, approve=body.approve, reason=body.reason))


@verb("resume", "reason", "挂账恢复 Resume")
def resume(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, _post = acting(request, number, "resume")
    return changed(wf.resume(number, user, reason=body.reason))


@verb("send_check", "inspector", "发核查 Send for check")
def send_check(request: HttpRequest, number: str, body: s.SendTaskIn) -> s.CaseSummary:
    user, _post = acting(request, number, "send_check")
    return changed(wf.send_check(number, user, inspector=_inspector(body.inspector)))


@verb("check", "passed, reason", "核查 Check")
def check(request: HttpRequest, number: str, body: s.CheckIn) -> s.CaseSummary:
    user, _post = acting(request, number, "check")
    return changed(wf.check(number, user, passed=body.passed, reason=body.reason))


@verb("close", "reason", "结案 Close")
def close(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, _post = acting(request, number, "close")
    return changed(wf.close(number, user, reason=body.reason))


@verb("urge", "reason", "督办 Urge")
def urge(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, post = acting(request, number, "urge")
    return changed(wf.urge(number, user, role=post.role, reason=body.reason))


@verb("appeal_overdue", "reason", "超时申诉 Appeal an overdue")
def appeal_overdue(request: HttpRequest, number: str, body: s.ReasonIn) -> s.CaseSummary:
    user, post = acting(request, number, "appeal_overdue")
    return changed(wf.appeal_overdue(number, user, reason=body.reason, role=post.role))


@verb("decide_appeal", "approve, reason", "申诉审核 Decide on an appeal")
def decide_appeal(request: HttpRequest, number: str, body: s.Decision) -> s.CaseSummary:
    user, post = acting(request, number, "decide_appeal")
    return changed(
        wf.decide_appeal(number, user, role=post.role, approve=body.approve, reason=body.reason)
    )


# -- photos ------------------------------------------------------------------------------------

# Which posts add photos at each stage: the report (inspectors, the supervision center), the
# handling unit's after-photo, and the inspector's check.
PHOTO_ROLES = {
    PhotoStage.REPORT: frozenset({Role.INSPECTOR, Role.ACCEPTOR, Role.SHIFT_LEADER}),
    PhotoStage.HANDLING: HANDLERS,
    PhotoStage.CHECK: frozenset({Role.INSPECTOR}),
}


@router.post("/cases/{number}/photos", response={201: s.PhotoOut, **ERRORS}, summary="Add a photo")
def add_photo(
    request: HttpRequest,
    number: str,
    stage: Form[PhotoStage],
    image: File[UploadedFile],
) -> Status[s.PhotoOut]:
    """Multipart: `stage` (report, handling, check) and `image` (JPEG or PNG)."""
    post = acting_post(request)
    if post.role not in PHOTO_ROLES[stage]:
        raise NotAllowed("wrong_role", _("Your post does not add photos at this stage."))
    case = visible_case(post, number, ())
    with transaction.atomic():
        photo = photos.store_photo(
            case, stage, image, caller(request), timezone.now(), membership=post
        )
    return Status(201, s.photo_out(photo))


@router.post("/cases/{number}/{action}", include_in_schema=False)
def unknown_verb(request: HttpRequest, number: str, action: str) -> NoReturn:
    raise ApiError("unknown_verb", _("There is no action %(verb)s.") % {"verb": action}, 404)
