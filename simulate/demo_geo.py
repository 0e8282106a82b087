"""The demo district's geography (示范区, fictional code 520199): generated, not surveyed.

A pure generator (numpy, shapely, pyproj; no models, no database): a separate loader stores
the result. Shaped by the seed report (89.86 km², 15 街道 + 2 乡, 140 社区, ~10,000 m² unit
grids) and STANDARDS.md §1 (15-digit grid codes numbered west→east, then north→south).

Everything is built in metres on the CGCS2000 3-degree Gauss–Krüger zone with central meridian
105°E (EPSG:4544), relative to the district centre, and converted to lon/lat once at the end:
1. outline: a noisy star-shaped polygon with a river bay, scaled to the seed's area;
2. streets: a power diagram (weighted Voronoi) with weights fitted to target areas, so central
   streets are small and the two townships on the outskirts large;
3. communities: Lloyd-relaxed Voronoi cells inside each street, more in the dense centre;
   their boundaries are bent by a smooth area-preserving warp;
4. unit grids: a jittered lattice noded together with the community boundaries on a 1 cm
   precision grid and polygonised, so each shared edge has the same vertices on both sides
   (an exact coverage); pieces below MIN_GRID_M2 merge into a neighbour in the same community.
   Communities, streets and the district are the unions of their grids;
5. 45 inspector areas; roads, door plates and points of interest come from
   simulate/demo_gazetteer.py, and simulate/demo_district.py puts it all together.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from lib.gridcodes import assign_sequences
from simulate.demo_names import (
    NameDrawer,
)
from simulate.demo_org import STREETS  # note: demo_org imports org.models (needs Django set up)

Floats = npt.NDArray[np.float64]
Shapes = npt.NDArray[np.object_]  # arrays of shapely geometries
Ints = npt.NDArray[np.int64]
Rng = np.random.Generator

DISTRICT_CODE: Final = "520199"  # GB/T 2260 assigns no 520199: clearly fictional.
DISTRICT_NAME: Final = "示范区"
DISTRICT_AREA_M2: Final = 89.86e6
CENTRE_LON_LAT: Final = (106.30, 26.60)
PROJECTED_CRS: Final = "EPSG:4544"  # CGCS2000 / 3-degree Gauss-Kruger CM 105E
GEOGRAPHIC_CRS: Final = "EPSG:4490"  # CGCS2000 lon/lat (treated as WGS84)
COMMUNITY_COUNT: Final = 140
INSPECTOR_AREA_COUNT: Final = 45
POI_COUNT: Final = 300
LATTICE_SPACING_M: Final = 99.0  # a little under 100 m: merged pieces bring the mean to ~10,000 m²
# Pieces cut off by community boundaries below 5,000 m² merge into a neighbour: with 3,000 m²
# about 8 % of the grids stayed between 3,000 and 5,000 m²; now nearly all are 5,000-20,000.
MIN_GRID_M2: Final = 5_000.0
MAX_MERGED_M2: Final = 20_000.0
ROW_HEIGHT_M: Final = 100.0
SNAP_M: Final = 0.01
RADIUS_M: Final = math.sqrt(DISTRICT_AREA_M2 / math.pi)

# Rings of streets from the centre out: unit codes, target area (km²), communities per km².
CENTRE: Final = ("S01",)
INNER: Final = ("S02", "S03", "S04", "S05", "S06")
OUTER: Final = ("S07", "S08", "S09", "S10", "S11", "S12", "S13", "S14", "S15")
TOWNSHIPS: Final = ("T01", "T02")
TARGET_KM2: Final = {"centre": 1.6, "inner": 2.4, "outer": 4.2}
DENSITY_PER_KM2: Final = {"centre": 7.5, "inner": 4.2, "outer": 1.8, "township": 0.3}
LANE_CHANCE: Final = {"centre": 0.6, "inner": 0.45, "outer": 0.08}


@dataclass(frozen=True)
class DemoDistrict:
    code: str
    name: str
    polygon: Polygon


@dataclass(frozen=True)
class DemoStreet:
    code: str  # 3 digits: 001-015 streets, 201-202 townships
    name: str
    kind: str  # "street" | "township" (org.models.UnitKind)
    unit_code: str  # the organisation unit, "S01"
    polygon: Polygon


@dataclass(frozen=True)
class DemoCommunity:
    street_code: str
    code: str  # 3 digits within the street: 001… communities, 201… villages
    name: str
    polygon: Polygon


@dataclass(frozen=True)
class DemoGrid:
    code: str  # 15 digits: district 6 + street 3 + community 3 + sequence 3
    street_code: str
    community_code: str
    sequence: int
    polygon: Polygon
    area_m2: float  # in EPSG:4544, before conversion to lon/lat


@dataclass(frozen=True)
class DemoRoad:
    name: str
    road_class: str  # "main" | "secondary" | "lane"
    aliases: tuple[str, ...]  # former names (曾用名)
    line: LineString


@dataclass(frozen=True)
class DemoDoorPlate:
    road_name: str
    number: str  # odd on the left of the road's direction, even on the right
    point: Point


@dataclass(frozen=True)
class DemoPoi:
    name: str
    category: str  # government | park | school | hospital | market | residential
    point: Point


@dataclass(frozen=True)
class DemoInspectorArea:
    code: str  # "01".."45"
    name: str
    grid_codes: tuple[str, ...]


@dataclass(frozen=True)
class DemoGeography:
    district: DemoDistrict
    streets: tuple[DemoStreet, ...]
    communities: tuple[DemoCommunity, ...]
    grids: tuple[DemoGrid, ...]
    roads: tuple[DemoRoad, ...]
    door_plates: tuple[DemoDoorPlate, ...]
    pois: tuple[DemoPoi, ...]
    inspector_areas: tuple[DemoInspectorArea, ...]


# --- outline and power diagrams --------------------------------------------------------------


def unit_vector(angle: float) -> Floats:
    return np.array([math.cos(angle), math.sin(angle)])


def _largest(geometry: BaseGeometry) -> Polygon:
    return max(shapely.get_parts(geometry), key=lambda part: part.area)


def _outline(rng: Rng) -> Polygon:
    """A star-shaped outline (the radius a sum of random harmonics) with a river bay cut in."""
    theta = np.linspace(0.0, 2 * math.pi, 720, endpoint=False)
    r = np.ones_like(theta)
    for m in range(2, 40):
        r += rng.uniform(0.0, 0.25) / m**1.3 * np.cos(m * theta + rng.uniform(0, 2 * math.pi))
    r = RADIUS_M * np.clip(r, 0.55, None)
    star = Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    # The bay: a meandering river mouth, wide at the edge and narrowing upstream.
    angle = rng.uniform(0, 2 * math.pi)
    t = np.linspace(1.7, 0.5, 40) * RADIUS_M
    bend = rng.uniform(60, 140) * np.sin(t / rng.uniform(500, 900) + rng.uniform(0, 6))
    river = t[:, None] * unit_vector(angle) + bend[:, None] * unit_vector(angle + math.pi / 2)
    widths = np.linspace(230, 50, len(river) - 1)
    bay = shapely.union_all([LineString(river[k : k + 2]).buffer(w) for k, w in enumerate(widths)])
    district = _largest(star.difference(bay))
    scale = math.sqrt(DISTRICT_AREA_M2 / district.area)
    return Polygon(np.asarray(district.exterior.coords) * scale)


def _clip(polygon: Floats, normal: Floats, offset: float) -> Floats:
    """Sutherland–Hodgman: the part of a convex polygon where normal·x <= offset."""
    side = polygon @ normal - offset
    out: list[Floats] = []
    for k in range(len(polygon)):
        a, b, sa, sb = polygon[k], polygon[k - 1], side[k], side[k - 1]
        if (sa <= 0) != (sb <= 0):
            out.append(b + (a - b) * (sb / (sb - sa)))
        if sa <= 0:
            out.append(a)
    return np.array(out).reshape(-1, 2)


def _power_cells(points: Floats, weights: Floats, region: Polygon) -> list[BaseGeometry]:
    """Cells {x : |x-p_i|² - w_i is least at i} clipped to ``region`` (weights 0: Voronoi)."""
    x0, y0, x1, y1 = region.bounds
    box = np.array([[x0 - 1, y0 - 1], [x1 + 1, y0 - 1], [x1 + 1, y1 + 1], [x0 - 1, y1 + 1]])
    norms = (points**2).sum(axis=1)
    cells = []
    for i, p in enumerate(points):
        cell = box
        for j, q in enumerate(points):
            if j != i and len(cell):
                cell = _clip(cell, 2 * (q - p), norms[j] - norms[i] - weights[j] + weights[i])
        cells.append(region.intersection(Polygon(cell)) if len(cell) >= 3 else Polygon())
    return cells


def _fit_weights(points: Floats, targets: Floats, region: Polygon) -> list[BaseGeometry]:
    """Power cells whose areas approach ``targets``: a cell that is too small gains weight."""
    weights = np.zeros(len(points))
    for _ in range(80):
        cells = _power_cells(points, weights, region)
        weights += 0.25 * (targets - np.array([cell.area for cell in cells]))
    return _power_cells(points, weights, region)


def _dissolve_fragments(cells: list[BaseGeometry]) -> list[Polygon]:
    """Give each stray part of a cell to the cell it shares most boundary with: a cell clipped
    by a non-convex outline can fall apart, and each unit must be one Polygon."""
    out = [_largest(cell) for cell in cells]
    for i, cell in enumerate(cells):
        for part in sorted(shapely.get_parts(cell), key=lambda p: -p.area)[1:]:
            shared = [
                part.boundary.intersection(other.buffer(0.05)).length if j != i else -1.0
                for j, other in enumerate(out)
            ]
            j = int(np.argmax(shared))
            out[j] = _largest(shapely.union(out[j], part, grid_size=SNAP_M))
    return out


# --- streets and communities -----------------------------------------------------------------


def ring_of(unit_code: str) -> str:
    for ring, codes in (("centre", CENTRE), ("inner", INNER), ("township", TOWNSHIPS)):
        if unit_code in codes:
            return ring
    return "outer"


def _spread(rng: Rng, count: int, start: float, stop: float) -> Floats:
    """``count`` angles spread evenly over [start, stop) with a little jitter."""
    step = (stop - start) / count
    return start + step * (np.arange(count) + 0.5 + rng.uniform(-0.2, 0.2, count))


def _street_sites(rng: Rng) -> tuple[Floats, Floats, list[str]]:
    """Seeds and target areas: one centre street, rings of 5 and 9 streets, two townships
    opposite each other on the outskirts (the outer ring leaves room for them)."""
    town = rng.uniform(0, 2 * math.pi)
    towns = np.array([town, town + math.pi + rng.uniform(-0.5, 0.5)])
    gap = 0.75
    arc = towns[1] - towns[0] - 2 * gap
    first = round(len(OUTER) * arc / (2 * math.pi - 4 * gap))
    start = rng.uniform(0, 2 * math.pi)
    rings = [
        ("centre", np.array([start]), 0.05, CENTRE),
        ("inner", _spread(rng, len(INNER), start, start + 2 * math.pi), 0.32, INNER),
        (
            "outer",
            np.concatenate(
                [
                    _spread(rng, first, towns[0] + gap, towns[1] - gap),
                    _spread(rng, len(OUTER) - first, towns[1] + gap, towns[0] + 2 * math.pi - gap),
                ]
            ),
            0.62,
            OUTER,
        ),
        ("township", towns, 0.82, TOWNSHIPS),
    ]
    points, targets, units = [], [], []
    for ring, angles, distance, codes in rings:
        clockwise_from_north = sorted(angles, key=lambda a: (math.pi / 2 - a) % (2 * math.pi))
        for code, angle in zip(codes, clockwise_from_north, strict=True):
            points.append(distance * RADIUS_M * unit_vector(angle))
            targets.append(TARGET_KM2.get(ring, 0.0) * 1e6 * rng.uniform(0.85, 1.15))
            units.append(code)
    rest, share = DISTRICT_AREA_M2 - sum(targets), rng.uniform(0.45, 0.55)
    targets[-2:] = [rest * share, rest * (1 - share)]
    return np.array(points), np.array(targets), units


def _community_counts(rng: Rng, areas: Sequence[float], units: Sequence[str]) -> list[int]:
    """Communities per street by area × density (largest remainder), at least 3 each."""
    weights = np.array(
        [a / 1e6 * DENSITY_PER_KM2[ring_of(u)] for a, u in zip(areas, units, strict=True)]
    )
    quota = weights * rng.uniform(0.9, 1.1, len(weights))
    quota *= COMMUNITY_COUNT / quota.sum()
    counts = np.maximum(np.floor(quota).astype(int), 3)
    for i in np.argsort(counts - quota)[: COMMUNITY_COUNT - counts.sum()]:
        counts[i] += 1
    assert counts.sum() == COMMUNITY_COUNT
    return [int(c) for c in counts]


def sample_in(rng: Rng, polygon: BaseGeometry, count: int) -> Floats:
    """``count`` uniform random points inside ``polygon``."""
    x0, y0, x1, y1 = polygon.bounds
    found: list[Floats] = []
    while sum(len(f) for f in found) < count:
        xy = rng.uniform([x0, y0], [x1, y1], size=(4 * count + 16, 2))
        found.append(xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])])
    return np.concatenate(found)[:count]


def _community_cells(rng: Rng, street: Polygon, count: int) -> list[Polygon]:
    """Voronoi cells of random seeds, relaxed a few times (Lloyd) so sizes are similar."""
    seeds = sample_in(rng, street, count)
    for _ in range(4):
        cells = _power_cells(seeds, np.zeros(count), street)
        seeds = shapely.get_coordinates([shapely.point_on_surface(c) for c in cells])
    return _dissolve_fragments(_power_cells(seeds, np.zeros(count), street))


# --- unit grids ------------------------------------------------------------------------------


def _warp(rng: Rng) -> Any:
    """A smooth shear field from a stream function: bends straight edges into gentle curves
    while keeping areas (its divergence is zero)."""
    waves = []
    for length, shift in [(2500, 40.0)] * 3 + [(700, 8.0)] * 2:
        k = (
            2
            * math.pi
            / (length * rng.uniform(0.6, 1.4))
            * unit_vector(rng.uniform(0, 2 * math.pi))
        )
        waves.append((k, shift * rng.uniform(0.5, 1.2), rng.uniform(0, 2 * math.pi)))

    def apply(xy: Floats) -> Floats:
        moved = xy.copy()
        for k, shift, phase in waves:
            wave = shift * np.sin(xy[:, 0] * k[0] + xy[:, 1] * k[1] + phase) / np.hypot(*k)
            moved += wave[:, None] * np.array([-k[1], k[0]])
        return moved

    return apply


def _warped_communities(rng: Rng, cells: list[Polygon]) -> tuple[Shapes, Shapes, Ints]:
    """The community boundaries noded once (so a shared edge exists once), cut into 20 m
    segments, warped and scaled to the district area; with the faces they enclose (made
    valid: the warp can fold a sliver) and the community of each face."""
    edges = shapely.get_parts(shapely.union_all([c.boundary for c in cells], grid_size=SNAP_M))
    edges = shapely.segmentize(edges, 20.0)
    faces = shapely.get_parts(shapely.polygonize(edges))
    label = np.full(len(faces), -1)
    hit, cell = shapely.STRtree(cells).query(shapely.point_on_surface(faces), predicate="within")
    label[hit] = cell
    _adopt(label, np.flatnonzero(label < 0), *_adjacency(faces))  # slivers left by snapping
    warp = _warp(rng)
    faces = shapely.transform(faces, warp)
    scale = math.sqrt(DISTRICT_AREA_M2 / shapely.area(faces).sum())
    faces = shapely.make_valid(shapely.transform(faces, lambda xy: xy * scale))
    edges = shapely.transform(edges, lambda xy: warp(xy) * scale)
    return edges, faces, label


def _adopt(
    labels: Ints, orphans: Ints, a: Ints, b: Ints, shared: Floats, quorum: float = 0.0
) -> None:
    """Each orphan face takes the labels of the labelled neighbour it shares most edge with,
    if more than ``quorum`` of its shared edges border labelled faces."""
    for i in orphans.tolist():
        near = np.concatenate([b[a == i], a[b == i]])
        lengths = np.concatenate([shared[a == i], shared[b == i]])
        labelled = (labels[near] >= 0).reshape(len(near), -1).all(axis=1)
        if labelled.any() and lengths[labelled].sum() > quorum * lengths.sum():
            labels[i] = labels[near[labelled][np.argmax(lengths[labelled])]]


def _lattice(rng: Rng, bounds: Floats) -> tuple[list[LineString], Shapes]:
    """A lattice over ``bounds`` whose nodes are jittered by up to a quarter spacing: its
    lines and cells."""
    x0, y0, x1, y1 = bounds
    s = LATTICE_SPACING_M
    xs, ys = np.arange(x0 - s, x1 + 2 * s, s), np.arange(y0 - s, y1 + 2 * s, s)
    nodes = np.stack(np.meshgrid(xs, ys), axis=-1)
    nodes += rng.uniform(-s / 4, s / 4, nodes.shape)
    lines = [LineString(row) for row in nodes] + [LineString(c) for c in nodes.transpose(1, 0, 2)]
    quads = np.stack([nodes[:-1, :-1], nodes[:-1, 1:], nodes[1:, 1:], nodes[1:, :-1]], axis=2)
    return lines, shapely.polygons(quads.reshape(-1, 4, 2))


def _adjacency(polygons: Shapes) -> tuple[Ints, Ints, Floats]:
    """Pairs (a, b, shared length) of polygons with a common edge, found by matching identical
    segments: exact because polygonised faces share their vertices bit for bit."""
    rings, owner = shapely.get_rings(polygons, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    start, end, face = xy[:-1][same], xy[1:][same], owner[ring[:-1][same]]
    flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    keys = np.hstack([np.where(flip[:, None], end, start), np.where(flip[:, None], start, end)])
    segment = np.unique(keys, axis=0, return_inverse=True)[1].ravel()
    order = np.argsort(segment, kind="stable")
    twin = segment[order][:-1] == segment[order][1:]
    first, second = order[:-1][twin], order[1:][twin]
    a, b = face[first], face[second]
    pairs, index = np.unique(
        np.column_stack([np.minimum(a, b), np.maximum(a, b)]), axis=0, return_inverse=True
    )
    length = np.bincount(index.ravel(), np.hypot(*(end[first] - start[first]).T), len(pairs))
    keep = pairs[:, 0] != pairs[:, 1]
    return pairs[keep, 0], pairs[keep, 1], length[keep]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _components(n: int, a: Ints, b: Ints) -> Ints:
    """The root of each item's connected component under the links (a, b)."""
    parent = list(range(n))
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        ri, rj = _find(parent, i), _find(parent, j)
        parent[max(ri, rj)] = min(ri, rj)
    return np.array([_find(parent, i) for i in range(n)])


