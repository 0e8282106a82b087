"""Component files: import with a row-level report and all-or-nothing writing, export, and the
round trip through CSV, XLSX and GeoJSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import translation
from openpyxl import Workbook
from shapely.geometry import Point

from components.exporting import export_components
from components.importing import ImportReport, import_component_file
from components.models import (
    Component,
    ComponentSerial,
    ComponentStatus,
    ComponentStatusChange,
    DataSource,
    change_status,
)
from lib.coords import from_wgs84
from tests.components.conftest import EAST, OUTSIDE, WEST, Catalog
from tests.conftest import Org

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def csv_file(*rows: Sequence[object]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def import_csv(*rows: Sequence[object], **options: Any) -> ImportReport:
    with translation.override("en"):
        return import_component_file("components.csv", csv_file(*rows), **options)


HEADER = ["标识码", "名称", "小类代码", "主管部门代码", "部件状态", "初始日期", "经度", "纬度"]


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Component.objects.order_by("identifier").values_list(
            "identifier", "name", "case_type__code", "department__code", "owner__code",
            "maintainer__code", "status", "initial_date", "changed_date", "data_source",
            "location_text", "notes", "attributes", "grid__code",
        )
    )  # fmt: skip


def test_rows_without_identifiers_are_created_with_the_next_serials(
    catalog: Catalog, org: Org
) -> None:
    report = import_csv(
        HEADER,
        ["", "", "0101", "", "完好", "20190315", *WEST],
        ["", "东门井盖", "0101", "DB", "破损", "2019-03-16", *EAST],
        ["", "", "01001", "DA", "", "20200101", *WEST],
    )
    assert report.ok and report.written and (report.created, report.updated) == (3, 0)
    assert snapshot() == [
        ("52019901001000001", "供水井盖", "01001", "DA", None, None, "intact",
         date(2020, 1, 1), None, "", "", "", {}, "520199001001003"),
        ("5201990101000001", "上水井盖", "0101", "DA", None, None, "intact",
         date(2019, 3, 15), None, "", "", "", {}, "520199001001003"),
        ("5201990101000002", "东门井盖", "0101", "DB", None, None, "damaged",
         date(2019, 3, 16), None, "", "", "", {}, "520199002002002"),
    ]  # fmt: skip


def test_pinyin_and_egova_names_are_accepted_and_unknown_columns_kept_as_attributes(
    catalog: Catalog, org: Org
) -> None:
    report = import_csv(
        ["ObjID", "GLBJMC", "小类代码", "ZGBMDM", "DeptCode2", "YHDWDM", "ObjState", "CSRQ",
         "CHDate", "SJLY", "LocateDSC", "BZ", "PointX", "PointY", "Material"],
        ["5201990101000007", "", "0101", "DB", "DA", "DAT", "丢失", "20190315", "20240102",
         "实测", "翠湖路北侧", "盖板缺失", *WEST, "铸铁"],
    )  # fmt: skip
    assert report.ok, report.errors
    assert snapshot() == [
        ("5201990101000007", "上水井盖", "0101", "DB", "DA", "DAT", "missing",
         date(2019, 3, 15), date(2024, 1, 2), "survey", "翠湖路北侧", "盖板缺失",
         {"Material": "铸铁"}, "520199001001003"),
    ]  # fmt: skip
    assert ComponentSerial.objects.get(prefix="5201990101").last == 7


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(
    catalog: Catalog,
) -> None:
    existing = Component(case_type=catalog.cover, point=Point(*WEST))
    existing.save()
    before, serials = snapshot(), list(ComponentSerial.objects.values_list("prefix", "last"))
    report = import_csv(
        ["ObjID", "小类代码", "ZGBMDM", "部件状态", "ORDate", "PointX", "PointY"],
        ["", "0101", "", "完好", "20190315", *EAST],  # row 2 is fine
        ["", "9999", "", "", "20190315", *WEST],
        ["", "0101", "NOPE", "", "20190315", *WEST],
        ["", "0101", "", "", "2019/03/15", *WEST],
        ["", "0101", "", "", "20190315", *OUTSIDE],
        ["5201980101000009", "0101", "", "", "20190315", *WEST],
        ["5201990101000009", "0101", "", "", "20190315", *WEST],
        ["5201990101000009", "0101", "", "", "20190315", *WEST],
        [existing.identifier, "0101", "", "", "20190315", *WEST],
        ["", "0118", "", "坏了", "20190315", "abc", WEST[1]],
    )
    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "小类代码"),
        (4, "ZGBMDM"),
        (5, "ORDate"),
        (6, "PointX"),
        (7, "ObjID"),
        (9, "ObjID"),
        (10, "ObjID"),
        (11, "ZGBMDM"),
        (11, "部件状态"),
        (11, "PointX"),
    ]
    messages = [e.message for e in report.errors]
    assert messages[:4] == [
        "Row 3, column 小类代码: Unknown component type code '9999'.",
        "Row 4, column ZGBMDM: Unknown unit code 'NOPE'.",
        "Row 5, column ORDate: '2019/03/15' is not a date: write YYYYMMDD or YYYY-MM-DD.",
        "Row 6, column PointX: The position 106.310000, 26.610000 is outside the district's"
        " unit grids.",
    ]
    assert messages[4] == (
        "Row 7, column ObjID: Component identifier '5201980101000009' is invalid: digits 1-6:"
        " the district code must be this district's, 520199"
    )
    assert messages[5] == "Row 9, column ObjID: The identifier 5201990101000009 is also in row 8."
    assert messages[6] == (
        f"Row 10, column ObjID: A component with the identifier {existing.identifier}"
        " already exists."
    )
    assert messages[7:] == [
        "Row 11, column ZGBMDM: A value is required: the type has no competent department.",
        "Row 11, column 部件状态: Unknown status '坏了': use 完好, 破损, 丢失, 废弃 or 移除.",
        "Row 11, column PointX: 'abc' is not a number.",
    ]
    assert snapshot() == before
    assert list(ComponentSerial.objects.values_list("prefix", "last")) == serials


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("c.xlsx", b"not a zip", "The file is not an Excel workbook (.xlsx)."),
        ("c.geojson", b"{", "The file is not valid JSON: "),
        ("c.geojson", b'{"type": "Feature"}', "The file is not a GeoJSON FeatureCollection."),
        (
            "c.csv",
            csv_file(["名称", "经度", "纬度"], ["x", 1, 2]),
            "The file has no column 小类代码",
        ),
        ("c.csv", csv_file(["标识码", "ObjID"]), "Columns 标识码 and ObjID both give 标识码."),
        ("c.csv", b"", "The file has no header row."),
        ("c.txt", b"", "Unknown file type c.txt"),
    ],
)
def test_a_malformed_file_is_reported_as_a_whole(
    catalog: Catalog, name: str, data: bytes, message: str
) -> None:
    with translation.override("en"):
        report = import_component_file(name, data)
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert report.errors[0].message.startswith(message)
    assert not Component.objects.exists()


def test_update_mode_changes_existing_components_and_records_the_status_change(
    catalog: Catalog, org: Org
) -> None:
    component = Component(case_type=catalog.cover, point=Point(*WEST))
    component.save()
    report = import_csv(
        ["标识码", "小类代码", "部件状态", "经度", "纬度", "备注", "初始日期"],
        [component.identifier, "0101", "破损", *EAST, "盖板破裂", "20190401"],
        ["", "0101", "", *WEST, "", "20190402"],
        mode="update",
    )
    assert report.ok and (report.created, report.updated) == (1, 1)
    component.refresh_from_db()
    assert (component.status, component.notes) == (ComponentStatus.DAMAGED, "盖板破裂")
    assert component.initial_date == date(2019, 4, 1)
    assert component.grid is not None and component.grid.code == "520199002002002"
    assert component.department == org.department_a  # no such column: left as it was
    change = ComponentStatusChange.objects.get()
    assert (change.from_status, change.to_status) == ("intact", "damaged")
    assert Component.objects.count() == 2


def test_a_failure_while_writing_rolls_back_every_row(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    component = Component(case_type=catalog.cover, point=Point(*WEST))
    component.save()
    before, serials = snapshot(), list(ComponentSerial.objects.values_list("prefix", "last"))

    def refuse(*args: object) -> None:
        raise IntegrityError("simulated")

    monkeypatch.setattr("components.importing.change_status", refuse)
    report = import_csv(
        [*HEADER, "备注"],
        ["", "", "0101", "", "", "20190315", *EAST, "新的"],  # created first…
        [component.identifier, "", "0101", "", "破损", "20190315", *WEST, "改"],  # …then fails
        mode="update",
    )
    assert not report.written
    assert report.errors[0].message == (
        "The database refused the rows (simulated); nothing was imported."
    )
    assert snapshot() == before
    assert list(ComponentSerial.objects.values_list("prefix", "last")) == serials


def test_a_dry_run_checks_and_writes_nothing(catalog: Catalog) -> None:
    report = import_csv(HEADER, ["", "", "0101", "", "", "20190315", *WEST], dry_run=True)
    assert report.ok and not report.written
    assert not Component.objects.exists()


def test_gcj02_positions_are_converted_on_entry(catalog: Catalog) -> None:
    lon, lat = from_wgs84(*WEST, "gcj02")
    assert import_csv(HEADER, ["", "", "0101", "", "", "20190315", lon, lat], crs="gcj02").ok
    assert import_csv(
        [*HEADER, "坐标系"], ["", "", "0101", "", "", "20190315", lon, lat, "GCJ02"]
    ).ok
    for component in Component.objects.all():
        assert component.point.x == pytest.approx(WEST[0], abs=1e-7)
        assert component.point.y == pytest.approx(WEST[1], abs=1e-7)
        assert component.grid is not None and component.grid.code == "520199001001003"


def some_components(catalog: Catalog, org: Org, inspector: object) -> None:
    first = Component(
        case_type=catalog.cover, point=Point(*WEST), owner=org.department_b,
        maintainer=org.team_a, initial_date=date(2019, 4, 2), data_source=DataSource.SURVEY,
        location_text="翠湖路北侧", notes="备注，含逗号", attributes={"材质": "铸铁", "直径": 70},
    )  # fmt: skip
    first.save()
    change_status(first, ComponentStatus.DAMAGED, None, "破损")
    Component(
        case_type=catalog.supply_cover, point=Point(*EAST), department=org.department_b
    ).save()
    Component(case_type=catalog.lamp, point=Point(*EAST), department=org.department_a).save()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
@pytest.mark.parametrize("crs", ["wgs84", "bd09"])
def test_an_exported_file_imports_back_to_the_same_components(
    catalog: Catalog, org: Org, inspector: object, fmt: str, crs: str
) -> None:
    some_components(catalog, org, inspector)
    before = snapshot()
    points = {c.identifier: c.point for c in Component.objects.all()}
    data = export_components(Component.objects.all(), fmt, crs)
    Component.objects.all().delete()
    report = import_component_file(f"components.{fmt}", data)
    assert report.ok, report.errors
    assert snapshot() == before
    for component in Component.objects.all():
        assert component.point.distance(points[component.identifier]) < 1e-8


def test_an_export_uses_the_standards_headers_and_terms(catalog: Catalog, org: Org) -> None:
    some_components(catalog, org, None)
    rows = list(
        csv.reader(
            io.StringIO(export_components(Component.objects.all(), "csv").decode("utf-8-sig"))
        )
    )
    assert rows[0][:4] == ["标识码", "名称", "小类代码", "小类名称"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["标识码"] == "52019901001000001"
    damaged = dict(zip(rows[0], rows[2], strict=True))
    assert (damaged["部件状态"], damaged["初始日期"], damaged["数据来源"]) == (
        "破损",
        "20190402",
        "实测",
    )
    assert damaged["所在单元网格标识码"] == "520199001001003"
    assert json.loads(damaged["扩展属性"]) == {"材质": "铸铁", "直径": 70}


def test_an_xlsx_from_a_spreadsheet_with_typed_cells_imports(catalog: Catalog) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["小类代码", "初始日期", "经度", "纬度"])
    sheet.append(["0101", date(2019, 3, 15), *WEST])
    out = io.BytesIO()
    workbook.save(out)
    assert import_component_file("survey.xlsx", out.getvalue()).ok
    assert Component.objects.get().initial_date == date(2019, 3, 15)


def test_the_commands_export_and_import(catalog: Catalog, org: Org, tmp_path: Path) -> None:
    some_components(catalog, org, None)
    path = tmp_path / "components.geojson"
    call_command("export_components", str(path), "--crs", "gcj02", stdout=io.StringIO())
    Component.objects.all().delete()
    out = io.StringIO()
    call_command("import_components", str(path), "--dry-run", stdout=out)
    assert not Component.objects.exists()
    call_command("import_components", str(path), stdout=out)
    assert Component.objects.count() == 3
    with pytest.raises(CommandError, match="3 errors; nothing was imported"):
        call_command("import_components", str(path), stdout=out)
