"""Import components from CSV, XLSX or GeoJSON: every row is checked, then all are written or
none.

Columns are named as in components/files.py (Chinese headers, GB/T 47678.5 abbreviations
and eGova names as aliases). Columns the file has but we do not know are kept as per-type extra
attributes (eGova's SetLoc, Material …). Positions come in the crs given (wgs84 by default) or
the row's 坐标系. Identifiers given are checked against the district and the row's type;
missing ones are generated. In "create" mode an identifier that already exists is an error; in
"update" mode that component is changed (a column the file lacks leaves its field as it is).

Imported into the GB/T 47678.5 edition, a legacy CJ/T 214 type code (4 digits) lands on its
current type through the crosswalk (catalog.lookup.crosswalk_for); a legacy identifier becomes
the same district and serial with the current type code, and the old one is kept as the
attribute LEGACY_ID_ATTRIBUTE. A legacy type without an equivalent is an error of its row.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from shapely.geometry import Point

from catalog.lookup import crosswalk_for
from catalog.models import CaseType, Edition, TypeKind
from components.files import HEADERS, ComponentFileError, Table, cell_text, read_component_file
from components.messages import component_id_error_text
from components.models import (
    DATA_SOURCE_TERMS,
    STATUS_TERMS,
    Component,
    ComponentStatus,
    change_status,
    note_serial,
    reserve_serials,
)
from geo.lookup import Location, OutsideDistrict, locate_many, territory_index
from geo.messages import coordinate_error_text
from lib.bulk import insert_new
from lib.component_ids import (
    ComponentIdError,
    build_component_id,
    parse_component_id,
    validate_component_id,
)
from lib.coords import CoordinateError, check_lon_lat, parse_crs, to_wgs84_many
from org.models import Unit

MODES: Final = ("create", "update")
MAX_LENGTHS: Final = {"name": 50, "location_text": 256, "notes": 1000}
BATCH: Final = 1000
LEGACY_ID_ATTRIBUTE: Final = "原标识码"
LEGACY_CODE_DIGITS: Final = 4


@dataclass(frozen=True)
class RowError:
    row: int  # 0: the file as a whole
    column: str  # as the file names it
    message: str  # in the user's language


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- cell values -----------------------------------------------------------------------------


class _Problem(ValueError):
    pass


_DATE_FORMATS: Final = (
    (re.compile(r"\d{8}"), "%Y%m%d"),
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "%Y-%m-%d"),
)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern, fmt in _DATE_FORMATS:
        if pattern.fullmatch(text):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                break
    raise _Problem(
        _("%(value)s is not a date: write YYYYMMDD or YYYY-MM-DD.") % {"value": repr(text)}
    )


def _number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = cell_text(value)
    try:
        return float(text)
    except ValueError:
        raise _Problem(_("%(value)s is not a number.") % {"value": repr(text)}) from None


def _term(value: Any, terms: dict[str, str], problem: str) -> str:
    text = cell_text(value)
    for choice, term in terms.items():
        if text in (term, choice):
            return choice
    raise _Problem(problem % {"value": repr(text)})


# --- checking rows ---------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    case_type: CaseType
    fields: dict[str, Any]
    identifier: str
    lon: float
    lat: float
    crs: str
    location: Location | None = None
    x: float = 0.0
    y: float = 0.0


class _Checker:
    def __init__(self, table: Table, crs: str, mode: str, edition: Edition | None) -> None:
        self.table, self.crs, self.mode = table, crs, mode
        types = CaseType.objects.filter(major__kind=TypeKind.COMPONENT).select_related(
            "major__edition"
        )
        if edition is not None:
            types = types.filter(major__edition=edition)
        self.types: dict[str, list[CaseType]] = defaultdict(list)
        for case_type in types:
            self.types[case_type.code].append(case_type)
        self.edition = edition
        # Into the current (5-digit) edition, legacy codes are translated.
        self.legacy: dict[str, CaseType | None] = (
            crosswalk_for(TypeKind.COMPONENT)
            if edition is not None and edition.type_code_length > LEGACY_CODE_DIGITS
            else {}
        )
        self.units = dict(Unit.objects.values_list("code", "id"))
        self.errors: list[RowError] = []

    def error(self, number: int, key: str, problem: str) -> None:
        column = self.table.headers.get(key, HEADERS.get(key, key))
        template = (
            _("Feature %(row)d, property %(column)s: %(problem)s")
            if self.table.geojson
            else _("Row %(row)d, column %(column)s: %(problem)s")
        )
        message = template % {"row": number, "column": column, "problem": problem}
        self.errors.append(RowError(number, column, message))

    def check(self) -> list[_Row]:
        given = [self._identifier(values)[0] for _n, values, _e in self.table.rows]
        self.known = set(_existing([identifier for identifier in given if identifier]))
        rows = []
        for number, values, extras in self.table.rows:
            row = self._row(number, values, extras)
            if row is not None:
                rows.append(row)
        self._place(rows)
        self._check_identifiers([r for r in rows if r.location is not None])
        return rows

    def _row(self, number: int, values: dict[str, Any], extras: dict[str, Any]) -> _Row | None:
        failed = len(self.errors)
        case_type = self._attempt(number, "type_code", self._type, values)
        position = self._attempt(number, "lon", self._position, values)
        identifier, legacy_id = self._identifier(values)
        # A new component needs the standard's mandatory values even if the file lacks the
        # column; an existing one keeps what the file does not mention.
        new = self.mode == "create" or identifier not in self.known
        fields: dict[str, Any] = {}
        for key, parse in self._parsers(case_type):
            if key in self.table.headers or (new and key in CREATE_DEFAULTS):
                fields[key] = self._attempt(number, key, parse, values.get(key))
        attributes = self._attempt(number, "attributes", _attributes, values, extras)
        if legacy_id:
            attributes = {**(attributes or {}), LEGACY_ID_ATTRIBUTE: legacy_id}
        if attributes is not None:
            fields["attributes"] = attributes
        if len(self.errors) > failed or case_type is None or position is None:
            return None
        return _Row(number, case_type, fields, identifier, *position)

    def _attempt(self, number: int, key: str, parse: Callable[..., Any], *args: Any) -> Any:
        try:
            return parse(*args)
        except _Problem as problem:
            self.error(number, key, str(problem))
        except CoordinateError as error:
            self.error(number, key, coordinate_error_text(error))
        return None

    def _identifier(self, values: dict[str, Any]) -> tuple[str, str]:
        """The row's identifier, and the legacy one it was translated from (or "")."""
        identifier = cell_text(values.get("identifier"))
        code = cell_text(values.get("type_code"))
        current = None if code in self.types else self.legacy.get(code)
        if current is None or not _is_legacy_id(identifier):
            return identifier, ""
        legacy = identifier.strip()
        return legacy[:6] + current.code + legacy[-6:], legacy

    def _type(self, values: dict[str, Any]) -> CaseType:
        code = cell_text(values.get("type_code"))
        if not code:
            raise _Problem(_("A value is required."))
        found = self.types.get(code, [])
        if not found and code in self.legacy:
            current = self.legacy[code]
            if current is None:
                raise _Problem(
                    _(
                        "The legacy type code %(code)s has no equivalent in %(edition)s "
                        "(see the crosswalk in the catalogue's administration)."
                    )
                    % {"code": repr(code), "edition": self.edition}
                )
            found = [current]
        if not found:
            raise _Problem(_("Unknown component type code %(code)s.") % {"code": repr(code)})
        if len(found) > 1:
            raise _Problem(
                _("The type code %(code)s exists in several editions: choose the edition.")
                % {"code": repr(code)}
            )
        return found[0]

    def _position(self, values: dict[str, Any]) -> tuple[float, float, str]:
        lon, lat = _number(values.get("lon")), _number(values.get("lat"))
        crs = parse_crs(cell_text(values.get("crs")) or self.crs)
        check_lon_lat(lon, lat)
        return lon, lat, crs

    def _parsers(self, case_type: CaseType | None) -> list[tuple[str, Callable[[Any], Any]]]:
        # Without a known type the other cells are still checked, against no defaults.
        type_name = case_type.name if case_type else ""
        department = case_type.default_department_id if case_type else None
        return [
            ("name", lambda v: _limited("name", cell_text(v)) or type_name),
            ("department", lambda v: self._unit(v, department, required=bool(case_type))),
            ("owner", lambda v: self._unit(v, None, required=False)),
            ("maintainer", lambda v: self._unit(v, None, required=False)),
            ("status", _status),
            ("initial_date", _required_date),
            ("changed_date", _date),
            ("data_source", _data_source),
            ("location_text", lambda v: _limited("location_text", cell_text(v))),
            ("notes", lambda v: _limited("notes", cell_text(v))),
        ]

    def _unit(self, value: Any, default: int | None, *, required: bool) -> int | None:
        code = cell_text(value)
        if not code:
            if required and default is None:
                raise _Problem(_("A value is required: the type has no competent department."))
            return default
        if code not in self.units:
            raise _Problem(_("Unknown unit code %(code)s.") % {"code": repr(code)})
        return self.units[code]

    def _place(self, rows: list[_Row]) -> None:
        """Convert every position to WGS84 and find its grid, a batch per coordinate system."""
        index = {location.grid_id: location for location in territory_index().locations}
        by_crs: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            by_crs[row.crs].append(row)
        for crs, group in by_crs.items():
            xs, ys = to_wgs84_many([r.lon for r in group], [r.lat for r in group], crs)
            grid_ids = locate_many(xs, ys)
            for row, x, y, grid_id in zip(
                group, xs.tolist(), ys.tolist(), grid_ids.tolist(), strict=True
            ):
                row.x, row.y = x, y
                if grid_id < 0:
                    self.error(row.number, "lon", str(OutsideDistrict(row.lon, row.lat)))
                else:
                    row.location = index[grid_id]

    def _check_identifiers(self, rows: list[_Row]) -> None:
        first_row: dict[str, int] = {}
        for row in rows:
            if not row.identifier:
                continue
            try:
                validate_component_id(
                    row.identifier,
                    district=row.location.grid_code[:6],  # type: ignore[union-attr]
                    type_code=row.case_type.code,
                )
            except ComponentIdError as error:
                self.error(row.number, "identifier", component_id_error_text(error))
                continue
            row.identifier = row.identifier.strip()
            if row.identifier in first_row:
                self.error(
                    row.number,
                    "identifier",
                    _("The identifier %(identifier)s is also in row %(row)d.")
                    % {"identifier": row.identifier, "row": first_row[row.identifier]},
                )
            first_row.setdefault(row.identifier, row.number)
        if self.mode == "create":
            for identifier in self.known & first_row.keys():
                self.error(
                    first_row[identifier],
                    "identifier",
                    _("A component with the identifier %(identifier)s already exists.")
                    % {"identifier": identifier},
                )