def _merge_small(areas: Floats, community: Ints, a: Ints, b: Ints, shared: Floats) -> Ints:
    """Merge each piece below MIN_GRID_M2 into the neighbour in the same community it shares
    most boundary with (keeping the sum <= MAX_MERGED_M2 when it can); the root of each."""
    parent, area = list(range(len(areas))), areas.astype(float).tolist()
    near: list[dict[int, float]] = [{} for _ in area]
    for i, j, length in zip(a.tolist(), b.tolist(), shared.tolist(), strict=True):
        if i != j and community[i] == community[j]:
            near[i][j] = near[j][i] = near[i].get(j, 0.0) + length
    heap = [(size, i) for i, size in enumerate(area) if 0 < size < MIN_GRID_M2]
    heapq.heapify(heap)
    while heap:
        size, i = heapq.heappop(heap)
        if parent[i] != i or size != area[i] or not near[i]:
            continue
        fits = [j for j in near[i] if size + area[j] <= MAX_MERGED_M2] or list(near[i])
        j = max(fits, key=lambda j: (near[i][j], -j))
        parent[i], area[j] = j, area[j] + size
        gone, near[i] = near[i], {}
        for other, length in gone.items():
            del near[other][i]
            if other != j:
                near[other][j] = near[j][other] = near[other].get(j, 0.0) + length
        if area[j] < MIN_GRID_M2:
            heapq.heappush(heap, (area[j], j))
    return np.array([_find(parent, i) for i in range(len(parent))])


