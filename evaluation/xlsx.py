"""The monthly evaluation as an XLSX workbook: a summary sheet (the headline figures and the
audit chain's verdict), then a sheet per kind of object with its grade, score, indicators and
counts, raw and appeal-exempt side by side. Labels in the active language."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from evaluation.indicators import COUNTS
from evaluation.models import ObjectKind
from evaluation.report import Report
from evaluation.scores import INDICATORS, Row

PERCENT = "0.0%"


def workbook_bytes(report: Report) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")
    write_summary(summary, report)
    for kind, rows in report.tables.items():
        sheet = book.create_sheet(str(ObjectKind(kind).label)[:31].replace("/", "／"))
        write_table(sheet, kind, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_summary(sheet: Worksheet, report: Report) -> None:
    figures = report.headline
    lines: list[tuple[str, Any, str]] = [
        (_("Period"), report.period.label, ""),
        (_("Cases filed (立案数)"), figures.filed, ""),
        (_("Discovery rate (主动发现率)"), figures.discovery_rate, PERCENT),
        (_("Cases closed (结案数)"), figures.handled, ""),
        (_("Handling rate (结案率)"), figures.handling_rate, PERCENT),
        (_("On-time closing rate (按期结案率)"), figures.on_time_rate, PERCENT),
        (_("Mean hours from report to closing"), figures.mean_hours, "0.0"),
        (_("Median hours from report to closing"), figures.median_hours, "0.0"),
        (_("Reports from the public (公众举报数)"), figures.public_calls, ""),
    ]
    if report.chain is not None:
        verdict = _("verifies") if report.chain.verifies else _("BROKEN")
        lines.append((_("Audit chain of the period's cases"), verdict, ""))
        lines.append((_("Cases checked"), report.chain.cases, ""))
        lines += [(f.case_number, f.problem, "") for f in report.chain.findings[:1000]]
    for number, (label, value, style) in enumerate(lines, start=1):
        sheet.cell(number, 1, label).font = Font(bold=True)
        cell = sheet.cell(number, 2, value)
        if style:
            cell.number_format = style
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 18


def write_table(sheet: Worksheet, kind: str, rows: list[Row]) -> None:
    indicators = INDICATORS[kind]
    counts = COUNTS[kind]
    exempt_label = _("appeal-exempt")
    header = [_("Name"), _("Grade"), _("Score"), f"{_('Grade')} ({exempt_label})"]
    header += [f"{_('Score')} ({exempt_label})"]
    header += [str(i.label) for i in indicators]
    header += [f"{i.label} ({exempt_label})" for i in indicators]
    header += [str(c.label) for c in counts]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        line: list[Any] = [row.name, row.raw.grade, row.raw.score, row.exempt.grade]
        line += [row.exempt.score]
        line += [row.raw.values[i.key] for i in indicators]
        line += [row.exempt.values[i.key] for i in indicators]
        line += [row.counts[c.key] for c in counts]
        sheet.append(line)
    first_rate = 6
    for offset, indicator in enumerate(indicators * 2):
        if indicator.percent:
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=first_rate + offset, max_col=first_rate + offset
            ):
                cell.number_format = PERCENT
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.number_format = "0.0"
    for (cell,) in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.number_format = "0.0"
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 24
