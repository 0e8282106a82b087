"""The filing standard (立案、处置和结案标准) as an XLSX sheet, one row per filing condition, in the
layout cities publish: 大类代码, 大类名称, 小类代码, 小类名称, 立案标准, 完成时限, 结案标准,
责任单位, then optionally 类别 (部件/事件), 立案区域 and 紧急程度.

Import checks every row first and writes all or nothing. For each type in the sheet its conditions
become the sheet's rows (in sheet order); types absent from the sheet are untouched. A row whose
小类代码 the edition lacks adds a local extension type (扩展事件) — in its major class if that
exists, else in a new major named by 大类名称 — so a city can extend the catalogue by sheet.
类别 is needed only where a major class code exists for both kinds (01–05 in both editions) and
neither the type's nor the major's name tells which is meant; a new major without 类别 holds
events. An unchanged row keeps its identity and source; a changed type's conditions become local
(catalog.loading.claim_conditions), so reloads leave them alone.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from catalog.limits import LimitTextError, limit_text, parse_limit_text
from catalog.loading import NAME_MATCH_MIN, Changes, ConditionData, claim_conditions, similarity
from catalog.models import (
    NATURAL_UNITS,
    AreaClass,
    CaseType,
    Edition,
    FilingCondition,
    LimitUnit,
    MajorClass,
    TypeKind,
    Urgency,
)

HEADERS: Final = (
    *("大类代码", "大类名称", "小类代码", "小类名称"),
    *("立案标准", "完成时限", "结案标准", "责任单位"),
)
OPTIONAL: Final = ("类别", "立案区域", "紧急程度")
SHEET_TITLE: Final = "立案结案标准"
IMPORT_SOURCE: Final = "本地导入（XLSX）"

KIND_TERMS: Final = {TypeKind.COMPONENT: "部件", TypeKind.EVENT: "事件"}
KIND_ALIASES: Final = {"部件": TypeKind.COMPONENT, "事件": TypeKind.EVENT, "事项": TypeKind.EVENT}
AREA_TERMS: Final = {AreaClass.MAIN_ROAD: "主次干道、重点区域", AreaClass.ORDINARY: "一般区域"}
URGENCY_TERMS: Final = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急"}
# 紧急 with a working unit is the published "X紧急工作时": the clock runs on after hours.
URGENT_UNIT: Final[dict[str, str]] = {
    LimitUnit.WORKING_HOUR: LimitUnit.NATURAL_HOUR,
    LimitUnit.WORKING_DAY: LimitUnit.NATURAL_DAY,
}
MAX_LENGTHS: Final = {"大类名称": 30, "小类名称": 50, "责任单位": 200}


@dataclass(frozen=True)
class RowError:
    row: int  # the sheet's row number; 0: the file as a whole
    column: str  # the sheet's header, or ""
    message: str  # in the user's language

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = _("row %(row)d") % {"row": self.row}
        if self.column:
            where = f"{where}, {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- export ----------------------------------------------------------------------------------


def export_standard(edition: Edition) -> bytes:
    """The edition's filing standard as an XLSX workbook."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append([*HEADERS, *OPTIONAL])
    conditions = (
        FilingCondition.objects.filter(case_type__major__edition=edition)
        .select_related("case_type__major")
        .order_by("case_type__major__kind", "case_type__major__code", "case_type__code", "position")
    )
    for condition in conditions:
        sheet.append(_export_row(condition))
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text that begins with "=" is text, not a formula
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJK", (8, 16, 10, 20, 50, 14, 30, 30, 6, 18, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export_row(condition: FilingCondition) -> list[str]:
    case_type = condition.case_type
    major = case_type.major
    return [
        major.code,
        major.name,
        case_type.code,
        case_type.name,
        condition.condition,
        limit_text(condition.limit_value, condition.limit_unit, condition.urgency),
        condition.closing_condition,
        condition.responsible_text,
        KIND_TERMS[TypeKind(major.kind)],
        AREA_TERMS.get(AreaClass(condition.area_class), ""),
        URGENCY_TERMS[Urgency(condition.urgency)],
    ]


# --- reading ---------------------------------------------------------------------------------


class _FileProblem(ValueError):
    pass


