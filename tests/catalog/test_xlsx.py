"""The filing standard as an XLSX sheet: export, import back unchanged, row errors with nothing
written, and extension types added by sheet."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from catalog.loading import CURRENT_EDITION, LEGACY_EDITION, load_catalog
from catalog.models import (
    CaseType,
    Edition,
    FilingCondition,
    LimitUnit,
    MajorClass,
    TypeKind,
    Urgency,
)
from catalog.xlsx import HEADERS, IMPORT_SOURCE, OPTIONAL, export_standard, import_standard
from tests.catalog.conftest import case_under, conditions, legacy, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]
COVER = ["01", "公用设施类", "0101", "上水井盖"]


def sheet(*rows: list[object], headers: tuple[str, ...] = HEADERS) -> bytes:
    workbook = Workbook()
    page = workbook.active
    assert page is not None
    page.append(list(headers))
    for row in rows:
        page.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(edition: str, data: bytes) -> list[tuple[int, str, str]]:
    with translation.override("en"):
        result = import_standard(Edition.objects.get(code=edition), data)
    assert not result.written
    return [(e.row, e.column, e.message) for e in result.errors]


def legacy_edition() -> Edition:
    return Edition.objects.get(code=LEGACY_EDITION.code)


def test_the_export_has_the_published_columns_and_one_row_per_condition(
    catalog_once: dict[str, int],
) -> None:
    edition = Edition.objects.get(code=CURRENT_EDITION.code)
    page = load_workbook(io.BytesIO(export_standard(edition))).worksheets[0]
    rows = list(page.iter_rows(values_only=True))
    assert rows[0] == (*HEADERS, *OPTIONAL)
    assert (
        len(rows) - 1 == FilingCondition.objects.filter(case_type__major__edition=edition).count()
    )
    assert rows[1][:6] == ("01", "市政公用设施", "01001", "供水井盖", rows[1][4], "2小时（紧急）")
    assert rows[1][8:] == ("部件", None, "紧急")


@pytest.mark.parametrize("edition", [CURRENT_EDITION.code, LEGACY_EDITION.code])
def test_importing_the_export_changes_nothing(catalog_once: dict[str, int], edition: str) -> None:
    before = snapshot(edition)
    result = import_standard(Edition.objects.get(code=edition), export_standard(
        Edition.objects.get(code=edition)
    ))  # fmt: skip
    assert result.ok and result.written
    assert result.counts["conditions_created"] == result.counts["conditions_updated"] == 0
    assert result.counts["conditions_deleted"] == 0
    assert snapshot(edition) == before


def test_text_that_looks_like_a_formula_stays_text(catalog_once: dict[str, int]) -> None:
    row = conditions(legacy(TypeKind.COMPONENT, "0101"))[0]
    row.condition = '=HYPERLINK("http://example.com")'
    row.save()
    page = load_workbook(io.BytesIO(export_standard(legacy_edition()))).worksheets[0]
    assert page["E2"].value == row.condition
    assert page["E2"].data_type == "s"


def test_a_sheet_replaces_the_conditions_of_its_types_only(catalog_once: dict[str, int]) -> None:
    lamp_before = snapshot(LEGACY_EDITION.code)
    data = sheet(
        [*COVER, "井盖缺失", "1小时（紧急）", "补齐", "区自来水公司"],
        [*COVER, "井盖破损", "4工作时", "更换", "区自来水公司"],
    )
    result = import_standard(legacy_edition(), data)
    assert result.written, result.errors
    cover = legacy(TypeKind.COMPONENT, "0101")
    rows = conditions(cover)
    assert [(c.condition, c.limit_value, c.limit_unit, c.urgency) for c in rows] == [
        ("井盖缺失", 1, LimitUnit.NATURAL_HOUR, Urgency.URGENT),
        ("井盖破损", 4, LimitUnit.WORKING_HOUR, Urgency.NORMAL),
    ]
    assert {c.source for c in rows} == {IMPORT_SOURCE}
    others = [r for r in lamp_before if r[1] != "0101"]
    assert [r for r in snapshot(LEGACY_EDITION.code) if r[1] != "0101"] == others


def test_imported_conditions_survive_a_reload(catalog_once: dict[str, int]) -> None:
    data = sheet([*COVER, "井盖缺失", "1小时（紧急）", "补齐", ""])
    assert import_standard(legacy_edition(), data).written
    load_catalog()
    assert [c.condition for c in conditions(legacy(TypeKind.COMPONENT, "0101"))] == ["井盖缺失"]


def test_a_city_adds_extension_events_by_sheet(catalog_once: dict[str, int]) -> None:
    data = sheet(
        ["01", "市容环境", "0120", "共享单车乱停放", "影响通行", "2工作时", "规范停放", ""],
        ["06", "扩展事件", "0601", "违规养犬", "未牵绳", "1工作日", "劝导", "", "事件"],
        ["06", "扩展事件", "0602", "占道晾晒粮食", "占用车行道", "4工作时", "清除", "", "事件"],
        headers=(*HEADERS, "类别"),
    )
    result = import_standard(legacy_edition(), data)
    assert result.written, result.errors
    assert (result.counts["majors_created"], result.counts["types_created"]) == (1, 3)
    bikes = legacy(TypeKind.EVENT, "0120")
    assert (bikes.major.name, bikes.is_extension) == ("市容环境", True)
    extension = MajorClass.objects.get(
        edition__code=LEGACY_EDITION.code, kind=TypeKind.EVENT, code="06"
    )
    assert (extension.kind, extension.name) == (TypeKind.EVENT, "扩展事件")
    assert [t.code for t in extension.types.order_by("code")] == ["0601", "0602"]


def test_a_component_extension_says_so_in_its_category(catalog_once: dict[str, int]) -> None:
    data = sheet(
        ["01", "市政公用设施", "01090", "综合管廊设施", "破损", "3工作日", "修复", "", "部件"],
        headers=(*HEADERS, "类别"),
    )
    assert import_standard(Edition.objects.get(code=CURRENT_EDITION.code), data).written
    pipe = CaseType.objects.get(major__edition__code=CURRENT_EDITION.code, code="01090")
    assert (pipe.major.kind, pipe.is_extension) == (TypeKind.COMPONENT, True)


def test_urgency_given_in_its_own_column_puts_the_limit_on_natural_time(
    catalog_once: dict[str, int],
) -> None:
    data = sheet([*COVER, "井盖缺失", "2小时", "补齐", "", "紧急"], headers=(*HEADERS, "紧急程度"))
    assert import_standard(legacy_edition(), data).written
    first = conditions(legacy(TypeKind.COMPONENT, "0101"))[0]
    assert (first.limit_unit, first.urgency) == (LimitUnit.NATURAL_HOUR, Urgency.URGENT)


def test_a_condition_that_cases_use_cannot_be_dropped_by_sheet(
    catalog_once: dict[str, int],
) -> None:
    case_under(conditions(legacy(TypeKind.COMPONENT, "0101"))[3])
    before = snapshot(LEGACY_EDITION.code)
    data = sheet([*COVER, "井盖缺失", "2紧急工作时", "补齐", ""])
    [(row, _column, message)] = errors_of(LEGACY_EDITION.code, data)
    assert row == 0
    assert message.startswith("The condition “井盖周边路面") and "keep it in the sheet" in message
    assert snapshot(LEGACY_EDITION.code) == before


def test_a_dry_run_counts_and_writes_nothing(catalog_once: dict[str, int]) -> None:
    before = snapshot(LEGACY_EDITION.code)
    data = sheet([*COVER, "井盖缺失", "2紧急工作时", "补齐", ""])
    result = import_standard(legacy_edition(), data, dry_run=True)
    assert result.ok and not result.written
    assert result.counts["conditions_deleted"] == 3
    assert snapshot(LEGACY_EDITION.code) == before


def test_row_errors_name_the_row_and_column_and_nothing_is_written(
    catalog_once: dict[str, int],
) -> None:
    before = snapshot(LEGACY_EDITION.code), MajorClass.objects.count(), CaseType.objects.count()
    data = sheet(
        [*COVER, "井盖缺失", "2紧急工作时", "补齐", ""],  # fine on its own
        [*COVER, "", "2工作时", "补齐", ""],
        [*COVER, "井盖破损", "尽快", "更换", ""],
        [*COVER, "井盖缺失", "2紧急工作时", "补齐", ""],
        ["07", "", "0701", "新类型", "某条件", "1工作日", "处置", ""],
        ["01", "公用设施类", "0101", "供水井盖", "井盖破损", "4工作时", "更换", ""],
        ["01", "公用设施类", "201", "路灯", "不亮", "1工作日", "修复", ""],
        ["03", "市容环境类", "0401", "古树名木", "枯死", "1工作日", "补植", ""],
        ["99", "扩展事件", "9901", "新类型", "某条件", "1工作日", "", ""],
    )
    assert errors_of(LEGACY_EDITION.code, data) == [
        (3, "立案标准", "This cell must not be empty."),
        (4, "完成时限", "“尽快” is not a time limit: write a whole number and a unit, such as "
         "4工作时, 3工作日, 2紧急工作时 or 30分钟."),
        (5, "立案标准", "This row repeats row 2."),
        (6, "大类名称", "Major class 07 does not exist: give its name to add it."),
        (7, "小类名称", "Type 0101 is called “上水井盖” in this edition."),
        (8, "小类代码", "The type code 0201 does not begin with its major class code 01."),
        (9, "小类代码", "The type code 0401 does not begin with its major class code 03."),
        (10, "结案标准", "This cell must not be empty."),
    ]  # fmt: skip
    after = snapshot(LEGACY_EDITION.code), MajorClass.objects.count(), CaseType.objects.count()
    assert after == before


def test_names_tell_which_kind_a_shared_major_code_means(catalog_once: dict[str, int]) -> None:
    data = sheet(
        ["01", "公用设施类", "0101", "上水井盖", "缺失", "2紧急工作时", "恢复", ""],
        ["01", "市容环境", "0101", "私搭乱建", "正在建设", "2紧急工作日", "制止", ""],
    )
    assert import_standard(legacy_edition(), data).written
    assert conditions(legacy(TypeKind.EVENT, "0101"))[0].condition == "正在建设"
    assert conditions(legacy(TypeKind.COMPONENT, "0101"))[0].condition == "缺失"


def test_a_new_type_under_an_unclear_major_needs_the_category(catalog_once: dict[str, int]) -> None:
    data = sheet(
        ["01", "市政", "01090", "综合管廊设施", "破损", "3工作日", "修复", ""],
        ["06", "扩展事件", "06099", "违规养犬", "未牵绳", "1工作日", "劝导", ""],
    )
    assert errors_of(CURRENT_EDITION.code, data) == [
        (2, "类别", "Cannot tell whether major class 01 means components or events: "
         "write 部件 or 事件."),
        (3, "大类名称", "Major class 06 is “市容环境类” (事件) in this edition: correct the name, "
         "or write 部件 or 事件 in 类别 to add a class of the other kind."),
    ]  # fmt: skip
    legacy_data = sheet(["06", "扩展事件", "0699", "违规养犬", "未牵绳", "1工作日", "劝导", ""])
    [(row, column, message)] = errors_of(LEGACY_EDITION.code, legacy_data)
    assert (row, column) == (2, "大类名称")
    assert message.startswith("Major class 06 is “其他设施类” (部件) in this edition")


def test_a_wrong_header_is_refused(catalog_once: dict[str, int]) -> None:
    data = sheet([*COVER, "缺失", "2工作时", "恢复", ""], headers=("代码", *HEADERS[1:]))
    [(row, column, message)] = errors_of(LEGACY_EDITION.code, data)
    assert (row, column) == (0, "")
    assert message.startswith("The first row must name the columns 大类代码、大类名称")


def test_an_unknown_extra_column_is_refused(catalog_once: dict[str, int]) -> None:
    data = sheet([*COVER, "缺失", "2工作时", "恢复", "", "x"], headers=(*HEADERS, "备注"))
    [(_row, _column, message)] = errors_of(LEGACY_EDITION.code, data)
    assert message.startswith("Unknown or repeated column “备注”")


def test_a_file_that_is_not_xlsx_is_refused(catalog_once: dict[str, int]) -> None:
    assert errors_of(LEGACY_EDITION.code, b"code,name\n0101,x\n") == [
        (0, "", "The file is not an Excel workbook (.xlsx).")
    ]


def test_an_empty_sheet_is_refused(catalog_once: dict[str, int]) -> None:
    assert errors_of(LEGACY_EDITION.code, sheet()) == [
        (0, "", "The sheet has no rows under the header.")
    ]