def _labelled_faces(rng: Rng, cells: list[Polygon]) -> tuple[Shapes, Ints, Ints, Ints, Floats]:
    """The faces cut by the warped community boundaries and the lattice inside the district,
    each labelled (community, lattice cell), with their adjacency (a, b, shared length)."""
    edges, regions, region_label = _warped_communities(rng, cells)
    lines, quads = _lattice(rng, shapely.total_bounds(edges))
    noded = shapely.union_all([*edges, *lines], grid_size=SNAP_M)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    points = shapely.point_on_surface(faces)
    labels = np.full((len(faces), 2), -1)
    for column, polygons in enumerate((regions, quads)):
        hit, polygon = shapely.STRtree(polygons).query(points, predicate="within")
        labels[hit, column] = polygon
    labels[:, 0] = np.where(labels[:, 0] >= 0, region_label[labels[:, 0]], -1)
    a, b, shared = _adjacency(faces)
    # A face of a few cm² left by snapping takes the labels of its longest-shared neighbour,
    # unless it lies mostly outside the district.
    crumbs = np.flatnonzero(shapely.area(faces) < 1.0)
    labels[crumbs] = -1
    _adopt(labels, crumbs, a, b, shared, quorum=0.5)
    kept = np.flatnonzero(labels[:, 0] >= 0)
    assert (labels[kept, 1] >= 0).all(), "a face inside the district lies in no lattice cell"
    renumber = np.full(len(faces), -1)
    renumber[kept] = np.arange(len(kept))
    both = (renumber[a] >= 0) & (renumber[b] >= 0)
    return faces[kept], labels[kept], renumber[a[both]], renumber[b[both]], shared[both]


