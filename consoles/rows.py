"""The rows of the case list and of the desks' queues, prepared here: the template engine's
lookups, date filters and {% url %} per cell made 50 rows most of a list page's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from cases import deadlines
from cases.deadlines import Light
from cases.models import Case

SHORT = "%m-%d %H:%M"  # the year and seconds do not help in a list
# What a row reads, and no more (Case.objects.select_related(*ROW_RELATED).only(*ROW_COLUMNS)).
ROW_RELATED = ("case_type", "street")
ROW_COLUMNS = (
    *("number", "status", "pending_request", "created_at", "due_at", "warn_at"),
    *(f"{name}__name" for name in ROW_RELATED),
)


@dataclass(frozen=True)
class Row:
    case: Case
    href: str
    type_name: str
    state: str  # the decision it waits for, or else its status
    street: str
    reported: str
    due: str
    light: Light | None


def case_rows(cases: list[Case], now: datetime) -> list[Row]:
    """The rows of these cases, read with ROW_RELATED and ROW_COLUMNS."""
    detail = reverse("case_detail", kwargs={"number": "0"})[:-2]  # the number comes last
    return [
        Row(
            case=case,
            href=f"{detail}{case.number}/",
            type_name=case.case_type.name if case.case_type else "—",
            state=case.get_pending_request_display() or case.get_status_display(),
            street=case.street.name,
            reported=_short(case.created_at),
            due=_short(case.due_at),
            light=deadlines.light(case, now),
        )
        for case in cases
    ]


def _short(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime(SHORT) if moment else "—"
