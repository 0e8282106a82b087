"""Component files: the columns, and reading CSV, XLSX and GeoJSON into a table of rows.

Headers are the standard's Chinese attribute names (GB/T 47678.5 表2, STANDARDS.md §2.2); the
pinyin abbreviations (GLBJBSM …) and the eGova field names (ObjID …) are accepted as aliases.
Derived columns (names of types and units, grid, street and community codes) are written on
export for the reader and ignored on import. Reading never touches the database.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from django.utils.translation import gettext as _
from openpyxl import load_workbook

FORMATS: Final = ("csv", "xlsx", "geojson")
REQUIRED: Final = ("type_code", "lon", "lat")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # written on export
    aliases: tuple[str, ...] = ()
    derived: bool = False  # written on export, ignored on import


COLUMNS: Final = (
    Column("identifier", "标识码", ("管理部件标识码", "部件标识码", "GLBJBSM", "ObjID")),
    Column("name", "名称", ("管理部件名称", "部件名称", "GLBJMC", "ObjName")),
    Column("type_code", "小类代码", ("部件小类代码", "类型代码", "XLDM", "ObjCode")),
    Column("type_name", "小类名称", ("XLMC",), derived=True),
    Column("department", "主管部门代码", ("ZGBMDM", "DeptCode1")),
    Column("department_name", "主管部门名称", ("ZGBMMC", "DeptName1"), derived=True),
    Column("owner", "权属单位代码", ("QSDWDM", "DeptCode2")),
    Column("owner_name", "权属单位名称", ("QSDWMC", "DeptName2"), derived=True),
    Column("maintainer", "养护单位代码", ("YHDWDM", "DeptCode3")),
    Column("maintainer_name", "养护单位名称", ("YHDWMC", "DeptName3"), derived=True),
    Column("grid", "所在单元网格标识码", ("单元网格标识码", "SZDYWGBSM", "BGID"), derived=True),
    Column("street", "所在街道代码", ("SZJDDM",), derived=True),
    Column("community", "所在社区代码", ("SZSQDM",), derived=True),
    Column("status", "部件状态", ("管理部件状态", "状态", "GLBJZT", "ObjState")),
    Column("initial_date", "初始日期", ("CSRQ", "ORDate")),
    Column("changed_date", "变更日期", ("BGRQ", "CHDate")),
    Column("data_source", "数据来源", ("SJLY", "DataSource")),
    Column("location_text", "位置描述", ("LocateDSC",)),
    Column("notes", "备注", ("BZ", "Note")),
    Column("lon", "经度", ("X", "PointX", "lon", "longitude")),
    Column("lat", "纬度", ("Y", "PointY", "lat", "latitude")),
    Column("crs", "坐标系", ("crs",)),
    Column("attributes", "扩展属性", ("attributes",)),
)
HEADERS: Final = {column.key: column.header for column in COLUMNS}


def file_format(name: str) -> str:
    """csv, xlsx or geojson, by the file name's extension."""
    suffix = name.rsplit(".", 1)[-1].lower()
    if suffix == "json":
        return "geojson"
    if suffix not in FORMATS:
        raise ValueError(f"unknown component file format {suffix!r}: use .csv, .xlsx or .geojson")
    return suffix


def _normal(header: str) -> str:
    return header.strip().casefold()


ALIASES: Final = {
    _normal(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)
}


class ComponentFileError(ValueError):
    """The file cannot be read at all (not the checks of its rows)."""


@dataclass
class Table:
    headers: dict[str, str]  # our key → the file's header
    rows: list[tuple[int, dict[str, Any], dict[str, Any]]]  # (number, values, extras)
    geojson: bool = False
    order: list[str] = field(default_factory=list)  # the file's headers, left to right

    def position(self, header: str) -> int:
        return self.order.index(header) if header in self.order else len(self.order)


# --- reading files ---------------------------------------------------------------------------


def read_component_file(name: str, data: bytes) -> Table:
    try:
        fmt = file_format(name)
    except ValueError:
        raise ComponentFileError(
            _("Unknown file type %(name)s: use .csv, .xlsx or .geojson.") % {"name": name}
        ) from None
    if fmt == "csv":
        return _table(enumerate(csv.reader(io.StringIO(_decode(data))), start=1))
    if fmt == "xlsx":
        return _table(_xlsx_rows(data))
    return _geojson_table(data)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Excel writes for CSV on Chinese Windows
    except UnicodeDecodeError:
        raise ComponentFileError(_("The file is neither UTF-8 nor GB18030 text.")) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ComponentFileError(_("The file is not an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _table(rows: Iterable[tuple[int, list[Any]]]) -> Table:
    rows = iter(rows)
    for _number, cells in rows:
        if any(cell_text(cell) for cell in cells):
            headers = [cell_text(cell) for cell in cells]
            break
    else:
        raise ComponentFileError(_("The file has no header row."))
    keys = _keys(headers)
    table = Table({keys[i]: h for i, h in enumerate(headers) if i in keys}, [], order=headers)
    for number, cells in rows:
        if not any(cell_text(cell) for cell in cells):
            continue
        values = {keys[i]: cell for i, cell in enumerate(cells) if i in keys}
        extras = {h: cells[i] for i, h in enumerate(headers[: len(cells)]) if h and i not in keys}
        table.rows.append((number, values, extras))
    _check_required(table)
    return table


def _keys(headers: list[str]) -> dict[int, str]:
    """Column position → our key, for the headers we know."""
    keys: dict[int, str] = {}
    seen: dict[str, str] = {}
    for position, header in enumerate(headers):
        key = ALIASES.get(_normal(header))
        if key is None:
            continue
        if key in seen:
            raise ComponentFileError(
                _("Columns %(first)s and %(second)s both give %(column)s.")
                % {"first": seen[key], "second": header, "column": HEADERS[key]}
            )
        seen[key] = header
        keys[position] = key
    return keys


def _check_required(table: Table) -> None:
    for key in REQUIRED:
        if key not in table.headers:
            aliases = next(c.aliases for c in COLUMNS if c.key == key)
            raise ComponentFileError(
                _("The file has no column %(column)s (nor %(aliases)s).")
                % {"column": HEADERS[key], "aliases": ", ".join(aliases)}
            )


def _geojson_table(data: bytes) -> Table:
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ComponentFileError(
            _("The file is not valid JSON: %(error)s") % {"error": error}
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ComponentFileError(_("The file is not a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list):
        raise ComponentFileError(_("The FeatureCollection has no list of features."))
    table = Table({"lon": "geometry", "lat": "geometry"}, [], geojson=True, order=["geometry"])
    for number, feature in enumerate(features, start=1):
        lon, lat = _point_of(number, feature)
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise ComponentFileError(_("Feature %(n)d has no properties object.") % {"n": number})
        names = list(properties)
        keys = _keys(names)
        values: dict[str, Any] = {"lon": lon, "lat": lat}
        extras: dict[str, Any] = {}
        for position, name in enumerate(names):
            if name not in table.order:
                table.order.insert(-1, name)
            if position in keys:
                values[keys[position]] = properties[name]
                table.headers.setdefault(keys[position], name)
            else:
                extras[name] = properties[name]
        table.rows.append((number, values, extras))
    return table


def _point_of(number: int, feature: Any) -> tuple[Any, Any]:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coordinates = geometry.get("coordinates")
        if isinstance(coordinates, list) and len(coordinates) >= 2:
            return coordinates[0], coordinates[1]
    raise ComponentFileError(_("Feature %(n)d has no readable geometry.") % {"n": number})


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()
