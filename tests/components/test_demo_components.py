"""The demo generator on the small territory: along the roads, owned by units that exist,
deterministic and idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from cases.models import Channel
from cases.reporting import report_case
from catalog.loading import load_catalog
from catalog.models import CaseType, Edition
from components.models import Component, ComponentStatus
from geo.models import District, Road, RoadClass, UnitGrid
from geo.territory_import import import_territory
from lib.coords import gk_zone_epsg, to_metres
from org.access import Actor
from org.models import Membership, Unit, UnitKind
from org.roles import Role
from simulate.demo_components import (
    HALF_WIDTH_M,
    PLACES,
    DemoComponentsError,
    load_demo_components,
)
from simulate.demo_org import load_organisation
from tests.components.conftest import WEST
from tests.conftest import rolled_back_at_the_end, settled
from tests.geo.territory import X0, Y0, small_territory

pytestmark = [pytest.mark.django_db]
FARTHEST_M = max(HALF_WIDTH_M.values()) + max(p[3] for p in PLACES.values())


@pytest.fixture(scope="module")
def roads(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[Road]]:
    """The small territory, both catalogues, the demo organisation and three roads, stored
    once for the module (loading the catalogues for each test took most of its time)."""
    with rolled_back_at_the_end(django_db_blocker):
        assert import_territory(small_territory()).ok
        assert UnitGrid.objects.count() == 16
        load_catalog()
        load_organisation()
        yield settled(_roads())


def _roads() -> list[Road]:
    lines = [
        ("迎宾大道", RoadClass.MAIN, [(X0 - 0.0005, Y0 + 0.002), (X0 + 0.0045, Y0 + 0.0021)]),
        ("文化路", RoadClass.SECONDARY, [(X0 + 0.002, Y0 - 0.0005), (X0 + 0.0022, Y0 + 0.0045)]),
        ("文化路一巷", RoadClass.LANE, [(X0 + 0.0005, Y0 + 0.0032), (X0 + 0.0016, Y0 + 0.0032)]),
    ]
    return [Road.objects.create(name=n, road_class=c, line=LineString(xy)) for n, c, xy in lines]


def rows() -> list[tuple[object, ...]]:
    return list(
        Component.objects.order_by("identifier").values_list(
            "pk", "identifier", "case_type__code", "point", "grid_id", "department__code",
            "owner__code", "maintainer__code", "status", "initial_date", "attributes",
            "location_text",
        )
    )  # fmt: skip


def test_loading_again_with_the_same_seed_changes_nothing(roads: list[Road]) -> None:
    counts = load_demo_components(1)
    assert counts["created"] == counts["components"] == Component.objects.count() > 100
    first = rows()
    assert load_demo_components(1) == {**counts, "created": 0}
    assert [r[1:] for r in rows()] == [r[1:] for r in first]
    assert rows() == first  # the same rows, not new ones with the same content


def test_components_stand_beside_the_roads_inside_the_district(roads: list[Road]) -> None:
    load_demo_components(1)
    district = District.objects.get().boundary
    epsg = gk_zone_epsg(district.centroid.x)
    lines = shapely.union_all([to_metres(road.line, epsg) for road in roads])
    points = [to_metres(p, epsg) for p in Component.objects.values_list("point", flat=True)]
    assert all(shapely.contains(district, Component.objects.values_list("point", flat=True)))
    distances = shapely.distance(lines, np.array(points, dtype=object))
    assert distances.max() <= FARTHEST_M + 1
    assert not Component.objects.filter(grid=None).exists()
    lamps = Component.objects.filter(case_type__code="01037")  # GB/T 47678.5 路灯
    assert {text[-2:] for text in lamps.values_list("location_text", flat=True)} >= {"南侧", "北侧"}


def test_owners_departments_and_maintainers_are_demo_units(roads: list[Road]) -> None:
    load_demo_components(1)
    components = Component.objects.select_related("department", "owner", "maintainer")
    for component in components:
        assert component.department.kind == UnitKind.DEPARTMENT
        assert component.maintainer is None or component.maintainer.parent == component.department
    covers = components.filter(case_type__code="01001")  # 供水井盖 (legacy 0101 上水井盖)
    assert {c.department.code for c in covers} == {"D16"}  # the water company's supply covers
    # 不明井盖 (legacy 0114 无主井盖): no known owner.
    assert not components.filter(case_type__code="01023").exclude(owner=None).exists()


def test_a_types_competent_department_is_used_when_the_catalogue_names_one(
    roads: list[Road],
) -> None:
    load_demo_components(1)  # creates the types
    supply_covers = CaseType.objects.filter(code="01001", major__kind="component")
    supply_covers.update(default_department=Unit.objects.get(code="D09"))
    load_demo_components(1)
    departments = Component.objects.filter(case_type__code="01001").values_list(
        "department__code", flat=True
    )
    assert set(departments) == {"D09"}


def test_another_seed_replaces_the_demo_components_and_keeps_the_others(
    roads: list[Road],
) -> None:
    supply = CaseType.objects.get(
        major__edition__code="gbt47678-2026", major__kind="component", code="01001"
    )
    mine = Component(case_type=supply, point=Point(*WEST), department=Unit.objects.get(code="D16"))
    mine.save()
    load_demo_components(1)
    counts = load_demo_components(2)
    assert Component.objects.count() == counts["components"] + 1
    assert Component.objects.filter(pk=mine.pk).exists()


def test_statuses_are_mostly_intact_and_new_serials_follow_the_demos(roads: list[Road]) -> None:
    counts = load_demo_components(1)
    intact = Component.objects.filter(status=ComponentStatus.INTACT).count()
    assert intact / counts["components"] > 0.85
    lamps = Component.objects.filter(case_type__code="01037")
    extra = Component(
        case_type=lamps[0].case_type, point=lamps[0].point, department=lamps[0].department
    )
    extra.save()
    assert int(extra.identifier[-6:]) == lamps.count()  # the extra lamp counts itself


def test_without_the_catalogue_it_says_what_to_load(roads: list[Road]) -> None:
    Edition.objects.filter(code="gbt47678-2026").delete()
    with pytest.raises(DemoComponentsError, match="load_catalog"):
        load_demo_components(1)


def test_in_the_legacy_edition_the_census_keeps_its_codes(roads: list[Road]) -> None:
    counts = load_demo_components(1, "cjt214-2007")
    legacy = Component.objects.filter(case_type__major__edition__code="cjt214-2007")
    assert legacy.count() == counts["components"] > 100
    assert {len(identifier) for identifier in legacy.values_list("identifier", flat=True)} == {16}
    assert legacy.filter(case_type__code="0118").exists()  # 路灯


def test_in_the_current_edition_identifiers_have_17_digits_and_the_crosswalks_types(
    roads: list[Road],
) -> None:
    load_demo_components(1)
    current = Component.objects.all()
    assert {len(identifier) for identifier in current.values_list("identifier", flat=True)} == {17}
    assert {
        c.case_type.major.edition.code for c in current.select_related("case_type__major__edition")
    } == {"gbt47678-2026"}
    # The census's poles are the power company's 电力立杆, not the crosswalk's 不明立杆.
    poles = set(
        current.filter(case_type__name__endswith="立杆").values_list("case_type__code", flat=True)
    )
    assert poles <= {"01030"}


def test_loading_again_leaves_a_component_damaged_while_a_case_holds_it(
    roads: list[Road],
) -> None:
    load_demo_components(1)
    inspector = Membership.objects.filter(role=Role.INSPECTOR).first()
    assert inspector is not None
    component = Component.objects.filter(status=ComponentStatus.INTACT).first()
    assert component is not None
    report_case(
        actor=Actor.of(inspector.person.user), channel=Channel.INSPECTOR, description="井盖破损",
        lon=component.point.x, lat=component.point.y, component=component,
    )  # fmt: skip
    component.refresh_from_db()
    assert component.status == ComponentStatus.DAMAGED
    assert load_demo_components(1)["updated"] == 0
    component.refresh_from_db()
    assert component.status == ComponentStatus.DAMAGED  # until the case ends
