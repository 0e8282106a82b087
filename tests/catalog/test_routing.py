"""Routing precedence: owner → rule → department → territory for components; rule → territory
→ department for events; and the reason given for each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from catalog.models import CaseType, Edition, MajorClass, RoutingRule, TypeKind
from catalog.routing import Suggestion, explain, suggest_unit
from geo.lookup import place
from geo.models import Community, Street, UnitGrid
from geo.territory_import import import_territory
from lib.coords import from_wgs84
from org.models import Unit, UnitKind
from tests.geo.territory import DISTRICT, STEP, X0, Y0, grid_code, small_territory

pytestmark = pytest.mark.django_db

# Centres of grids in street 001 (west half) and street 002 (east half).
WEST = (X0 + 0.5 * STEP, Y0 + 0.5 * STEP)
EAST = (X0 + 3.5 * STEP, Y0 + 0.5 * STEP)


def reason(found: Suggestion, type_name: str = "井盖", grid: str = "") -> str:
    return explain(found.basis, found.unit, found.rule, type_name=type_name, grid_code=grid)


@dataclass
class FakeComponent:
    owner: Unit | None = None
    department: Unit | None = None


@pytest.fixture
def units() -> dict[str, Unit]:
    made = {
        code: Unit.objects.create(code=code, name=name, kind=kind)
        for code, name, kind in [
            ("S1", "东山街道办事处", UnitKind.STREET),
            ("S2", "西湖街道办事处", UnitKind.STREET),
            ("D1", "区市政工程管理所", UnitKind.DEPARTMENT),
            ("D2", "区路灯管理所", UnitKind.DEPARTMENT),
            ("D3", "区园林绿化局", UnitKind.DEPARTMENT),
            ("W", "区自来水公司", UnitKind.DEPARTMENT),
        ]
    }
    offices = {DISTRICT + "001": made["S1"], DISTRICT + "002": made["S2"]}
    assert import_territory(small_territory(), offices=offices).ok
    return made


def make_type(kind: str, code: str, name: str, department: Unit | None = None) -> CaseType:
    edition, _ = Edition.objects.get_or_create(
        code="test", defaults={"name": "测试版", "type_code_length": 4}
    )
    major, _ = MajorClass.objects.get_or_create(
        edition=edition, kind=kind, code=code[:2], defaults={"name": "大类"}
    )
    return CaseType.objects.create(major=major, code=code, name=name, default_department=department)


def test_a_component_goes_to_its_owner_first(units: dict[str, Unit]) -> None:
    cover = make_type(TypeKind.COMPONENT, "0101", "上水井盖", units["D1"])
    RoutingRule.objects.create(case_type=cover, unit=units["D2"])
    found = suggest_unit(cover, place(*WEST), component=FakeComponent(owner=units["W"]))
    assert (found.unit, found.basis) == (units["W"], "owner")
    assert "权属单位" in reason(found) and "区自来水公司" in reason(found)


def test_without_an_owner_a_rule_decides(units: dict[str, Unit]) -> None:
    cover = make_type(TypeKind.COMPONENT, "0101", "上水井盖", units["D1"])
    rule = RoutingRule.objects.create(case_type=cover, unit=units["D2"])
    found = suggest_unit(cover, place(*WEST), component=FakeComponent(department=units["D3"]))
    assert (found.unit, found.basis, found.rule) == (units["D2"], "rule", rule)
    assert f"{rule.pk}" in reason(found) and "区路灯管理所" in reason(found)


def test_the_narrowest_rule_wins_unless_a_priority_says_otherwise(units: dict[str, Unit]) -> None:
    lamp = make_type(TypeKind.COMPONENT, "0137", "路灯")
    RoutingRule.objects.create(case_type=lamp, unit=units["D1"])
    community = Community.objects.get(full_code=DISTRICT + "001001")
    RoutingRule.objects.create(case_type=lamp, unit=units["D2"], community=community)
    assert suggest_unit(lamp, place(*WEST)).unit == units["D2"]
    grid_rule = RoutingRule.objects.create(case_type=lamp, unit=units["D3"])
    grid_rule.grids.set([UnitGrid.objects.get(code=grid_code("001", "001", 3))])
    assert suggest_unit(lamp, place(*WEST)).unit == units["D3"]  # WEST lies in that grid
    assert suggest_unit(lamp, place(WEST[0] + STEP, WEST[1])).unit == units["D2"]  # the next grid
    RoutingRule.objects.create(case_type=lamp, unit=units["W"], priority=1)
    assert suggest_unit(lamp, place(*WEST)).unit == units["W"]


def test_a_rule_for_another_street_or_an_inactive_rule_does_not_apply(
    units: dict[str, Unit],
) -> None:
    tree = make_type(TypeKind.COMPONENT, "0401", "行道树", units["D3"])
    east = Street.objects.get(full_code=DISTRICT + "002")
    RoutingRule.objects.create(case_type=tree, unit=units["D1"], street=east)
    RoutingRule.objects.create(case_type=tree, unit=units["D2"], is_active=False)
    assert suggest_unit(tree, place(*EAST)).unit == units["D1"]
    found = suggest_unit(tree, place(*WEST))
    assert (found.unit, found.basis) == (units["D3"], "department")


def test_a_component_without_owner_rule_or_department_goes_to_the_territory(
    units: dict[str, Unit],
) -> None:
    bench = make_type(TypeKind.COMPONENT, "0301", "座椅")
    found = suggest_unit(bench, place(*EAST))
    assert (found.unit, found.basis) == (units["S2"], "territory")
    assert grid_code("002", "001", 4) in reason(found, grid=grid_code("002", "001", 4))


def test_an_event_goes_to_the_territory_before_the_competent_department(
    units: dict[str, Unit],
) -> None:
    garbage = make_type(TypeKind.EVENT, "0110", "暴露垃圾", units["D1"])
    assert suggest_unit(garbage, place(*WEST)).unit == units["S1"]
    assert suggest_unit(garbage, place(*EAST)).unit == units["S2"]
    RoutingRule.objects.create(case_type=garbage, unit=units["D3"])
    assert suggest_unit(garbage, place(*EAST)).basis == "rule"


def test_a_position_given_in_gcj02_is_converted_before_routing(units: dict[str, Unit]) -> None:
    garbage = make_type(TypeKind.EVENT, "0110", "暴露垃圾")
    placement = place(*from_wgs84(*EAST, "gcj02"), crs="gcj02")
    assert suggest_unit(garbage, placement).unit == units["S2"]


def test_outside_the_district_an_event_falls_back_to_the_department_or_to_nobody(
    units: dict[str, Unit],
) -> None:
    ads = make_type(TypeKind.EVENT, "0201", "非法小广告", units["D1"])
    assert suggest_unit(ads, None).unit == units["D1"]
    nobody = make_type(TypeKind.EVENT, "0202", "违规户外广告")
    found = suggest_unit(nobody, None)
    assert (found.unit, found.basis) == (None, "none")
