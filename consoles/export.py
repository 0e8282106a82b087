"""The case list's rows as a file to take away, CSV or XLSX. Every export is recorded
(consoles.models.CaseExport) before a row leaves; reporters' contacts are never exported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from io import BytesIO
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cases import deadlines
from cases.models import Case
from consoles.models import CaseExport, ExportFormat
from consoles.search import CaseSearch
from org.access import Refusal

EXPORT_MAX = 100_000  # rows in one file; more must be narrowed by the filters first
EXPORT_RELATED = ("case_type", "street", "community", "grid", "responsible_unit")
CHUNK = 2_000


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _columns(now: datetime) -> list[tuple[str, Callable[[Case], Any]]]:
    """(heading, value of a case): the list's columns and a few more, no contact."""
    return [
        (_("Case number"), lambda case: case.number),
        (_("Channel"), lambda case: case.get_channel_display()),
        (_("Type"), lambda case: case.case_type.name if case.case_type else ""),
        (_("Status"), lambda case: case.get_status_display()),
        (_("Street"), lambda case: case.street.name if case.street else ""),
        (_("Community"), lambda case: case.community.name if case.community else ""),
        (_("Unit grid"), lambda case: case.grid.code if case.grid else ""),
        (_("Address"), lambda case: case.address),
        (_("Responsible unit"), lambda case: getattr(case.responsible_unit, "name", "")),
        (_("Reported at"), lambda case: _moment(case.created_at)),
        (_("Current step due"), lambda case: _moment(case.due_at)),
        (_("Light"), lambda case: _light_name(case, now)),
        (_("Handling deadline"), lambda case: _moment(case.handling_due_at)),
        (_("Closed at"), lambda case: _moment(case.closed_at)),
    ]


def _light_name(case: Case, now: datetime) -> str:
    light = deadlines.light(case, now)
    return str(light.label) if light else ""


def export(search: CaseSearch, file_format: str) -> HttpResponse | StreamingHttpResponse:
    """Record the export, then answer the file; refused when the rows are too many."""
    cases = search.cases
    rows = cases[: EXPORT_MAX + 1].count()
    if rows > EXPORT_MAX:
        raise Refusal(
            "export_too_large",
            _("More than %(max)d cases match: narrow the filters to export them.")
            % {"max": EXPORT_MAX},
            400,
        )
    actor = search.actor
    assert actor.user is not None, "only a person exports"
    CaseExport.objects.create(
        user=actor.user,
        role=actor.role or "",
        format=file_format,
        filters={**search.params.dict(), "view": search.view},
        rows=rows,
        created_at=search.now,
    )
    columns = _columns(search.now)
    lines = (
        [value(case) for _heading, value in columns]
        for case in cases.listed(*EXPORT_RELATED).iterator(chunk_size=CHUNK)
    )
    headings = [heading for heading, _value in columns]
    name = f"cases-{timezone.localtime(search.now):%Y%m%d-%H%M}.{file_format}"
    if file_format == ExportFormat.XLSX:
        return _xlsx(headings, lines, name)
    return _csv(headings, lines, name)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(headings: list[str], lines: Iterable[list[Any]], name: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # a byte-order mark, so spreadsheet programs read the Chinese as UTF-8
        yield writer.writerow(headings)
        for line in lines:
            yield writer.writerow(line)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(headings: list[str], lines: Iterable[list[Any]], name: str) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Cases"))
    sheet.append(headings)
    for line in lines:
        sheet.append(line)
    body = BytesIO()
    book.save(body)
    response = HttpResponse(
        body.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
