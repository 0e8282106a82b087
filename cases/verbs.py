"""Every verb of cases/workflow/ as one entry: its label, its input body and how the body's
names (a unit's code, an inspector's username, a condition's id) become the workflow
function's arguments. The JSON API and the consoles both call verbs through this table, so a
verb reads the same input, and refuses the same way, wherever it is called from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import schemas as s
from cases import workflow as wf
from cases.models import Case
from catalog.models import FilingCondition
from org.access import Actor, Refusal
from org.api import In
from org.models import Person, Unit

type Run = Callable[[Case, Actor, Any], Case]


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the standard's term and its English, for the API's description
    title: Promise  # what a button says, in the user's language
    body: type[In]
    run: Run


def unit(code: str) -> Unit:
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise Refusal("no_such_unit", gettext("There is no unit %(code)s.") % {"code": code})
    return found


def inspector(username: str) -> Person:
    person = Person.objects.select_related("user").filter(user__username=username).first()
    if person is None:
        raise Refusal(
            "no_such_person", gettext("There is no person %(name)s.") % {"name": username}
        )
    return person


def condition(pk: int) -> FilingCondition:
    found = FilingCondition.objects.select_related("case_type").filter(pk=pk).first()
    if found is None:
        raise Refusal(
            "no_such_condition", gettext("There is no filing condition %(id)d.") % {"id": pk}
        )
    return found


def _dispatch(case: Case, actor: Actor, body: s.DispatchIn) -> Case:
    co_units = [unit(code) for code in body.co_units]
    return wf.dispatch_case(
        case, actor=actor, unit=unit(body.unit), co_units=co_units, reason=body.reason
    )


def _decided(function: Callable[..., Case]) -> Run:
    return lambda case, actor, body: function(
        case, actor=actor, approve=body.approve, reason=body.reason
    )


def _reasoned(function: Callable[..., Case]) -> Run:
    return lambda case, actor, body: function(case, actor=actor, reason=body.reason)


VERBS: dict[str, Action] = {
    verb.name: verb
    for verb in (
        # 监督中心 supervision center
        Action(
            "send_verify", "发核实 Send for verification", _("Send for verification"),
            s.SendTaskIn,
            lambda c, a, b: wf.send_verify(c, actor=a, inspector=inspector(b.inspector)),
        ),
        Action(
            "verify", "核实 Verify", _("Verify"), s.VerifyIn,
            lambda c, a, b: wf.verify_report(c, actor=a, found=b.found, reason=b.reason),
        ),
        Action(
            "self_handle", "自处理 Handle on the spot", _("Handled on the spot"), s.ReasonIn,
            _reasoned(wf.self_handle),
        ),
        Action("accept", "受理 Accept", _("Accept"), s.ReasonIn, _reasoned(wf.accept_case)),
        Action(
            "decline", "不予受理 Do not accept", _("Do not accept"), s.ReasonIn,
            _reasoned(wf.decline_case),
        ),
        Action(
            "merge", "合并 Merge into an open case", _("Merge"), s.MergeIn,
            lambda c, a, b: wf.merge_case(c, actor=a, into=b.into, reason=b.reason),
        ),
        Action(
            "file", "立案 File", _("File"), s.FileIn,
            lambda c, a, b: wf.file_case(
                c, actor=a, condition=condition(b.condition), reason=b.reason
            ),
        ),
        Action(
            "reject", "不予立案 Do not file", _("Do not file"), s.ReasonIn,
            _reasoned(wf.reject_case),
        ),
        Action(
            "request_void", "作废申请 Request voiding", _("Request voiding"), s.ReasonIn,
            _reasoned(wf.request_void),
        ),
        Action(
            "decide_void", "作废审批 Decide on voiding", _("Decide on voiding"), s.Decision,
            _decided(wf.decide_void),
        ),
        Action(
            "send_check", "发核查 Send for check", _("Send for check"), s.SendTaskIn,
            lambda c, a, b: wf.send_check(c, actor=a, inspector=inspector(b.inspector)),
        ),
        Action(
            "check", "核查 Check", _("Check"), s.CheckIn,
            lambda c, a, b: wf.check_case(c, actor=a, passed=b.passed, reason=b.reason),
        ),
        Action("close", "结案 Close", _("Close"), s.ReasonIn, _reasoned(wf.close_case)),
        Action(
            "close_special", "特殊结案 Close specially", _("Close specially"), s.ReasonIn,
            _reasoned(wf.close_special),
        ),
        Action(
            "callback", "回访 Call the reporter back", _("Record the callback"), s.CallbackIn,
            lambda c, a, b: wf.callback_case(
                c, actor=a, satisfaction=b.satisfaction, reason=b.reason
            ),
        ),
        # 指挥中心 command center
        Action("dispatch", "派遣 Dispatch", _("Dispatch"), s.DispatchIn, _dispatch),
        Action(
            "decide_return", "回退审批 Decide on a return", _("Decide on the return"),
            s.Decision, _decided(wf.decide_return),
        ),
        Action(
            "decide_extension", "延期审批 Decide on an extension", _("Decide on the extension"),
            s.Decision, _decided(wf.decide_extension),
        ),
        Action(
            "decide_suspension", "挂账审批 Decide on a suspension",
            _("Decide on the suspension"), s.Decision, _decided(wf.decide_suspension),
        ),
        Action("resume", "挂账恢复 Resume", _("Resume"), s.ReasonIn, _reasoned(wf.resume_case)),
        Action("urge", "督办 Urge", _("Urge"), s.ReasonIn, _reasoned(wf.urge_case)),
        Action(
            "decide_appeal", "申诉审核 Decide on an appeal", _("Decide on the appeal"),
            s.Decision, _decided(wf.decide_appeal),
        ),
        # 处置单位 handling units
        Action(
            "sign", "签收 Sign for", _("Sign for"), s.NoBody,
            lambda c, a, b: wf.sign_case(c, actor=a),
        ),
        Action(
            "assign_team", "分派处置队 Assign a team", _("Assign a team"), s.AssignTeamIn,
            lambda c, a, b: wf.assign_team(c, actor=a, team=unit(b.team)),
        ),
        Action(
            "co_feedback", "协办反馈 Report the co-handled part", _("Report our part"),
            s.ReplyIn, lambda c, a, b: wf.co_feedback(c, actor=a, reply=b.reply),
        ),
        Action(
            "feedback", "处置反馈 Report handled", _("Report handled"), s.ReasonIn,
            _reasoned(wf.feedback_case),
        ),
        Action(
            "return_case", "回退申请 Return to the dispatcher", _("Return to the dispatcher"),
            s.ReasonIn, _reasoned(wf.return_case),
        ),
        Action(
            "request_extension", "延期申请 Request more time", _("Request more time"),
            s.ExtensionIn,
            lambda c, a, b: wf.request_extension(c, actor=a, minutes=b.minutes, reason=b.reason),
        ),
        Action(
            "request_suspension", "挂账申请 Request suspension", _("Request suspension"),
            s.ReasonIn, _reasoned(wf.request_suspension),
        ),
        Action(
            "answer_urge", "督办回复 Answer an urging", _("Answer the urging"), s.ReasonIn,
            _reasoned(wf.answer_urge),
        ),
        Action(
            "appeal_overdue", "超时申诉 Appeal an overdue", _("Appeal the overdue"), s.ReasonIn,
            _reasoned(wf.appeal_overdue),
        ),
    )
}  # fmt: skip