class _CellProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise _FileProblem(_("The file is not an Excel workbook (.xlsx).")) from None
    try:
        cells = [
            [cell_text(value) for value in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    if not cells:
        raise _FileProblem(_("The sheet is empty: the first row must name the columns."))
    headers = _headers(cells[0])
    return [
        (number, dict(zip(headers, row, strict=False)))
        for number, row in enumerate(cells[1:], start=2)
        if any(row)
    ]


def _headers(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row = row[:-1]
    if tuple(row[: len(HEADERS)]) != HEADERS:
        raise _FileProblem(
            _("The first row must name the columns %(columns)s, in this order.")
            % {"columns": "、".join(HEADERS)}
        )
    extra = row[len(HEADERS) :]
    for header in extra:
        if header not in OPTIONAL or extra.count(header) > 1:
            raise _FileProblem(
                _(
                    "Unknown or repeated column “%(column)s”: after the first eight, only "
                    "%(optional)s."
                )
                % {"column": header, "optional": "、".join(OPTIONAL)}
            )
    return row


# --- checking rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    number: int
    kind: str
    major_code: str
    major_name: str
    type_code: str
    type_name: str
    data: ConditionData

    @property
    def type_key(self) -> tuple[str, str]:
        return self.kind, self.type_code

    @property
    def duplicate_key(self) -> tuple[str, ...]:
        d = self.data
        return (self.kind, self.type_code, d.condition, d.area_class, d.closing_condition)


class _Catalogue:
    """What the edition already holds, and what the sheet adds to it."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        self.majors = {(m.kind, m.code): m for m in edition.majors.all()}
        self.types = {
            (t.major.kind, t.code): t
            for t in CaseType.objects.filter(major__edition=edition).select_related("major")
        }

    def kinds_of_major(self, code: str) -> set[str]:
        return {kind for kind, major_code in self.majors if major_code == code}


def _check_row(number: int, cells: dict[str, str], catalogue: _Catalogue) -> SheetRow:
    digits = catalogue.edition.type_code_length
    major_code = _code(cells, "大类代码", 2)
    type_code = _code(cells, "小类代码", digits)
    if not type_code.startswith(major_code):
        raise _CellProblem(
            "小类代码",
            _("The type code %(code)s does not begin with its major class code %(major)s.")
            % {"code": type_code, "major": major_code},
        )
    kind = _kind(cells, major_code, type_code, catalogue)
    value, unit, urgency = _limit(cells)
    data = ConditionData(
        condition=_required(cells, "立案标准"),
        urgency=urgency,
        limit_value=value,
        limit_unit=unit,
        closing_condition=_required(cells, "结案标准"),
        area_class=_area(cells.get("立案区域", "")),
        responsible_text=_short(cells, "责任单位"),
        source=IMPORT_SOURCE,
    )
    return SheetRow(
        number,
        kind,
        major_code,
        _short(cells, "大类名称"),
        type_code,
        _short(cells, "小类名称"),
        data,
    )


def _code(cells: dict[str, str], column: str, digits: int) -> str:
    text = cells.get(column, "")
    if text.isdigit() and len(text) < digits:
        text = text.zfill(digits)  # a number cell loses its leading zeros
    if not re.fullmatch(rf"\d{{{digits}}}", text):
        raise _CellProblem(
            column,
            _("“%(value)s” is not a code of %(digits)d digits.")
            % {"value": text, "digits": digits},
        )
    return text


def _kind(cells: dict[str, str], major_code: str, type_code: str, catalogue: _Catalogue) -> str:
    text = cells.get("类别", "")
    if text:
        kind = KIND_ALIASES.get(text) or (text if text in TypeKind.values else None)
        if kind is None:
            raise _CellProblem("类别", _("Write 部件 or 事件, not “%(value)s”.") % {"value": text})
        return kind
    kinds = catalogue.kinds_of_major(major_code)
    if not kinds:
        return TypeKind.EVENT
    named = _kinds_by_name(kinds, cells, major_code, type_code, catalogue)
    if len(named) == 1:
        return named.pop()
    if len(kinds) == 1:
        kind = kinds.pop()
        if not cells.get("大类名称"):
            return kind
        major = catalogue.majors[(kind, major_code)]
        raise _CellProblem(
            "大类名称",
            _(
                "Major class %(code)s is “%(name)s” (%(kind)s) in this edition: correct the "
                "name, or write 部件 or 事件 in 类别 to add a class of the other kind."
            )
            % {"code": major_code, "name": major.name, "kind": KIND_TERMS[TypeKind(kind)]},
        )
    raise _CellProblem(
        "类别",
        _(
            "Cannot tell whether major class %(code)s means components or events: "
            "write 部件 or 事件."
        )
        % {"code": major_code},
    )


def _kinds_by_name(
    kinds: set[str],
    cells: dict[str, str],
    major_code: str,
    type_code: str,
    catalogue: _Catalogue,
) -> set[str]:
    """The one kind the type's or the major's name points to, or an empty set."""
    type_name, major_name = cells.get("小类名称", ""), cells.get("大类名称", "")
    guesses = [
        {k for k in kinds if getattr(catalogue.types.get((k, type_code)), "name", "") == type_name},
        {k for k in kinds if catalogue.majors[(k, major_code)].name == major_name},
        {
            k
            for k in kinds
            if similarity(catalogue.majors[(k, major_code)].name, major_name) >= NAME_MATCH_MIN
        },
    ]
    return next((guess for guess in guesses if len(guess) == 1), set())


def _limit(cells: dict[str, str]) -> tuple[int, str, str]:
    try:
        value, unit, urgency = parse_limit_text(cells.get("完成时限", ""))
    except LimitTextError as error:
        raise _CellProblem("完成时限", str(error)) from None
    stated = cells.get("紧急程度", "")
    if stated not in ("", *URGENCY_TERMS.values()):
        message = _("Write 紧急 or 一般, not “%(value)s”.") % {"value": stated}
        raise _CellProblem("紧急程度", message)
    if stated == URGENCY_TERMS[Urgency.URGENT] and urgency == Urgency.NORMAL:
        if unit not in NATURAL_UNITS:
            unit = URGENT_UNIT[unit]
        urgency = Urgency.URGENT
    elif stated == URGENCY_TERMS[Urgency.NORMAL] and urgency == Urgency.URGENT:
        raise _CellProblem("紧急程度", _("The time limit is urgent (紧急) but the row says 一般."))
    return value, unit, urgency


def _area(text: str) -> str:
    for area, term in AREA_TERMS.items():
        if text in (term, area.value):
            return area.value
    if text:
        raise _CellProblem(
            "立案区域",
            _("Unknown area class “%(value)s”: leave it empty or write %(terms)s.")
            % {"value": text, "terms": "、".join(AREA_TERMS.values())},
        )
    return AreaClass.ANY.value


def _required(cells: dict[str, str], column: str) -> str:
    text = cells.get(column, "")
    if not text:
        raise _CellProblem(column, _("This cell must not be empty."))
    return text


def _short(cells: dict[str, str], column: str) -> str:
    text = cells.get(column, "")
    limit = MAX_LENGTHS[column]
    if len(text) > limit:
        raise _CellProblem(
            column, _("At most %(n)d characters, not %(m)d.") % {"n": limit, "m": len(text)}
        )
    return text


def _cross_check(rows: list[SheetRow], catalogue: _Catalogue) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[tuple[str, ...], int] = {}
    new_types: dict[tuple[str, str], SheetRow] = {}
    new_majors: dict[tuple[str, str], SheetRow] = {}
    for row in rows:
        if row.duplicate_key in seen:
            errors.append(
                RowError(
                    row.number,
                    "立案标准",
                    _("This row repeats row %(row)d.") % {"row": seen[row.duplicate_key]},
                )
            )
        seen.setdefault(row.duplicate_key, row.number)
        problem = _type_problem(row, catalogue, new_types, new_majors)
        if problem is not None:
            errors.append(problem)
    return errors


def _type_problem(
    row: SheetRow,
    catalogue: _Catalogue,
    new_types: dict[tuple[str, str], SheetRow],
    new_majors: dict[tuple[str, str], SheetRow],
) -> RowError | None:
    existing = catalogue.types.get(row.type_key)
    if existing is not None:
        if row.type_name == existing.name:
            return None
        return RowError(
            row.number,
            "小类名称",
            _("Type %(code)s is called “%(name)s” in this edition.")
            % {"code": existing.code, "name": existing.name},
        )
    if not row.type_name:
        return RowError(row.number, "小类名称", _("A new extension type needs a name."))
    first = new_types.setdefault(row.type_key, row)
    if first.type_name != row.type_name:
        return RowError(
            row.number,
            "小类名称",
            _("Row %(row)d names type %(code)s differently.")
            % {"row": first.number, "code": row.type_code},
        )
    if (row.kind, row.major_code) in catalogue.majors:
        return None
    if not row.major_name:
        return RowError(
            row.number,
            "大类名称",
            _("Major class %(code)s does not exist: give its name to add it.")
            % {"code": row.major_code},
        )
    first = new_majors.setdefault((row.kind, row.major_code), row)
    if first.major_name != row.major_name:
        return RowError(
            row.number,
            "大类名称",
            _("Row %(row)d names major class %(code)s differently.")
            % {"row": first.number, "code": row.major_code},
        )
    return None


# --- writing ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    majors: list[MajorClass] = field(default_factory=list)
    types: list[CaseType] = field(default_factory=list)  # new extension types
    changed: list[CaseType] = field(default_factory=list)  # types whose conditions change
    changes: Changes = field(default_factory=Changes)


class _Rollback(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("rolled back")
        self.errors = errors


def import_standard(edition: Edition, data: bytes, *, dry_run: bool = False) -> ImportResult:
    """Check the sheet and, if every row passes and not dry_run, write it (all or nothing)."""
    result = ImportResult()
    try:
        cells = _sheet_rows(data)
    except _FileProblem as problem:
        result.errors.append(RowError(0, "", str(problem)))
        return result
    if not cells:
        result.errors.append(RowError(0, "", _("The sheet has no rows under the header.")))
        return result
    catalogue = _Catalogue(edition)
    rows = []
    for number, row_cells in cells:
        try:
            rows.append(_check_row(number, row_cells, catalogue))
        except _CellProblem as problem:
            result.errors.append(RowError(number, problem.column, str(problem)))
    result.errors.extend(_cross_check(rows, catalogue))
    result.errors.sort(key=lambda error: error.row)
    if result.errors:
        return result
    plan = _plan(rows, catalogue)
    result.counts.update(
        rows=len(rows),
        types=len({row.type_key for row in rows}),
        majors_created=len(plan.majors),
        types_created=len(plan.types),
        conditions_created=len(plan.changes.create),
        conditions_updated=len(plan.changes.update),
        conditions_deleted=len(plan.changes.delete),
    )
    if dry_run:
        return result
    try:
        _write(plan)
    except _Rollback as rollback:
        result.errors = rollback.errors
        return result
    result.written = True
    return result


def _plan(rows: list[SheetRow], catalogue: _Catalogue) -> _Plan:
    plan = _Plan()
    wanted: dict[tuple[str, str], list[ConditionData]] = {}
    for row in rows:
        if row.type_key not in catalogue.types:
            _new_type(row, catalogue, plan)
        wanted.setdefault(row.type_key, []).append(row.data)
    present = [catalogue.types[key] for key in wanted]
    current: dict[int, list[FilingCondition]] = {}
    for condition in FilingCondition.objects.filter(
        case_type__in=[t for t in present if t.pk]
    ).order_by("position", "pk"):
        current.setdefault(condition.case_type_id, []).append(condition)
    for key, desired in wanted.items():
        case_type = catalogue.types[key]
        changes = Changes()
        changes.plan(case_type, current.get(case_type.pk or 0, []), desired, keep_equal_source=True)
        if changes:
            plan.changed.append(case_type)
            plan.changes.add(changes)
    return plan


def _new_type(row: SheetRow, catalogue: _Catalogue, plan: _Plan) -> CaseType:
    major = catalogue.majors.get((row.kind, row.major_code))
    if major is None:
        major = MajorClass(
            edition=catalogue.edition, kind=row.kind, code=row.major_code, name=row.major_name
        )
        catalogue.majors[(row.kind, row.major_code)] = major
        plan.majors.append(major)
    case_type = CaseType(major=major, code=row.type_code, name=row.type_name, is_extension=True)
    catalogue.types[row.type_key] = case_type
    plan.types.append(case_type)
    return case_type


@transaction.atomic
def _write(plan: _Plan) -> None:
    for major in plan.majors:
        major.save()
    for case_type in plan.types:
        case_type.save()
    kept = plan.changes.apply(Counter())
    if kept:
        raise _Rollback([_in_use(condition) for condition in kept])
    for case_type in plan.changed:
        claim_conditions(case_type)


def _in_use(condition: FilingCondition) -> RowError:
    case_type = condition.case_type
    return RowError(
        0,
        "",
        _(
            "The condition “%(condition)s” of %(code)s %(name)s is used by cases and cannot "
            "be removed: keep it in the sheet."
        )
        % {"condition": condition.condition, "code": case_type.code, "name": case_type.name},
    )