def _grid_pieces(rng: Rng, cells: list[Polygon]) -> tuple[Shapes, Ints, Ints]:
    """Unit grids that tile the (warped) communities exactly: the polygons, the community of
    each, and the pairs of adjacent grids (n, 2)."""
    faces, labels, a, b, shared = _labelled_faces(rng, cells)
    # A piece: connected faces of one community in one lattice cell.
    same = (labels[a] == labels[b]).all(axis=1)
    piece = _components(len(faces), a[same], b[same])
    areas = np.bincount(piece, shapely.area(faces), len(faces))
    root = _merge_small(areas, labels[:, 0], piece[a], piece[b], shared)
    grid = np.unique(root[piece], return_inverse=True)[1].ravel()
    order = np.argsort(grid, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(grid[order])) + 1)
    grids = [shapely.coverage_union_all(faces[g]) if len(g) > 1 else faces[g[0]] for g in groups]
    differ = grid[a] != grid[b]
    pairs = np.column_stack([grid[a][differ], grid[b][differ]])
    return np.array(grids), np.array([labels[g[0], 0] for g in groups]), pairs


# --- codes -----------------------------------------------------------------------------------


def _reading_order(
    polygons: Sequence[BaseGeometry] | Shapes, row_height: float | None
) -> list[int]:
    """Indices of ``polygons`` by their centroids from west to east, then north to south."""
    centroids = shapely.get_coordinates(shapely.centroid(np.asarray(polygons, dtype=object)))
    sequence = assign_sequences(dict(enumerate(map(tuple, centroids))), row_height)
    return sorted(sequence, key=sequence.__getitem__)