CREATE_DEFAULTS: Final = frozenset(("name", "department", "status", "initial_date"))


def _limited(key: str, text: str) -> str:
    if len(text) > MAX_LENGTHS[key]:
        raise _Problem(_("At most %(n)d characters.") % {"n": MAX_LENGTHS[key]})
    return text


def _status(value: Any) -> str:
    if not cell_text(value):
        return ComponentStatus.INTACT
    return _term(
        value,
        STATUS_TERMS,
        _("Unknown status %(value)s: use 完好, 破损, 丢失, 废弃 or 移除."),
    )


def _data_source(value: Any) -> str:
    if not cell_text(value):
        return ""
    return _term(
        value,
        DATA_SOURCE_TERMS,
        _("Unknown data source %(value)s: use 实测, 地形图, 基础地理数据 or 其他."),
    )


def _required_date(value: Any) -> date:
    found = _date(value)
    if found is None:
        raise _Problem(_("A value is required."))
    return found


def _attributes(values: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any] | None:
    given = values.get("attributes")
    attributes: dict[str, Any] = {}
    if isinstance(given, dict):
        attributes.update(given)
    elif cell_text(given):
        try:
            parsed = json.loads(cell_text(given))
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            raise _Problem(_("Not a JSON object."))
        attributes.update(parsed)
    attributes.update({k: v for k, v in extras.items() if cell_text(v)})
    if "attributes" not in values and not extras:
        return None
    return attributes


