"""The catalogue's management commands: load, export and import with row errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalog.models import CaseType, TypeKind
from tests.catalog.conftest import conditions, legacy
from tests.catalog.test_xlsx import COVER, sheet

pytestmark = pytest.mark.django_db


def test_load_catalog_reports_what_it_loaded(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_catalog")
    out = capsys.readouterr().out
    assert "types: 542" in out
    assert CaseType.objects.count() == 542


def test_an_exported_standard_imports_back(tmp_path: Path, loaded: dict[str, int]) -> None:
    path = tmp_path / "standard.xlsx"
    call_command("export_filing_standard", str(path), "--edition", "cjt214-2007")
    call_command("import_filing_standard", str(path), "--edition", "cjt214-2007")
    assert len(conditions(legacy(TypeKind.COMPONENT, "0101"))) == 4


def test_a_dry_run_writes_nothing(tmp_path: Path, loaded: dict[str, int]) -> None:
    path = tmp_path / "standard.xlsx"
    path.write_bytes(sheet([*COVER, "井盖缺失", "2紧急工作时", "补齐", ""]))
    call_command("import_filing_standard", str(path), "--edition", "cjt214-2007", "--dry-run")
    assert len(conditions(legacy(TypeKind.COMPONENT, "0101"))) == 4


def test_row_errors_are_printed_and_the_command_fails(
    tmp_path: Path, loaded: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "standard.xlsx"
    path.write_bytes(sheet([*COVER, "井盖缺失", "尽快", "补齐", ""]))
    with translation.override("en"), pytest.raises(CommandError, match="1 errors"):
        call_command("import_filing_standard", str(path), "--edition", "cjt214-2007")
    assert "row 2, 完成时限: “尽快” is not a time limit" in capsys.readouterr().err


def test_an_unknown_edition_is_named(tmp_path: Path, loaded: dict[str, int]) -> None:
    with pytest.raises(CommandError, match=r"known editions: .*gbt47678-2026"):
        call_command("export_filing_standard", str(tmp_path / "x.xlsx"), "--edition", "nope")