def territory(
    rng: Rng, names: NameDrawer
) -> tuple[list[DemoStreet], list[DemoCommunity], list[DemoGrid], list[DemoInspectorArea]]:
    """Streets, communities and unit grids, coded and named, and the inspector areas."""
    outline = _outline(rng)
    points, targets, units = _street_sites(rng)
    street_cells = _dissolve_fragments(_fit_weights(points, targets, outline))
    counts = _community_counts(rng, [c.area for c in street_cells], units)
    cells = [_community_cells(rng, c, n) for c, n in zip(street_cells, counts, strict=True)]
    polygons, community_of, pairs = _grid_pieces(rng, [c for cs in cells for c in cs])
    kinds = {unit: (name, kind.value) for unit, name, kind in STREETS}
    streets, communities, grids = [], [], []
    codes = np.empty(len(polygons), dtype=object)
    first = np.cumsum([0, *counts])
    for s, unit in enumerate(units):
        base = 200 if unit in TOWNSHIPS else 0  # statistical codes: 0xx streets, 2xx townships
        street_code = f"{int(unit[1:]) + base:03d}"
        members = [np.flatnonzero(community_of == k) for k in range(first[s], first[s + 1])]
        shapes = [shapely.coverage_union_all(polygons[m]) for m in members]
        name, kind = kinds[unit]
        streets.append(
            DemoStreet(street_code, name, kind, unit, shapely.coverage_union_all(shapes))
        )
        for rank, index in enumerate(_reading_order(shapes, None), start=1):
            community = DemoCommunity(
                street_code,
                f"{rank + base:03d}",
                names.village() if base else names.community(),
                shapes[index],
            )
            communities.append(community)
            own = members[index]
            for sequence, g in enumerate(_reading_order(polygons[own], ROW_HEIGHT_M), start=1):
                code = f"{DISTRICT_CODE}{street_code}{community.code}{sequence:03d}"
                polygon = polygons[own[g]]
                grids.append(
                    DemoGrid(code, street_code, community.code, sequence, polygon, polygon.area)
                )
                codes[own[g]] = code
    return streets, communities, grids, _inspector_areas(polygons, community_of, pairs, codes)