def _is_legacy_id(identifier: str) -> bool:
    """District + 4-digit type + serial, in ASCII digits."""
    text = identifier.strip()
    return len(text) == 6 + LEGACY_CODE_DIGITS + 6 and text.isascii() and text.isdigit()


def _existing(identifiers: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(identifiers), BATCH):
        chunk = identifiers[start : start + BATCH]
        found += Component.objects.filter(identifier__in=chunk).values_list("identifier", flat=True)
    return found


# --- writing ---------------------------------------------------------------------------------


def import_components(
    table: Table,
    *,
    crs: str = "wgs84",
    mode: str = "create",
    edition: Edition | None = None,
    user: User | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row of ``table``; unless there is an error (or ``dry_run``), write them
    all in one transaction."""
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}: use create or update")
    report = ImportReport()
    try:
        crs = parse_crs(crs)
    except CoordinateError as error:
        report.errors.append(RowError(0, "", coordinate_error_text(error)))
        return report
    checker = _Checker(table, crs, mode, edition)
    rows = checker.check()
    report.errors = sorted(checker.errors, key=lambda e: (e.row, table.position(e.column)))
    if not report.ok or dry_run:
        return report
    try:
        with transaction.atomic():
            report.created, report.updated = _write(rows, user)
    except IntegrityError as error:
        # E.g. another import took one of the identifiers after the checks ran.
        report.errors.append(
            RowError(
                0,
                "",
                _("The database refused the rows (%(error)s); nothing was imported.")
                % {"error": error},
            )
        )
        return report
    report.written = True
    return report


def import_component_file(name: str, data: bytes, **options: Any) -> ImportReport:
    """Read and import a file; a file that cannot be read is reported as an error."""
    try:
        table = read_component_file(name, data)
    except ComponentFileError as error:
        return ImportReport(errors=[RowError(0, "", str(error))])
    return import_components(table, **options)


def _write(rows: list[_Row], user: User | None) -> tuple[int, int]:
    existing: dict[str, Component] = {}
    given = [r.identifier for r in rows if r.identifier]
    for start in range(0, len(given), BATCH):
        chunk = given[start : start + BATCH]
        existing.update(
            (c.identifier, c)
            for c in Component.objects.select_for_update().filter(identifier__in=chunk)
        )
    new = [r for r in rows if r.identifier not in existing]
    _assign_identifiers(new)
    insert_new(Component, (_new_component(r) for r in new), batch_size=BATCH)
    _update([(existing[r.identifier], r) for r in rows if r.identifier in existing], user)
    return len(new), len(rows) - len(new)


def _assign_identifiers(rows: list[_Row]) -> None:
    """Given serials are noted first, so that generated ones continue after them."""
    taken: dict[str, int] = {}
    for row in rows:
        if row.identifier:
            parsed = parse_component_id(row.identifier)
            taken[parsed.prefix] = max(taken.get(parsed.prefix, 0), parsed.serial)
    for prefix, serial in taken.items():
        note_serial(prefix, serial)
    wanting: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        if not row.identifier:
            district = row.location.grid_code[:6]  # type: ignore[union-attr]
            wanting[(district, row.case_type.code)].append(row)
    for (district, code), group in wanting.items():
        serials = reserve_serials(district + code, len(group))
        for row, serial in zip(group, serials, strict=True):
            row.identifier = build_component_id(district, code, serial)


def _model_fields(row: _Row) -> dict[str, Any]:
    values = {f"{k}_id" if k in UNIT_FIELDS else k: v for k, v in row.fields.items()}
    location = row.location
    assert location is not None
    values.update(
        point=Point(row.x, row.y),
        grid_id=location.grid_id,
        community_id=location.community_id,
        street_id=location.street_id,
    )
    return values


UNIT_FIELDS: Final = frozenset(("department", "owner", "maintainer"))


def _new_component(row: _Row) -> Component:
    return Component(identifier=row.identifier, case_type=row.case_type, **_model_fields(row))


def _update(pairs: list[tuple[Component, _Row]], user: User | None) -> None:
    if not pairs:
        return
    names: set[str] = set()
    for component, row in pairs:
        values = _model_fields(row)
        status = values.pop("status", component.status)
        if status != component.status:
            change_status(component, status, user, _("Imported from a file"))
        for name, value in values.items():
            setattr(component, name, value)
        names |= values.keys()
    Component.objects.bulk_update([c for c, _row in pairs], sorted(names), batch_size=500)
