"""Hotline calls (热线): who may take them, recording one as a report, and the console's lists
(the callbacks due, my calls today).

A call becomes a case through cases/reporting.py like every other report, in the hotline
channel: a report from the public, verified (核实) by an inspector before it is accepted. The
call row is written in the same transaction, so a refused or failed report leaves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import callback_due
from cases.models import Case, Channel, Light, Status
from cases.reporting import report_case
from cases.steps import clean_text
from catalog.models import CaseType
from intake.hotline.models import CALLER_MAX, NOTE_MAX, Call
from org.access import Actor, Refusal, posts_of, viewer_for
from org.roles import Role

# 受理员 and 值班长: the supervision center's desks that answer the hotline.
HOTLINE_DESKS = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER})
CALLBACKS_SHOWN = 50
CALLS_SHOWN = 100
# Digits with an optional leading +; spaces, hyphens and brackets are dropped
# (0851-8123 4567, (0851)81234567, +86 138 1234 5678).
_PHONE = re.compile(r"\+?\d{3,20}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


@dataclass(frozen=True)
class CallIn:
    """What the acceptor recorded of one call."""

    caller: str
    phone: str
    case_type: CaseType
    description: str
    address: str
    lon: float
    lat: float
    is_urgent: bool
    callback_wanted: bool
    callback_note: str
    request_id: str


def hotline_actor(request: HttpRequest) -> Actor:
    """The acceptor or shift leader this browser answers the hotline as: the post chosen on a
    desk if it is one of them, else the user's first such post; refused for anyone else."""
    actor = viewer_for(request)
    if actor.role in HOTLINE_DESKS:
        return actor
    for post in posts_of(request.user):
        if post.role in HOTLINE_DESKS:
            return Actor(actor.user, post)
    raise Refusal(
        "not_hotline_desk",
        _("The hotline is for the supervision center's acceptors and shift leaders."),
        403,
    )


def clean_phone(phone: str) -> str:
    """The number without separators; refused unless it is 3 to 20 digits."""
    compact = _PHONE_SEPARATORS.sub("", phone)
    if compact and not _PHONE.fullmatch(compact):
        raise Refusal("bad_phone", _("A phone number has 3 to 20 digits."))
    return compact


def record_call(*, actor: Actor, call: CallIn, now: datetime | None = None) -> Call:
    """The call as a hotline report, with its call row. The same form sent twice (the same
    request id, the same content) gives the first call back; nothing is written twice."""
    if actor.role not in HOTLINE_DESKS or actor.user is None:
        raise Refusal("not_hotline_desk", _("Your post does not answer the hotline."), 403)
    now = now or timezone.now()
    phone = clean_phone(call.phone)
    if call.callback_wanted and not phone:
        raise Refusal("phone_required", _("A callback needs the caller's phone number."))
    caller = clean_text(call.caller, limit=CALLER_MAX)
    note = clean_text(call.callback_note, limit=NOTE_MAX)
    with transaction.atomic():
        case = report_case(
            actor=actor,
            channel=Channel.HOTLINE,
            description=call.description,
            lon=call.lon,
            lat=call.lat,
            case_type=call.case_type,
            address=call.address,
            request_id=call.request_id,
            contact_name=caller,
            contact_phone=phone,
            is_urgent=call.is_urgent,
            now=now,
        )
        # A retry finds the call of the first submit (report_case gave its case back).
        recorded, _created = Call.objects.get_or_create(
            case=case,
            defaults={
                "caller": caller,
                "phone": phone,
                "received_at": now,
                "taken_by": actor.user,
                "callback_wanted": call.callback_wanted,
                "callback_note": note,
            },
        )
    return recorded


@dataclass(frozen=True)
class CallbackDue:
    """A closed hotline case to call back, with whom to call."""

    case: Case
    caller: str
    phone: str
    note: str
    due: datetime
    light: Light | None


def callbacks_due() -> QuerySet[Case]:
    """回访 due: closed hotline cases not called back for this closing (the callback verb sets
    the satisfaction; a reopened case is not closed), the longest closed first. A case
    reported in the hotline channel without this console (through the API) is due as well;
    a caller who wanted no callback is not. They are few: the partial index cases_to_call_back
    (cases/models.py) holds the closed public reports not called back."""
    closed = Case.objects.filter(channel=Channel.HOTLINE, status=Status.CLOSED, satisfaction="")
    return (
        wanting_callback(closed)
        .select_related("hotline_call")
        .only(
            "number",
            "closed_at",
            "is_urgent",
            "contact_name",
            "contact_phone",
            "hotline_call__caller",
            "hotline_call__phone",
            "hotline_call__callback_note",
        )
        .order_by("closed_at", "id")
    )


def wanting_callback[C: QuerySet[Case]](cases: C) -> C:
    """Leave out the callers who asked for no callback (a report from elsewhere wants one)."""
    return cases.exclude(hotline_call__callback_wanted=False)


def to_call_back(cases: Iterable[Case], now: datetime) -> list[CallbackDue]:
    """Whom to call for each case, and by when: the call's caller, else the case's contact."""
    due = []
    for case in cases:
        call = getattr(case, "hotline_call", None)
        due.append(
            CallbackDue(
                case,
                call.caller if call else case.contact_name,
                call.phone if call else case.contact_phone,
                call.callback_note if call else "",
                *callback_due(case, now),
            )
        )
    return due


def calls_today(actor: Actor, now: datetime | None = None) -> QuerySet[Call]:
    """The calls this person took since midnight (local time), the newest first."""
    local = timezone.localtime(now or timezone.now())
    midnight = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    return (
        Call.objects.filter(taken_by=actor.user, received_at__gte=midnight)
        .select_related("case", "case__case_type")
        .order_by("-received_at", "-pk")
    )
