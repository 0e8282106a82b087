"""GET requests: the public view of service requests, with the spec's filters.

Published are the cases that came in through Open311 (PUBLISHED_CHANNELS): a case from another
channel was written for staff and may name people, so it is not ours to publish here. Only
public fields are shown, never the reporter's contact.

Without dates the list covers the last 90 days; a range may not span more than 90 days. A page
holds at most 1,000 requests (`page_size`, default 1,000), newest first; each page is one query
on the (channel, created_at) index, joined with the type, the responsible unit and the
Open311 row.

Every filter is checked before it reaches the database: a number is ASCII digits, a date lies
between YEARS (so that neither the 90 days' arithmetic nor the conversion to UTC can overflow),
and no text holds a control character (PostgreSQL cannot even compare a NUL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cases.models import CLOSED_STATUSES, Case, Channel, StatusKind
from intake.open311.formats import when
from intake.open311.services import service_code
from lib.text import has_control_characters
from org.access import Refusal

PUBLISHED_CHANNELS: Final = (Channel.OPEN311,)
SPAN: Final = timedelta(days=90)
PAGE_MAX: Final = 1000
IDS_MAX: Final = 100
CODES_MAX: Final = 20
STATUSES: Final = ("open", "closed")
_LOST_PLUS: Final = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")
YEARS: Final = range(1900, 2201)  # of a date filter: no case is older, none can be that new
TEXT_FILTERS: Final = ("service_request_id", "service_code", "status", "page", "page_size")


@dataclass(frozen=True)
class Filters:
    numbers: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = PAGE_MAX


def read_filters(query: QueryDict, now: datetime) -> Filters:
    """The filters of a GET, checked; service_request_id overrides the others (the spec)."""
    for name in TEXT_FILTERS:
        if any(has_control_characters(value) for value in query.getlist(name)):
            raise Refusal("bad_characters", _("The text holds control characters."))
    numbers = _list(query.get("service_request_id", ""))
    if len(numbers) > IDS_MAX:
        raise Refusal(
            "too_many_ids",
            _("Ask for at most %(n)d service_request_id at once.") % {"n": IDS_MAX},
        )
    page, page_size = _positive(query, "page", 1), _positive(query, "page_size", PAGE_MAX)
    if page_size > PAGE_MAX:
        raise Refusal("page_too_large", _("page_size may be at most %(n)d.") % {"n": PAGE_MAX})
    if numbers:
        return Filters(numbers=tuple(numbers), page=page, page_size=page_size)
    start, end = _date(query, "start_date"), _date(query, "end_date")
    start, end = _span(start, end, now)
    statuses = _list(",".join(query.getlist("status")))  # comma list, or declared again
    codes = _list(",".join(query.getlist("service_code")))
    if len(codes) > CODES_MAX:
        raise Refusal(
            "too_many_codes", _("Ask for at most %(n)d service_code at once.") % {"n": CODES_MAX}
        )
    for status in statuses:
        if status not in STATUSES:
            raise Refusal(
                "bad_status",
                _("status may be open or closed, not %(status)s.") % {"status": repr(status[:20])},
            )
    return Filters(
        service_codes=tuple(codes),
        start=start,
        end=end,
        statuses=tuple(sorted(set(statuses))),
        page=page,
        page_size=page_size,
    )


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _positive(query: QueryDict, name: str, default: int) -> int:
    text = query.get(name, "").strip()
    if not text:
        return default
    # ASCII: "²".isdigit() holds, and int("²") fails
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
        raise Refusal("bad_number", _("%(name)s must be a whole number from 1.") % {"name": name})
    return int(text)


def _date(query: QueryDict, name: str) -> datetime | None:
    """A W3C date-time (2026-11-23T10:00:00+08:00) or a date; naive times are local. Its year
    must be one of YEARS, in local time and in UTC."""
    text = query.get(name, "").strip()
    if not text:
        return None
    try:
        # An unencoded "+08:00" arrives as " 08:00".
        value = parse_datetime(_LOST_PLUS.sub(r"\1+\2", text))
        if value is None and (day := parse_date(text)) is not None:
            value = datetime(day.year, day.month, day.day)
        if value is None or value.year not in YEARS:
            raise _bad_date(name)
        value = timezone.make_aware(value) if timezone.is_naive(value) else value
        if value.astimezone(UTC).year not in YEARS:
            raise _bad_date(name)
    except (ValueError, OverflowError):
        raise _bad_date(name) from None
    return value


def _bad_date(name: str) -> Refusal:
    return Refusal(
        "bad_date",
        _("%(name)s must be a date and time such as 2026-11-23T10:00:00+08:00.") % {"name": name},
    )


def _span(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The dates asked for, or the last 90 days; at most 90 days."""
    try:
        if start is None:
            end = end or now
            start = end - SPAN
        elif end is None:
            end = min(start + SPAN, max(now, start))
    except OverflowError:  # YEARS keeps clear of it; a date near the edge is still no date
        raise _bad_date("end_date" if start is None else "start_date") from None
    if end < start:
        raise Refusal("bad_range", _("end_date lies before start_date."))
    if end - start > SPAN:
        raise Refusal("range_too_long", _("The dates may not span more than 90 days."))
    return start, end


