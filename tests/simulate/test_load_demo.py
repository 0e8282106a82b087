"""The whole demo district as `manage.py load_demo` builds it.

Loading takes most of a minute, so it is loaded once for this module and every test that needs
all of it lives here; each runs in a savepoint, and the load is rolled back at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.test import override_settings

from cases.audit import verify_all
from cases.models import Case, CaseEvent, Photo
from catalog.models import CaseType, Crosswalk, Edition, FilingCondition
from components.models import Component, ComponentStatus
from geo.lookup import locate
from geo.models import (
    Community,
    District,
    DoorPlate,
    InspectorArea,
    Road,
    RoadClass,
    Street,
    UnitGrid,
)
from lib.coords import gk_zone_epsg, to_metres
from org.models import TERRITORIAL_KINDS, Membership, Person, Unit, UnitKind
from org.roles import Role
from simulate.demo_components import HALF_WIDTH_M, PLACES
from simulate.demo_org import DEMO_PASSWORD, INSPECTOR_COUNT
from tests.conftest import rolled_back_at_the_end, settled

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]

FARTHEST_M = max(HALF_WIDTH_M.values()) + max(p[3] for p in PLACES.values())
# GB/T 47678.5 covers and gratings (the census's legacy 0101–0114 and 0127–0130).
COVERS = {"01001", "01002", "01003", "01004", "01005", "01006", "01007", "01008", "01009",
          "01010", "01011", "01012", "01023", "01019", "01020", "01021", "01022"}  # fmt: skip


def people() -> tuple[int, int, int]:
    return Unit.objects.count(), Person.objects.count(), Membership.objects.count()


def grid_ids() -> dict[str, int]:
    return dict(UnitGrid.objects.values_list("code", "id"))


def loaded_rows() -> dict[str, int]:
    models = [CaseType, FilingCondition, Crosswalk, Component, Case, CaseEvent, Photo]
    return {model.__name__: model._default_manager.count() for model in models}


@dataclass(frozen=True)
class Loaded:
    """What the first load printed and stored."""

    output: str
    people: tuple[int, int, int]
    grids: dict[str, int]
    rows: dict[str, int]

    def reported(self, step: str) -> dict[str, int]:
        """The counts a step printed, e.g. "Components: components 26781, created 26781"."""
        line = re.search(rf"^{step}: (.*) \([\d.]+ s\)\.$", self.output, re.MULTILINE)
        assert line, f"no line for {step!r} in:\n{self.output}"
        return {name: int(n) for name, n in re.findall(r"([\w.-]+) (\d+)", line[1])}


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    media = tmp_path_factory.mktemp("media")  # the demo's photos
    with rolled_back_at_the_end(django_db_blocker), override_settings(MEDIA_ROOT=media):
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield settled(Loaded(out.getvalue(), people(), grid_ids(), loaded_rows()))


def test_loading_again_changes_nothing(demo: Loaded) -> None:
    call_command("load_demo", "--quiet", stdout=StringIO())
    assert people() == demo.people
    assert grid_ids() == demo.grids
    assert loaded_rows() == demo.rows


def test_the_organisation_has_every_post_and_a_duty_terminal_for_each_handling_unit(
    demo: Loaded,
) -> None:
    assert DEMO_PASSWORD in demo.output
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 20
    assert Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP]).count() == 17
    assert Membership.objects.filter(role=Role.INSPECTOR).count() == INSPECTOR_COUNT == 45
    handling_units = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, *TERRITORIAL_KINDS])
    for unit in handling_units:  # each has a duty terminal
        assert Membership.objects.filter(role=Role.HANDLER, unit=unit).exists(), unit
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_about_9000_grids_tile_the_district_and_each_has_one_inspector_area(
    demo: Loaded,
) -> None:
    grids = demo.grids
    streets = Street.objects.select_related("office")
    assert Counter(s.kind for s in streets) == {"street": 15, "township": 2}
    assert all(s.office and (s.office.kind, s.office.name) == (s.kind, s.name) for s in streets)
    assert Community.objects.count() == 140
    assert 8_500 <= len(grids) <= 9_500

    district = District.objects.get()
    epsg = gk_zone_epsg(district.boundary.centroid.x)
    areas = np.array(UnitGrid.objects.values_list("area_m2", flat=True))
    assert areas.min() >= 3_000 and areas.max() <= 25_000
    assert 9_000 <= np.median(areas) <= 11_000
    # Full coverage without overlap: the grids' areas add up to the district's, and so does
    # their union.
    boundaries = list(UnitGrid.objects.values_list("boundary", flat=True))
    union = to_metres(shapely.coverage_union_all(boundaries), epsg)
    district_m2 = to_metres(district.boundary, epsg).area
    assert district_m2 == pytest.approx(89.86e6, rel=0.01)
    assert areas.sum() == pytest.approx(district_m2, rel=1e-6)
    assert union.area == pytest.approx(district_m2, rel=1e-6)

    patrolled = Counter(InspectorArea.grids.through.objects.values_list("unitgrid_id", flat=True))
    assert set(patrolled) == set(grids.values()) and set(patrolled.values()) == {1}
    areas_of = Counter(
        InspectorArea.inspectors.through.objects.values_list("person__user__username", flat=True)
    )
    assert sorted(areas_of) == [f"inspector{n:02d}" for n in range(1, 46)]
    assert DoorPlate.objects.count() > 10_000 and Road.objects.count() > 100

    for grid in UnitGrid.objects.order_by("?")[:50]:
        inside = shapely.get_coordinates(grid.boundary.point_on_surface())[0]
        assert locate(*inside).grid_code == grid.code


def test_both_catalogues_components_and_cases_are_loaded_and_the_audit_trail_verifies(
    demo: Loaded,
) -> None:
    # Both catalogue editions with a filing standard for every type, the crosswalk between
    # them, about 27,000 components and about a hundred cases whose audit trail verifies; the
    # district uses GB/T 47678.5.
    assert CaseType.objects.filter(major__edition__code="cjt214-2007").count() == 139
    assert Crosswalk.objects.count() == 139
    assert "District edition: gbt47678-2026" in demo.output
    assert Edition.objects.get(is_current=True).code == "gbt47678-2026"
    editions = set(Case.objects.values_list("case_type__major__edition__code", flat=True))
    assert editions == {"gbt47678-2026"}
    assert set(Component.objects.values_list("case_type__major__edition__code", flat=True)) == {
        "gbt47678-2026"
    }
    assert not CaseType.objects.filter(conditions__isnull=True).exists()
    assert not CaseType.objects.filter(default_department__isnull=True).exists()
    assert 25_000 <= Component.objects.count() <= 29_000
    assert not Component.objects.filter(grid__isnull=True).exists()
    assert 90 <= Case.objects.count() <= 140
    assert Photo.objects.count() > Case.objects.count()
    assert list(verify_all()) == []


def test_the_demo_district_gets_about_27000_plausible_components(demo: Loaded) -> None:
    total = demo.reported("Components")["components"]
    assert 25_000 <= total <= 29_000 and Component.objects.count() == total

    by_type = Counter(Component.objects.values_list("case_type__code", flat=True))
    share = {code: n / total for code, n in by_type.items()}
    assert 0.40 <= sum(share[c] for c in COVERS) <= 0.55  # covers of many kinds: half
    assert sum(1 for c in COVERS if by_type[c]) >= 15
    assert 0.10 <= share["01037"] <= 0.20  # street lamps
    assert 0.08 <= share["04002"] <= 0.18  # street trees
    assert all(share[c] > 0.01 for c in ("03005", "01013", "02010"))  # bins, hydrants, signs
    assert sum(n for c, n in by_type.items() if c.startswith("05")) / total < 0.005

    statuses = Counter(Component.objects.values_list("status", flat=True))
    assert statuses[ComponentStatus.INTACT] / total >= 0.93
    broken = statuses[ComponentStatus.DAMAGED] + statuses[ComponentStatus.MISSING]
    assert 0.02 <= broken / total <= 0.06

    district = District.objects.get().boundary
    epsg = gk_zone_epsg(district.centroid.x)
    sample = list(Component.objects.order_by("?").values_list("point", "grid__code")[:2000])
    points = np.array([point for point, _code in sample], dtype=object)
    assert shapely.contains(district, points).all()
    assert all(locate(p.x, p.y).grid_code == code for p, code in sample[:300])
    roads = shapely.union_all(
        [to_metres(line, epsg) for line in Road.objects.values_list("line", flat=True)]
    )
    distances = shapely.distance(roads, np.array([to_metres(p, epsg) for p in points]))
    assert distances.max() <= FARTHEST_M + 1

    # Denser in the centre than in the townships, per km².
    density = {}
    for street in Street.objects.select_related("office"):
        km2 = to_metres(street.boundary, epsg).area / 1e6
        density[street.office.code] = Component.objects.filter(street=street).count() / km2  # type: ignore[union-attr]
    assert density["S01"] > 3 * max(density["T01"], density["T02"])

    # Lamps on both sides of the main roads in the centre, one every ~35 m each side.
    centre = to_metres(Street.objects.get(office__code="S01").boundary, epsg)
    mains = shapely.union_all(
        [to_metres(r.line, epsg) for r in Road.objects.filter(road_class=RoadClass.MAIN)]
    )
    main_km = shapely.intersection(mains, centre).length / 1000
    lamps = [
        to_metres(p, epsg)
        for p in Component.objects.filter(
            case_type__code="01037", street__office__code="S01"
        ).values_list("point", flat=True)
    ]
    near = shapely.distance(mains, np.array(lamps, dtype=object)) <= HALF_WIDTH_M["main"] + 1.5
    assert 45 <= near.sum() / main_km <= 70