# --- inspector areas -------------------------------------------------------------------------


def _inspector_areas(
    polygons: Shapes, community: Ints, pairs: Ints, codes: Shapes
) -> list[DemoInspectorArea]:
    """45 contiguous areas of about equal grid counts, numbered in reading order."""
    centroids = shapely.get_coordinates(shapely.centroid(polygons))
    neighbours: list[list[int]] = [[] for _ in polygons]
    for i, j in pairs.tolist():
        neighbours[i].append(j)
        neighbours[j].append(i)
    everything = np.arange(len(polygons))
    parts = _bisect(centroids, community, neighbours, everything, INSPECTOR_AREA_COUNT)
    order = _reading_order([shapely.union_all(polygons[p]).centroid for p in parts], 1500.0)
    return [
        DemoInspectorArea(f"{rank:02d}", f"第{rank}责任网格", tuple(sorted(codes[parts[i]])))
        for rank, i in enumerate(order, start=1)
    ]


def _grow(idx: Ints, key: Floats, neighbours: list[list[int]]) -> Ints:
    """``idx`` in the order a region grows from its lowest-key grid, always taking the adjacent
    grid of lowest key next: every prefix is contiguous."""
    rank = dict(zip(idx.tolist(), key.tolist(), strict=True))
    start = int(idx[np.argmin(key)])
    heap, seen, order = [(rank[start], start)], {start}, []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for j in neighbours[i]:
            if j in rank and j not in seen:
                seen.add(j)
                heapq.heappush(heap, (rank[j], j))
    return np.array(order + [i for i in idx.tolist() if i not in seen])


