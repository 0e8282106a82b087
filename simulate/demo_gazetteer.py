"""The demo district's gazetteer (地理编码): named roads, door plates and points of interest.

Pure, like simulate/demo_geo.py, and in the same local metres: main roads cross the district,
secondary roads form a loose grid in the urban streets, lanes branch off them; door plates run
odd on the left and even on the right; points of interest are spread over the communities.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from simulate.demo_geo import (
    LANE_CHANCE,
    POI_COUNT,
    RADIUS_M,
    TOWNSHIPS,
    DemoCommunity,
    DemoDoorPlate,
    DemoPoi,
    DemoRoad,
    DemoStreet,
    Floats,
    Rng,
    ring_of,
    sample_in,
    unit_vector,
)
from simulate.demo_names import (
    HOSPITALS,
    MARKET_SUFFIXES,
    PARK_SUFFIXES,
    RESIDENTIAL_SUFFIXES,
    NameDrawer,
)


def _curve(rng: Rng, start: Floats, stop: Floats, amplitude: float) -> LineString:
    """A gently meandering line from ``start`` to ``stop``, a vertex every ~40 m."""
    vector = stop - start
    length = float(np.hypot(*vector))
    t = np.linspace(0.0, 1.0, max(int(length / 40), 2) + 1)
    bend = np.zeros_like(t)
    for share in (1.0, 0.5):
        wavelength, phase = rng.uniform(2000, 5000), rng.uniform(0, 2 * math.pi)
        bend += share * amplitude * np.sin(2 * math.pi * t * length / wavelength + phase)
    normal = np.array([-vector[1], vector[0]]) / length
    return LineString(start + t[:, None] * vector + bend[:, None] * normal)


def _pieces(line: LineString, area: BaseGeometry, min_length: float) -> list[LineString]:
    """The parts of ``line`` inside ``area`` at least ``min_length`` long, longest first."""
    parts = shapely.get_parts(shapely.intersection(line, area))
    found = [p for p in parts if p.geom_type == "LineString" and p.length >= min_length]
    return sorted(found, key=lambda p: -p.length)


def _across(rng: Rng, angle: float, offset: float, amplitude: float) -> LineString:
    """A line crossing the whole district in direction ``angle``, ``offset`` from the centre."""
    along, aside = 1.6 * RADIUS_M * unit_vector(angle), offset * unit_vector(angle + math.pi / 2)
    return _curve(rng, aside - along, aside + along, amplitude)


def _road_lines(
    rng: Rng, district: BaseGeometry, streets: list[DemoStreet], communities: list[DemoCommunity]
) -> tuple[list[LineString], list[LineString]]:
    """Main roads (two avenues crossing near the centre, two slanting roads) and secondary
    roads (a loose grid ~550 m apart in the urban streets, one road from each village)."""
    heading = rng.uniform(0, math.pi)
    slant = [rng.uniform(0.3, 0.6) for _ in "ab"]
    sides = rng.choice([-1, 1], 2) * rng.uniform(1300, 2000, 2)
    mains = [
        _across(rng, heading, rng.uniform(-400, 400), 100),
        _across(rng, heading + math.pi / 2, rng.uniform(-400, 400), 100),
        _across(rng, heading + slant[0], sides[0], 100),
        _across(rng, heading + math.pi / 2 - slant[1], sides[1], 100),
    ]
    mains = [_pieces(line, district, 0.0)[0] for line in mains]
    urban = shapely.coverage_union_all([s.polygon for s in streets if s.unit_code not in TOWNSHIPS])
    secondary = []
    for angle in (heading, heading + math.pi / 2):
        offset = -1.6 * RADIUS_M + rng.uniform(0, 300)
        while offset < 1.6 * RADIUS_M:
            if abs(offset) > 300:  # leave room for the avenue through the centre
                secondary += _pieces(_across(rng, angle, offset, 30), urban, 300.0)
            offset += rng.uniform(480, 620)
    townships = {s.code: s.polygon for s in streets if s.unit_code in TOWNSHIPS}
    for village in (c for c in communities if c.street_code in townships):
        start = shapely.get_coordinates(shapely.point_on_surface(village.polygon))[0]
        near = shapely.get_coordinates(shapely.shortest_line(Point(start), urban))[-1]
        stop = near + (near - start) / max(float(np.hypot(*(near - start))), 1.0) * 50
        secondary += _pieces(_curve(rng, start, stop, 40), townships[village.street_code], 300.0)[
            :1
        ]
    return mains, secondary


def _lanes(
    rng: Rng, names: NameDrawer, roads: list[DemoRoad], streets: list[DemoStreet]
) -> list[DemoRoad]:
    """Short lanes branching off secondary roads, dense in the central streets."""
    tree = shapely.STRtree([s.polygon for s in streets])
    lanes = []
    for road in roads:
        line, count = road.line, 0
        stations = np.cumsum(rng.uniform(150, 260, int(line.length / 150) + 1))
        for side, at in enumerate(stations[stations < line.length - 60]):
            here = shapely.get_coordinates(line.interpolate(at))[0]
            hit = tree.query(Point(here), predicate="within")
            ring = ring_of(streets[hit[0]].unit_code) if len(hit) else ""
            if rng.random() >= LANE_CHANCE.get(ring, 0.0):
                continue
            ahead = shapely.get_coordinates(line.interpolate(at + 1))[0] - here
            normal = np.array([-ahead[1], ahead[0]]) * (-1) ** side / np.hypot(*ahead)
            stop = here + normal * rng.uniform(100, 280) + ahead * rng.uniform(-30, 30)
            middle = (here + stop) / 2 + normal[::-1] * rng.uniform(-15, 15)
            pieces = _pieces(LineString([here, middle, stop]), streets[hit[0]].polygon, 60.0)
            if pieces:
                lanes.append(DemoRoad(names.lane(road.name, count), "lane", (), pieces[0]))
                count += 1
    return lanes


def make_roads(
    rng: Rng,
    names: NameDrawer,
    district: BaseGeometry,
    streets: list[DemoStreet],
    communities: list[DemoCommunity],
) -> list[DemoRoad]:
    """Named roads; some main and secondary roads keep a former name (曾用名) as alias."""
    mains, secondary = _road_lines(rng, district, streets, communities)

    def aliases() -> tuple[str, ...]:
        return (names.road(("路",)),) if rng.random() < 0.15 else ()

    roads = [
        DemoRoad(names.road(("大道",) if k < 2 else ("路",)), "main", aliases(), line)
        for k, line in enumerate(mains)
    ]
    roads += [
        DemoRoad(names.road(("路", "路", "街")), "secondary", aliases(), line) for line in secondary
    ]
    return roads + _lanes(rng, names, roads[len(mains) :], streets)


def make_door_plates(rng: Rng, road: DemoRoad, district: BaseGeometry) -> list[DemoDoorPlate]:
    """Plates every 30-50 m from the road's start, odd on the left and even on the right,
    15 m from the centre line; those falling outside the district are left out."""
    line = road.line
    stations = np.cumsum(rng.uniform(30, 50, int(line.length / 30) + 1)) - 15
    stations = stations[stations < line.length]
    here = shapely.get_coordinates(shapely.line_interpolate_point(line, stations))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(line, stations + 1))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(line, stations - 1))
    tangent = ahead - behind
    left = np.column_stack([-tangent[:, 1], tangent[:, 0]]) / np.hypot(*tangent.T)[:, None] * 15
    plates = []
    for k in range(len(stations)):
        for number, xy in ((2 * k + 1, here[k] + left[k]), (2 * k + 2, here[k] - left[k])):
            if shapely.contains_xy(district, *xy):
                plates.append(DemoDoorPlate(road.name, str(number), Point(xy)))
    return plates


def make_pois(
    rng: Rng, names: NameDrawer, streets: list[DemoStreet], communities: list[DemoCommunity]
) -> list[DemoPoi]:
    """About 300 points of interest: offices, parks, schools, hospitals, markets, homes."""
    townships = {s.code for s in streets if s.unit_code in TOWNSHIPS}
    urban = [c for c in communities if c.street_code not in townships]

    def somewhere(pool: Sequence[DemoCommunity | DemoStreet]) -> tuple[str, Point]:
        place = pool[int(rng.integers(len(pool)))]
        root = place.name.removesuffix("社区").removesuffix("村")
        return root, Point(sample_in(rng, place.polygon, 1)[0])

    pois = [DemoPoi("区人民政府", "government", somewhere(streets[:1])[1])]
    for street in streets:
        office = street.name + ("人民政府" if street.code in townships else "办事处")
        pois.append(DemoPoi(office, "government", somewhere([street])[1]))
    plan = [
        ("park", 15, PARK_SUFFIXES, communities),
        ("market", 30, MARKET_SUFFIXES, urban),
        ("school", 36, ("小学",), communities),  # named after their community
        ("school", 14, ("中学",), urban),
        ("hospital", 6, ("社区卫生服务中心",), urban),
    ]
    for category, count, suffixes, pool in plan:
        for _ in range(count):
            root, point = somewhere(pool)
            own = root + suffixes[0]
            name = own if len(suffixes) == 1 and names.take(own) else names.place(suffixes)
            pois.append(DemoPoi(name, category, point))
    for hospital in HOSPITALS:
        names.take(hospital)
        pois.append(DemoPoi(hospital, "hospital", somewhere(urban)[1]))
    while len(pois) < POI_COUNT:
        pois.append(
            DemoPoi(names.place(RESIDENTIAL_SUFFIXES), "residential", somewhere(communities)[1])
        )
    return pois