def published() -> Any:
    return Case.objects.filter(channel__in=PUBLISHED_CHANNELS).select_related(
        "case_type__major", "responsible_unit", "open311_request"
    )


def find_cases(filters: Filters) -> list[Case]:
    """One page of matching cases, newest first: one query."""
    cases = published()
    if filters.numbers:
        cases = cases.filter(number__in=filters.numbers)
    else:
        cases = cases.filter(created_at__gte=filters.start, created_at__lte=filters.end)
        if filters.service_codes:
            cases = cases.filter(_of_services(filters.service_codes))
        if len(filters.statuses) == 1:
            closed = Q(status__in=CLOSED_STATUSES)
            cases = cases.filter(closed if filters.statuses[0] == "closed" else ~closed)
    first = (filters.page - 1) * filters.page_size
    return list(cases.order_by("-created_at", "-id")[first : first + filters.page_size])


def _of_services(codes: tuple[str, ...]) -> Q:
    """Cases of any of these service codes (kind-code, as services.py makes them)."""
    wanted = Q(pk__in=[])
    for kind, _dash, code in (text.partition("-") for text in codes):
        wanted |= Q(case_type__major__kind=kind, case_type__code=code)
    return wanted


def find_case(number: str) -> Case:
    case = published().filter(number=number).first()
    if case is None:
        raise Refusal(
            "unknown_request",
            _("There is no service request %(number)s.") % {"number": number[:20]},
            404,
        )
    return case


def as_request(case: Case) -> dict[str, Any]:
    """A case's public fields as a GeoReport request; never the reporter's contact."""
    extra = getattr(case, "open311_request", None)
    closed = case.status_kind == StatusKind.CLOSED
    case_type = case.case_type
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": case.get_status_display(),
        "service_name": case_type.name if case_type else None,
        "service_code": _code(case),
        "description": case.description,
        "agency_responsible": case.responsible_unit.name if case.responsible_unit else None,
        "service_notice": notice(),
        "requested_datetime": when(case.created_at),
        "updated_datetime": when((case.closed_at if closed else None) or case.step_started_at),
        "expected_datetime": when(case.handling_due_at),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": round(case.point.y, 7),
        "long": round(case.point.x, 7),
        "media_url": (extra.media_url or None) if extra else None,
    }


def _code(case: Case) -> str | None:
    return service_code(case.case_type) if case.case_type else None


def notice() -> str:
    return _(
        "An inspector verifies the report on site; the case is then filed, dispatched to the "
        "responsible unit, handled, checked and closed."
    )