def _halves(
    centroids: Floats,
    community: Ints,
    neighbours: list[list[int]],
    idx: Ints,
    share: float,
    axis: Floats,
) -> tuple[Ints, Ints]:
    """Cut grids ``idx`` across ``axis`` into parts of ``share`` and 1 - share: between
    communities when that is within 10 % of an area's size, else through one."""
    along = (centroids[idx] - centroids[idx].mean(axis=0)) @ axis
    unit = np.unique(community[idx], return_inverse=True)[1].ravel()
    mean_along = np.bincount(unit, along) / np.bincount(unit)
    # Whole communities first (by their mean position), then the grids within one.
    ordered = _grow(idx, mean_along[unit] * 1e6 + along, neighbours)
    position = np.unique(community[ordered], return_inverse=True)[1].ravel()
    steps = np.arange(len(ordered))
    first = np.full(position.max() + 1, len(ordered))
    last = np.zeros(position.max() + 1, dtype=np.int64)
    np.minimum.at(first, position, steps)
    np.maximum.at(last, position, steps)
    # A cut before step p splits no community when none has first < p <= last.
    open_ = np.zeros(len(ordered) + 2)
    np.add.at(open_, first + 1, 1)
    np.add.at(open_, last + 1, -1)
    clean = np.flatnonzero(np.cumsum(open_)[1 : len(ordered)] == 0) + 1
    target = len(idx) * share
    cut = round(target)
    if len(clean):
        best = int(clean[np.argmin(np.abs(clean - target))])
        if abs(best - target) <= 0.1 * min(share, 1 - share) * len(idx):
            cut = best
    return ordered[:cut], ordered[cut:]


