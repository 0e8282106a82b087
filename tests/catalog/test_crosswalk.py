"""The crosswalk from legacy CJ/T 214-2007 codes to GB/T 47678.5 types: complete, true to both
catalogues, kept when changed locally, and used by imports and the district's edition."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.loading import CURRENT_EDITION, DATA, LEGACY_EDITION, crosswalk_rows, load_catalog
from catalog.lookup import NoEquivalent, current_type_for
from catalog.models import CaseType, Crosswalk, CrosswalkBasis, Edition, TypeKind
from components.importing import LEGACY_ID_ATTRIBUTE, import_component_file
from components.models import Component
from geo.territory_import import import_territory
from tests.catalog.conftest import current, legacy
from tests.conftest import Org
from tests.geo.territory import small_territory

pytestmark = pytest.mark.django_db
C, E = TypeKind.COMPONENT, TypeKind.EVENT
WEST = (106.3005, 26.6005)  # inside the small territory


def test_every_legacy_type_has_a_mapping_or_an_explicit_no_equivalent_row(
    catalog_once: dict[str, int],
) -> None:
    legacy_types = CaseType.objects.filter(major__edition__code=LEGACY_EDITION.code)
    rows = Crosswalk.objects.select_related("legacy_type__major", "current_type__major__edition")
    assert catalog_once["crosswalk_created"] == rows.count() == legacy_types.count() == 139
    for row in rows:
        if row.current_type is None:
            assert row.basis == CrosswalkBasis.NONE and row.is_judgement, row
        else:
            assert row.current_type.major.edition.code == CURRENT_EDITION.code, row
            assert row.current_type.kind == row.legacy_type.kind, row
    assert rows.filter(basis=CrosswalkBasis.NONE).count() == 14


def test_the_files_names_are_the_catalogues_and_every_judgement_is_marked() -> None:
    names: dict[tuple[str, str, str], str] = {}
    for spec in (LEGACY_EDITION, CURRENT_EDITION):
        with (DATA / spec.file).open(encoding="utf-8") as handle:
            for line in csv.DictReader(handle):
                kind = C if line["kind"] == "component" else E
                names[(spec.code, kind, line["code"])] = line["name"]
    for row in crosswalk_rows():
        assert names[(LEGACY_EDITION.code, row.kind, row.legacy_code)] == row.legacy_name
        if row.current_code:
            assert names[(CURRENT_EDITION.code, row.kind, row.current_code)] == row.current_name
        # Only the same name (or its spelling) is a fact; every other row is a judgement.
        same = row.basis in (CrosswalkBasis.SAME_NAME, CrosswalkBasis.SPELLING_VARIANT)
        assert row.is_judgement == (not same), row


def test_a_legacy_code_gives_its_current_type(catalog_once: dict[str, int]) -> None:
    assert current_type_for("0101", kind=C) == current(C, "01001")  # 上水井盖 → 供水井盖
    assert current_type_for("0101", kind=E) == current(E, "06001")  # 私搭乱建
    assert current_type_for("0507", kind=E) == current(E, "06036")  # 乱堆物堆料 → 乱堆杂物
    with pytest.raises(NoEquivalent):
        current_type_for("0502", kind=C)  # 人防工事
    assert current_type_for("0999", kind=C) is None


def test_reloading_keeps_a_row_changed_locally(catalog_once: dict[str, int]) -> None:
    row = Crosswalk.objects.get(legacy_type=legacy(C, "0117"))  # 立杆 → 不明立杆
    row.current_type, row.is_shipped = current(C, "01030"), False
    row.save()
    counts = load_catalog()
    assert "crosswalk_created" not in counts and "crosswalk_updated" not in counts
    assert Crosswalk.objects.get(pk=row.pk).current_type == current(C, "01030")


def import_rows(*rows: list[object]) -> object:
    out = io.StringIO()
    csv.writer(out).writerows(
        [["标识码", "小类代码", "主管部门代码", "部件状态", "初始日期", "经度", "纬度"], *rows]
    )
    edition = Edition.objects.get(code=CURRENT_EDITION.code)
    with translation.override("en"):
        return import_component_file("c.csv", out.getvalue().encode(), edition=edition)


def test_a_legacy_component_import_lands_on_the_current_type(
    catalog_once: dict[str, int], org: Org
) -> None:
    assert import_territory(small_territory()).ok
    report = import_rows(
        ["5201990101000007", "0101", "DA", "完好", "20190315", *WEST],
        ["", "0118", "DA", "完好", "20190315", *WEST],
    )
    assert report.ok, report.errors  # type: ignore[attr-defined]
    cover = Component.objects.get(case_type=current(C, "01001"))
    # The same district and serial under the current type code; the old identifier is kept.
    assert cover.identifier == "52019901001000007"
    assert cover.attributes == {LEGACY_ID_ATTRIBUTE: "5201990101000007"}
    assert Component.objects.get(case_type=current(C, "01037")).identifier.startswith("52019901037")
    assert not Component.objects.filter(case_type__major__edition__code=LEGACY_EDITION.code)


def test_a_legacy_type_without_equivalent_is_refused_and_nothing_is_stored(
    catalog_once: dict[str, int], org: Org
) -> None:
    assert import_territory(small_territory()).ok
    report = import_rows(
        ["", "0101", "DA", "完好", "20190315", *WEST],
        ["", "0502", "DA", "完好", "20190315", *WEST],
    )
    [error] = report.errors  # type: ignore[attr-defined]
    assert error.row == 3 and "'0502' has no equivalent in GB/T 47678.5" in error.message
    assert not Component.objects.exists()


def test_the_admin_shows_the_crosswalk_and_switches_the_districts_edition(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:
    page = admin_client.get(reverse("admin:catalog_crosswalk_changelist"), {"q": "上水井盖"})
    assert page.status_code == 200 and "供水井盖" in page.content.decode()
    old = Edition.objects.get(code=LEGACY_EDITION.code)
    admin_client.post(
        reverse("admin:catalog_edition_changelist"),
        {"action": "make_current", "_selected_action": [old.pk]},
    )
    assert Edition.objects.get(is_current=True) == old
    assert Edition.objects.filter(is_current=True).count() == 1
