"""The demo district's geography: counts, an exact tiling, codes, gazetteer and determinism.

Pure tests (no database). Geometry comes in lon/lat; areas and distances are checked in metres
after projecting back to CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from lib.gridcodes import assign_sequences, parse_grid_code
from simulate.demo_district import build_demo_geography
from simulate.demo_geo import (
    DISTRICT_AREA_M2,
    INSPECTOR_AREA_COUNT,
    DemoGeography,
)
from simulate.demo_org import STREETS

_TO_METRES = Transformer.from_crs("EPSG:4490", "EPSG:4544", always_xy=True)


@cache
def _built(seed: int) -> DemoGeography:
    return build_demo_geography(seed)


@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def geo(request: pytest.FixtureRequest) -> DemoGeography:
    return _built(request.param)


def metres(geometries: Any) -> Any:
    """Lon/lat geometries (one or an array) projected to EPSG:4544."""

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(_TO_METRES.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geometries, project)


def grid_array(geo: DemoGeography) -> np.ndarray:
    return np.array([grid.polygon for grid in geo.grids], dtype=object)


def test_the_working_projection_is_cgcs2000_gauss_kruger_with_central_meridian_105() -> None:
    crs = CRS.from_epsg(4544)
    assert "CGCS2000" in crs.name and "CM 105E" in crs.name
    assert crs.coordinate_operation is not None
    params = {param.name: param.value for param in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == 105
    assert params["Scale factor at natural origin"] == 1


def test_the_district_is_fictional_and_lies_around_106_3_e_26_6_n(geo: DemoGeography) -> None:
    assert (geo.district.code, geo.district.name) == ("520199", "示范区")
    centre = geo.district.polygon.centroid
    assert abs(centre.x - 106.30) < 0.03 and abs(centre.y - 26.60) < 0.03
    assert geo.district.polygon.geom_type == "Polygon" and geo.district.polygon.is_valid


def test_the_district_covers_the_seed_reports_89_86_km2(geo: DemoGeography) -> None:
    area = metres(geo.district.polygon).area
    assert area == pytest.approx(DISTRICT_AREA_M2, rel=0.01)


def test_the_outline_is_neither_a_circle_nor_a_rectangle(geo: DemoGeography) -> None:
    district = metres(geo.district.polygon)
    assert district.area / district.convex_hull.area < 0.99  # a bay and bulges
    assert district.area / district.envelope.area < 0.85
    assert len(district.exterior.coords) > 200


def test_it_has_the_organisations_15_streets_and_2_townships(geo: DemoGeography) -> None:
    codes = [street.code for street in geo.streets]
    assert codes == [f"{n:03d}" for n in range(1, 16)] + ["201", "202"]
    organisation = {unit: (name, kind.value) for unit, name, kind in STREETS}
    for street in geo.streets:
        assert organisation[street.unit_code] == (street.name, street.kind)
        assert street.polygon.geom_type == "Polygon" and street.polygon.is_valid
    assert Counter(s.kind for s in geo.streets) == {"street": 15, "township": 2}


def test_townships_lie_on_the_outskirts_and_are_larger_and_less_dense(
    geo: DemoGeography,
) -> None:
    centre = metres(geo.district.polygon).centroid
    area = {s.code: metres(s.polygon).area for s in geo.streets}
    distance = {s.code: metres(s.polygon).centroid.distance(centre) for s in geo.streets}
    communities = Counter(c.street_code for c in geo.communities)
    townships = [s.code for s in geo.streets if s.kind == "township"]
    streets = [s.code for s in geo.streets if s.kind == "street"]
    assert min(area[t] for t in townships) > max(area[s] for s in streets)
    # On the outskirts: a long stretch of the district's edge, away from the central streets.
    outline = metres(geo.district.polygon).exterior
    central = [f"{n:03d}" for n in range(1, 7)]
    for township in townships:
        polygon = metres(next(s.polygon for s in geo.streets if s.code == township))
        assert polygon.intersection(outline.buffer(1.0)).length > 0.1 * outline.length
        assert distance[township] > max(distance[c] for c in central)
    density = {code: communities[code] / area[code] for code in area}
    assert max(density[t] for t in townships) < min(density[s] for s in streets)


def test_it_has_140_communities_coded_within_their_street(geo: DemoGeography) -> None:
    assert len(geo.communities) == 140
    townships = {s.code for s in geo.streets if s.kind == "township"}
    by_street = defaultdict(list)
    for community in geo.communities:
        by_street[community.street_code].append(community.code)
        suffix = "村" if community.street_code in townships else "社区"
        assert community.name.endswith(suffix)
        assert community.polygon.geom_type == "Polygon" and community.polygon.is_valid
    for street, codes in by_street.items():
        first = 201 if street in townships else 1
        assert codes == [f"{n:03d}" for n in range(first, first + len(codes))]
    assert set(by_street) == {s.code for s in geo.streets}
    assert len({c.name for c in geo.communities}) == 140


def test_communities_tile_their_street(geo: DemoGeography) -> None:
    for street in geo.streets:
        parts = [c.polygon for c in geo.communities if c.street_code == street.code]
        union = shapely.coverage_union_all(parts)
        assert union.symmetric_difference(street.polygon).area < 1e-6 * street.polygon.area
        assert sum(p.area for p in parts) == pytest.approx(street.polygon.area, rel=1e-6)


def test_there_are_about_9000_unit_grids_of_about_10000_m2(geo: DemoGeography) -> None:
    areas = np.array([grid.area_m2 for grid in geo.grids])
    assert 8_000 <= len(areas) <= 10_000
    assert ((areas >= 5_000) & (areas <= 20_000)).mean() >= 0.95
    assert areas.min() >= 3_000 and areas.max() <= 25_000
    assert 8_000 <= np.median(areas) <= 12_000
    projected = shapely.area(metres(grid_array(geo)))
    np.testing.assert_allclose(projected, areas, rtol=1e-6)


def test_the_grids_tile_the_district_without_gaps_or_overlaps(geo: DemoGeography) -> None:
    district = geo.district.polygon
    union = shapely.coverage_union_all(grid_array(geo))
    assert union.symmetric_difference(district).area < 1e-4 * district.area
    total = sum(grid.area_m2 for grid in geo.grids)
    assert total == pytest.approx(metres(district).area, rel=1e-4)


def test_every_grid_is_a_valid_polygon_inside_its_community(geo: DemoGeography) -> None:
    grids = grid_array(geo)
    assert shapely.is_valid(grids).all()
    assert {g.geom_type for g in grids} == {"Polygon"}
    community = {(c.street_code, c.code): c.polygon for c in geo.communities}
    owners = np.array(
        [community[(g.street_code, g.community_code)] for g in geo.grids], dtype=object
    )
    outside = shapely.area(shapely.difference(grids, owners))
    assert (outside < 1e-6 * shapely.area(grids)).all()


def test_the_grids_of_each_community_tile_it(geo: DemoGeography) -> None:
    members = defaultdict(list)
    for grid in geo.grids:
        members[(grid.street_code, grid.community_code)].append(grid.polygon)
    for community in geo.communities:
        parts = members[(community.street_code, community.code)]
        assert sum(p.area for p in parts) == pytest.approx(community.polygon.area, rel=1e-6)


def test_no_polygon_has_holes(geo: DemoGeography) -> None:
    polygons = [geo.district.polygon, *(s.polygon for s in geo.streets)]
    polygons += [c.polygon for c in geo.communities] + [g.polygon for g in geo.grids]
    assert [p for p in polygons if p.interiors] == []


def test_grid_codes_are_unique_15_digits_and_name_their_community(geo: DemoGeography) -> None:
    codes = [grid.code for grid in geo.grids]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    for grid in geo.grids:
        parsed = parse_grid_code(grid.code)
        assert len(grid.code) == 15
        assert (parsed.district, parsed.street, parsed.community, parsed.sequence) == (
            "520199",
            grid.street_code,
            grid.community_code,
            grid.sequence,
        )


def test_sequences_run_west_to_east_then_north_to_south_in_each_community(
    geo: DemoGeography,
) -> None:
    members = defaultdict(list)
    for grid in geo.grids:
        members[(grid.street_code, grid.community_code)].append(grid)
    assert len(members) == 140
    for grids in members.values():
        assert sorted(g.sequence for g in grids) == list(range(1, len(grids) + 1))
        centroids = {g.code: metres(g.polygon).centroid for g in grids}
        expected = assign_sequences({k: (p.x, p.y) for k, p in centroids.items()}, 100.0)
        assert {g.code: g.sequence for g in grids} == expected


def test_inspector_areas_partition_the_grids_into_45_balanced_contiguous_areas(
    geo: DemoGeography,
) -> None:
    areas = geo.inspector_areas
    assert [a.code for a in areas] == [f"{n:02d}" for n in range(1, INSPECTOR_AREA_COUNT + 1)]
    assert [a.name for a in areas] == [f"第{n}责任网格" for n in range(1, 46)]
    assigned = [code for area in areas for code in area.grid_codes]
    assert sorted(assigned) == [grid.code for grid in geo.grids]
    sizes = np.array([len(a.grid_codes) for a in areas])
    assert (np.abs(sizes / sizes.mean() - 1) <= 0.3).all()
    polygon = {grid.code: grid.polygon for grid in geo.grids}
    for area in areas:
        union = shapely.coverage_union_all([polygon[c] for c in area.grid_codes])
        assert union.geom_type == "Polygon", area.name


def test_inspector_areas_keep_most_communities_whole(geo: DemoGeography) -> None:
    areas_of = defaultdict(set)
    for area in geo.inspector_areas:
        for code in area.grid_codes:
            areas_of[code[:12]].add(area.code)
    split = sum(len(codes) > 1 for codes in areas_of.values())
    assert split <= 35  # the large villages must be split; most communities are not


def test_roads_have_unique_names_classes_and_lines_inside_the_district(
    geo: DemoGeography,
) -> None:
    names = [road.name for road in geo.roads]
    assert len(set(names)) == len(names)
    classes = Counter(road.road_class for road in geo.roads)
    assert set(classes) == {"main", "secondary", "lane"}
    assert classes["main"] >= 3 and classes["secondary"] >= 20 and classes["lane"] >= 50
    assert any(road.aliases for road in geo.roads)
    assert not {alias for road in geo.roads for alias in road.aliases} & set(names)
    district = metres(geo.district.polygon).buffer(1.0)
    for road in geo.roads:
        assert road.line.geom_type == "LineString" and road.line.is_valid
        assert district.contains(metres(road.line))
    suffixes = {"main": ("大道", "路"), "secondary": ("路", "街"), "lane": ("巷",)}
    assert all(road.name.endswith(suffixes[road.road_class]) for road in geo.roads)


def test_door_plates_run_along_their_road_odd_left_even_right(geo: DemoGeography) -> None:
    assert len(geo.door_plates) > 1_000
    points = np.array([plate.point for plate in geo.door_plates], dtype=object)
    assert shapely.contains(geo.district.polygon, points).all()
    roads = {road.name: metres(road.line) for road in geo.roads}
    plates = defaultdict(list)
    for plate, point in zip(geo.door_plates, metres(points), strict=True):
        plates[plate.road_name].append((int(plate.number), point))
    assert set(plates) <= set(roads)
    for name, own in plates.items():
        line, numbers = roads[name], np.array([number for number, _ in own])
        assert len(set(numbers)) == len(numbers)
        at = shapely.line_locate_point(line, np.array([p for _, p in own], dtype=object))
        offset = shapely.distance(line, np.array([p for _, p in own], dtype=object))
        assert (offset <= 15.0 + 1e-6).all()
        # Odd numbers left of the road's direction (a positive cross product), even right;
        # skipped where a bend brings another part of the road closer than 15 m.
        xy = np.array([p.coords[0] for _, p in own])
        ahead = shapely.get_coordinates(shapely.line_interpolate_point(line, at + 1))
        behind = shapely.get_coordinates(shapely.line_interpolate_point(line, at - 1))
        d, p = ahead - behind, xy - behind
        left = d[:, 0] * p[:, 1] - d[:, 1] * p[:, 0] > 0
        clear = offset > 14.0
        assert (left[clear] == (numbers[clear] % 2 == 1)).all(), name
        # Numbered from the road's start, a plate on each side every 30-50 m.
        odd = numbers % 2 == 1
        if odd.sum() > 2:
            assert (np.diff(at[odd][np.argsort(numbers[odd])]) > 0).mean() > 0.9
            assert 25 <= np.median(np.diff(np.sort(at[odd]))) <= 55


def test_points_of_interest_are_named_places_in_the_district(geo: DemoGeography) -> None:
    assert 280 <= len(geo.pois) <= 320
    categories = Counter(poi.category for poi in geo.pois)
    assert set(categories) == {"government", "park", "school", "hospital", "market", "residential"}
    assert len({poi.name for poi in geo.pois}) == len(geo.pois)
    points = np.array([poi.point for poi in geo.pois], dtype=object)
    assert shapely.contains(geo.district.polygon, points).all()
    assert any(poi.name.endswith("小学") for poi in geo.pois)
    assert any(poi.name.endswith("中学") for poi in geo.pois)


def test_the_same_seed_gives_the_same_district_and_another_seed_a_different_one() -> None:
    first, again, other = _built(1), build_demo_geography(1), _built(2)
    assert [g.code for g in again.grids] == [g.code for g in first.grids]
    for index in (0, -1):
        assert again.grids[index].polygon.wkb == first.grids[index].polygon.wkb
    assert again.district.polygon.wkb == first.district.polygon.wkb
    assert [r.name for r in again.roads] == [r.name for r in first.roads]
    assert other.district.polygon.wkb != first.district.polygon.wkb
    assert [g.code for g in other.grids] != [g.code for g in first.grids]
