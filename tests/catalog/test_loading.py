"""load_catalog: both editions, every type with a filing standard, published rows where a type
matches, and reloads that change nothing and keep what the city changed."""

from __future__ import annotations

import pytest
from django.db.models import Count

from catalog.loading import (
    CURRENT_EDITION,
    DEFAULT_SOURCE,
    LEGACY_EDITION,
    PublishedType,
    Target,
    claim_conditions,
    crosswalk,
    default_conditions,
    load_catalog,
    match_published,
)
from catalog.models import CaseType, Edition, FilingCondition, LimitUnit, TypeKind, Urgency
from tests.catalog.conftest import case_under, conditions, current, legacy, snapshot

pytestmark = pytest.mark.django_db
YUNCHENG_PREVIEW = "zhcg2026/smart_cityguard:standards_preview.csv"


def type_counts(edition: str) -> dict[str, int]:
    rows = (
        CaseType.objects.filter(major__edition__code=edition)
        .values_list("major__kind")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def test_both_editions_are_loaded_with_every_type(catalog_once: dict[str, int]) -> None:
    assert type_counts(CURRENT_EDITION.code) == {TypeKind.COMPONENT: 153, TypeKind.EVENT: 250}
    assert type_counts(LEGACY_EDITION.code) == {TypeKind.COMPONENT: 85, TypeKind.EVENT: 54}
    new, old = Edition.objects.get(code="gbt47678-2026"), Edition.objects.get(code="cjt214-2007")
    assert (new.type_code_length, new.is_current) == (5, True)
    assert (old.type_code_length, old.is_current) == (4, False)
    assert catalog_once["types"] == catalog_once["types_created"] == 153 + 250 + 85 + 54


def test_every_type_of_both_editions_has_a_filing_condition(catalog_once: dict[str, int]) -> None:
    assert not CaseType.objects.annotate(n=Count("conditions")).filter(n=0).exists()


def test_the_2026_water_cover_has_yunchengs_two_hour_urgent_condition(
    catalog_once: dict[str, int],
) -> None:
    cover = current(TypeKind.COMPONENT, "01001")
    assert cover.name == "供水井盖"
    first = conditions(cover)[0]
    assert first.condition.startswith("缺失、移位、开裂")
    assert (first.urgency, first.limit_value, first.limit_unit) == (
        Urgency.URGENT, 2, LimitUnit.NATURAL_HOUR,
    )  # fmt: skip
    assert (first.is_default, first.source) == (False, YUNCHENG_PREVIEW)
    assert "运城" in first.responsible_text
    assert len(conditions(cover)) == 4


def test_a_component_anomaly_matter_takes_its_components_conditions(
    catalog_once: dict[str, int],
) -> None:
    anomaly = current(TypeKind.EVENT, "01001")
    assert anomaly.name == "供水井盖异常"
    texts = [c.condition for c in conditions(anomaly)]
    assert texts == [c.condition for c in conditions(current(TypeKind.COMPONENT, "01001"))]


def test_the_legacy_water_cover_has_it_too(catalog_once: dict[str, int]) -> None:
    first = conditions(legacy(TypeKind.COMPONENT, "0101"))[0]
    assert (first.urgency, first.limit_value, first.limit_unit, first.is_default) == (
        Urgency.URGENT, 2, LimitUnit.NATURAL_HOUR, False,
    )  # fmt: skip


def test_yuncheng_event_codes_cross_to_the_new_edition_by_adding_five(
    catalog_once: dict[str, int],
) -> None:
    vending = conditions(current(TypeKind.EVENT, "09006"))  # Yuncheng 0406 占道经营
    assert [(c.limit_value, c.limit_unit, c.urgency) for c in vending] == [
        (2, LimitUnit.NATURAL_HOUR, Urgency.URGENT)
    ]
    assert not any(c.is_default for c in vending)


def test_types_without_a_published_row_get_marked_defaults(catalog_once: dict[str, int]) -> None:
    power_cover = conditions(current(TypeKind.COMPONENT, "01005"))  # 电力井盖
    assert all(c.is_default and c.source == DEFAULT_SOURCE for c in power_cover)
    assert (power_cover[0].urgency, power_cover[0].limit_unit) == (
        Urgency.URGENT, LimitUnit.NATURAL_HOUR,
    )  # fmt: skip
    assert (power_cover[1].limit_value, power_cover[1].limit_unit) == (4, LimitUnit.WORKING_HOUR)
    parking = conditions(legacy(TypeKind.EVENT, "0505"))  # 机动车乱停放
    assert [(c.limit_value, c.limit_unit, c.is_default) for c in parking] == [
        (2, LimitUnit.WORKING_HOUR, True)
    ]


def test_published_rows_reach_78_legacy_and_200_current_types(catalog_once: dict[str, int]) -> None:
    assert catalog_once["cjt214-2007.published"] == 78
    assert catalog_once["gbt47678-2026.published"] == 200
    assert catalog_once["cjt214-2007.defaults"] == 139 - 78
    assert catalog_once["gbt47678-2026.defaults"] == 403 - 200
    published = FilingCondition.objects.filter(is_default=False)
    assert published.filter(case_type__major__edition__code="cjt214-2007").count() == 237
    assert published.filter(case_type__major__edition__code="gbt47678-2026").count() == 656


def test_rows_without_a_type_code_are_attached_to_no_type(catalog_once: dict[str, int]) -> None:
    assert not FilingCondition.objects.filter(source__contains="dekahost").exists()
    assert not FilingCondition.objects.filter(source__contains="crsrw").exists()


def test_loading_twice_changes_nothing(catalog_once: dict[str, int]) -> None:
    before = snapshot(CURRENT_EDITION.code), snapshot(LEGACY_EDITION.code)
    again = load_catalog()
    assert again["types_created"] == 0
    assert again["conditions_created"] == again["conditions_updated"] == 0
    assert again["conditions_deleted"] == 0
    assert (snapshot(CURRENT_EDITION.code), snapshot(LEGACY_EDITION.code)) == before


def test_conditions_an_administrator_changed_survive_a_reload(catalog_once: dict[str, int]) -> None:
    cover = legacy(TypeKind.COMPONENT, "0101")
    edited = conditions(cover)[1]
    edited.limit_value = 3
    edited.save()
    claim_conditions(cover)
    added = FilingCondition.objects.create(
        case_type=legacy(TypeKind.EVENT, "0505"), position=2, condition="占用盲道停车",
        limit_value=1, limit_unit=LimitUnit.WORKING_HOUR, closing_condition="驶离",
    )  # fmt: skip
    counts = load_catalog()
    assert counts["cjt214-2007.kept_local"] == 2
    edited.refresh_from_db()
    assert edited.limit_value == 3
    assert edited.source == f"本地修改（原：{YUNCHENG_PREVIEW}）"
    assert len(conditions(cover)) == 4
    assert [c.pk for c in conditions(added.case_type)][-1] == added.pk


def test_a_reload_restores_a_shipped_row_in_place(catalog_once: dict[str, int]) -> None:
    row = conditions(current(TypeKind.COMPONENT, "01037"))[0]  # 路灯, unclaimed
    FilingCondition.objects.filter(pk=row.pk).update(limit_value=9)
    assert load_catalog()["conditions_updated"] == 1
    row.refresh_from_db()
    assert row.limit_value == 1


def test_a_surplus_row_that_cases_refer_to_is_kept(catalog_once: dict[str, int]) -> None:
    lamp = legacy(TypeKind.COMPONENT, "0118")
    used = FilingCondition.objects.create(
        case_type=lamp, position=7, condition="灯杆广告", limit_value=1,
        limit_unit=LimitUnit.WORKING_DAY, closing_condition="拆除", source=DEFAULT_SOURCE,
    )  # fmt: skip
    case_under(used)
    counts = load_catalog()
    assert counts["conditions_deleted"] == 0
    assert [c.pk for c in conditions(lamp)][-1] == used.pk


def test_a_type_left_without_conditions_gets_the_shipped_ones_again(
    catalog_once: dict[str, int],
) -> None:
    lamp = legacy(TypeKind.COMPONENT, "0118")
    lamp.conditions.all().delete()
    load_catalog()
    assert len(conditions(lamp)) == 6


def test_a_district_that_chose_the_legacy_edition_keeps_it(catalog_once: dict[str, int]) -> None:
    Edition.objects.update(is_current=False)
    Edition.objects.filter(code=LEGACY_EDITION.code).update(is_current=True)
    load_catalog()
    assert Edition.objects.get(is_current=True).code == LEGACY_EDITION.code


def test_the_crosswalk_follows_standards_8_4() -> None:
    def group(kind: str, code: str) -> PublishedType:
        return PublishedType("local:运城", kind, code, "x", ())

    assert crosswalk(group(TypeKind.COMPONENT, "0137")) == "01037"
    assert crosswalk(group(TypeKind.EVENT, "0101")) == "06001"
    assert crosswalk(group(TypeKind.EVENT, "0406")) == "09006"
    assert crosswalk(group(TypeKind.EVENT, "0501")) is None  # Yuncheng's 突发事件


def test_a_name_alone_must_be_close_and_unambiguous() -> None:
    septic = Target(TypeKind.COMPONENT, "0302", "化粪池")
    cars = Target(TypeKind.EVENT, "0505", "机动车乱停放")
    bikes = Target(TypeKind.EVENT, "0506", "非机动车乱停放")
    cover_rows = PublishedType("local:运城", TypeKind.COMPONENT, "0118", "化粪池井盖", ())
    bike_rows = PublishedType("local:运城", TypeKind.EVENT, "0410", "非机动车乱停放", ())
    matches = match_published(LEGACY_EDITION.code, [septic, cars, bikes], [cover_rows, bike_rows])
    assert matches.keys() == {bikes}


def test_yunchengs_table_wins_over_another_citys() -> None:
    building = Target(TypeKind.EVENT, "0101", "私搭乱建")
    other = PublishedType("local:unknown", TypeKind.EVENT, "0101", "私搭乱建", ())
    yuncheng = PublishedType("local:运城", TypeKind.EVENT, "0101", "私搭乱建", ())
    assert match_published("x", [building], [other, yuncheng])[building].published == yuncheng


@pytest.mark.parametrize(
    ("kind", "name", "first_limit"),
    [
        (TypeKind.COMPONENT, "化粪池井盖", (2, LimitUnit.NATURAL_HOUR)),  # a cover, not a tank
        (TypeKind.COMPONENT, "路灯配电箱", (2, LimitUnit.NATURAL_HOUR)),  # a box, not a lamp
        (TypeKind.COMPONENT, "景观灯", (1, LimitUnit.WORKING_DAY)),
        (TypeKind.EVENT, "景观灯异常", (1, LimitUnit.WORKING_DAY)),  # follows the component
        (TypeKind.COMPONENT, "防蚊闸", (3, LimitUnit.WORKING_DAY)),  # the generic fallback
        (TypeKind.EVENT, "暴露垃圾", (4, LimitUnit.WORKING_HOUR)),
        (TypeKind.EVENT, "私搭乱建", (2, LimitUnit.NATURAL_DAY)),
        (TypeKind.EVENT, "公园秩序", (3, LimitUnit.WORKING_DAY)),  # the generic fallback
    ],
)
def test_default_rules_are_chosen_by_keywords(
    kind: str, name: str, first_limit: tuple[int, str]
) -> None:
    first = default_conditions(kind, name)[0]
    assert (first.limit_value, first.limit_unit) == first_limit
    assert first.is_default
