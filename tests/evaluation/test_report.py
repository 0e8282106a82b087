"""The monthly report: XLSX with a sheet per kind, the command, and the audit chain's verdict."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cases.models import CaseEvent
from evaluation.models import ObjectKind
from evaluation.periods import Period
from evaluation.report import build_report
from evaluation.xlsx import workbook_bytes
from tests.cases.conftest import World
from tests.cases.making import handling

NOVEMBER = Period.month(date(2026, 11, 1))


def test_the_workbook_has_a_summary_and_a_sheet_per_kind(world: World) -> None:
    handling(world)
    report = build_report(NOVEMBER)
    book = load_workbook(io.BytesIO(workbook_bytes(report)))
    assert len(book.sheetnames) == 1 + len(ObjectKind.values)
    units = book.worksheets[1 + ObjectKind.values.index(ObjectKind.UNIT)]
    names = [row[0] for row in units.iter_rows(min_row=2, values_only=True)]
    assert world.org.department_a.name in names
    row = next(
        r
        for r in units.iter_rows(min_row=2, values_only=True)
        if r[0] == world.org.department_a.name
    )
    expected = next(r for r in report.tables[ObjectKind.UNIT] if r.key == world.org.department_a.pk)
    assert row[1:3] == (expected.grade, pytest.approx(expected.score))
    summary = dict(book.worksheets[0].iter_rows(values_only=True))
    assert NOVEMBER.label in summary.values()


def test_the_command_writes_the_workbook_and_says_the_chain_verifies(
    world: World, tmp_path: Path
) -> None:
    handling(world)
    out = tmp_path / "2026-11.xlsx"
    call_command("evaluate", "--period", "2026-11", "--format", "xlsx", "--out", str(out))
    assert load_workbook(out).sheetnames
    text = io.StringIO()
    call_command("evaluate", "--period", "2026-11", stdout=text)
    assert "audit chain of 1 cases: verifies" in text.getvalue()


def test_a_tampered_event_breaks_the_reports_chain_and_the_command_fails(world: World) -> None:
    case = handling(world)
    CaseEvent.objects.filter(case=case, verb="dispatch").update(reason="改过的")
    report = build_report(NOVEMBER)
    assert report.chain is not None and not report.chain.verifies
    assert report.chain.findings[0].case_number == case.number
    with pytest.raises(CommandError, match="audit chain is broken"):
        call_command("evaluate", "--period", "2026-11", stdout=io.StringIO())


def test_a_bad_period_is_refused_in_plain_words(db: None) -> None:
    with pytest.raises(CommandError, match="2026-10"):
        call_command("evaluate", "--period", "October")