def _parts(part: Ints, neighbours: list[list[int]]) -> list[list[int]]:
    """The contiguous pieces of a set of grids, largest first."""
    inside, seen, pieces = set(part.tolist()), set(), []
    for start in part.tolist():
        if start in seen:
            continue
        seen.add(start)
        piece, stack = [start], [start]
        while stack:
            for j in neighbours[stack.pop()]:
                if j in inside and j not in seen:
                    seen.add(j)
                    piece.append(j)
                    stack.append(j)
        pieces.append(piece)
    return sorted(pieces, key=len, reverse=True)


def _bisect(
    centroids: Floats, community: Ints, neighbours: list[list[int]], idx: Ints, k: int
) -> list[Ints]:
    """Split grids ``idx`` into ``k`` balanced contiguous areas by halving recursively across
    the longer axis or, when that balances worse, a nearby direction."""
    if k == 1:
        return [idx]
    k1 = k // 2
    centred = centroids[idx] - centroids[idx].mean(axis=0)
    principal = np.linalg.eigh(centred.T @ centred)[1][:, -1]
    base = math.atan2(principal[1], principal[0])
    target = len(idx) * k1 / k
    best: tuple[Ints, Ints] | None = None
    for turn in (0.0, 0.4, -0.4, 0.8, -0.8, 1.2, -1.2, math.pi / 2):
        first, second = _halves(
            centroids, community, neighbours, idx, k1 / k, unit_vector(base + turn)
        )
        # The first half grew contiguously; stray bits of the second join it.
        pieces = _parts(second, neighbours)
        if len(pieces) > 1:
            second = np.array(pieces[0])
            first = np.concatenate([first, *map(np.array, pieces[1:])])
        if best is None or abs(len(first) - target) < abs(len(best[0]) - target):
            best = (first, second)
        if abs(len(first) - target) <= 0.1 * len(idx) / k:
            break
    assert best is not None
    return _bisect(centroids, community, neighbours, best[0], k1) + _bisect(
        centroids, community, neighbours, best[1], k - k1
    )


# --- roads, door plates, points of interest ----------------------------------------------------
