"""The demo district's components (部件普查): about 27,000 objects along its roads, classified in
the district's edition: GB/T 47678.5-2026 by default, or the legacy CJ/T 214-2007 edition the seed
district's census used. The rules below are written in the legacy codes of that census; in
GB/T 47678.5 each lands on its current type through the crosswalk (catalog/data/crosswalk_*.csv,
CURRENT_OVERRIDES where the census knows better), and the legacy types without an equivalent
(人防工事, 重大危险源, 工地) are not surveyed.

Each type has a spacing per road class (metres between items along one side of the road) and a
place across the road: covers in the carriageway, lamps and gratings at the kerb, benches on
the pavement, kiosks by the roadside, toilets and parking further back. Spacing widens from the
centre outwards (RING_SPACING), so the central streets are densest. Lamps stand every 35 m on
both sides of a main road in the centre; the many kinds of manhole cover (井盖) together make
about half of the inventory, as in real censuses.

Loading is an upsert by identifier in one transaction: running it again with the same seed
changes nothing; another seed changes the rows and removes the demo components it no longer
has. Demo components are those of the edition in the demo district marked DEMO_NOTE (备注).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Q
from shapely.geometry import LineString, MultiPoint, Point

from cases.component_status import held_components
from catalog.loading import CURRENT_EDITION, LEGACY_EDITION
from catalog.lookup import crosswalk_for
from catalog.models import CaseType, Edition, TypeKind
from components.models import Component, ComponentStatus, DataSource, change_status, note_serial
from geo.lookup import locate_many, territory_index
from geo.models import District, Road, Street
from lib.bulk import insert_new
from lib.component_ids import build_component_id
from lib.coords import gk_zone_epsg, to_lonlat, to_metres
from org.models import Unit, UnitKind
from simulate.demo_geo import ring_of

DEMO_NOTE: Final = "演示数据（UrbanGrid 演示区）"
# The census's poles (立杆) are the power company's: 电力立杆 rather than the crosswalk's 不明立杆.
CURRENT_OVERRIDES: Final = {"0117": "01030"}
HALF_WIDTH_M: Final = {"main": 15.0, "secondary": 9.0, "lane": 3.5}
RING_SPACING: Final = {"centre": 1.0, "inner": 1.2, "outer": 1.7, "township": 2.8}
# Offset from the centre line: half-width × U(a, b) + U(c, d) metres.
PLACES: Final = {
    "carriageway": (0.1, 0.9, 0.0, 0.0),
    "kerb": (1.0, 1.0, 0.3, 1.0),
    "pavement": (1.0, 1.0, 1.0, 3.0),
    "roadside": (1.0, 1.0, 3.0, 10.0),
    "back": (1.0, 1.0, 10.0, 40.0),
}
STATUS_SHARES: Final[dict[str, float]] = {
    ComponentStatus.INTACT: 0.955,
    ComponentStatus.DAMAGED: 0.03,
    ComponentStatus.MISSING: 0.008,
    ComponentStatus.ABANDONED: 0.005,
    ComponentStatus.REMOVED: 0.002,
}
SOURCE_SHARES: Final[dict[str, float]] = {
    DataSource.SURVEY: 0.92,
    DataSource.TOPOGRAPHIC_MAP: 0.05,
    DataSource.BASE_GEODATA: 0.03,
}
CENSUS_START: Final = date(2019, 4, 1)  # the census took eight months
CENSUS_DAYS: Final = 240
BATCH: Final = 2000


class DemoComponentsError(RuntimeError):
    """What the demo components need is missing (catalogue, organisation or roads)."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    spacing: dict[str, float]  # road class → metres between items along one side
    place: str
    department: str  # a demo unit code (simulate/demo_org.py), unless the type has a default
    paired: tuple[str, ...] = ()  # road classes with an item on both sides at each station
    owned: bool = True  # the department owns it (False: owner unknown, e.g. 无主井盖)


def _rule(
    code: str, name: str, place: str, department: str, owned: bool = True, **spacing: float
) -> Rule:
    return Rule(code, name, spacing, place, department, owned=owned)


# Manhole covers: per km of road on the centre's spacing, all kinds together, split by share.
COVERS_PER_KM: Final = {"main": 108.0, "secondary": 84.0, "lane": 60.0}
COVERS: Final = (
    ("0101", "上水井盖", 0.17, "D16"),
    ("0102", "污水井盖", 0.18, "D02"),
    ("0103", "雨水井盖", 0.16, "D02"),
    ("0105", "电力井盖", 0.08, "D15"),
    ("0106", "路灯井盖", 0.05, "D20"),
    ("0107", "通讯井盖", 0.09, "D18"),
    ("0108", "电视井盖", 0.02, "D19"),
    ("0109", "网络井盖", 0.02, "D18"),
    ("0110", "热力井盖", 0.005, "D06"),
    ("0111", "燃气井盖", 0.04, "D17"),
    ("0112", "公安井盖", 0.015, "D08"),
    ("0114", "无主井盖", 0.01, "D01"),
    ("0127", "中水井盖", 0.005, "D09"),
    ("0128", "公交井盖", 0.002, "D07"),
    ("0129", "输油（气）井盖", 0.002, "D17"),
    ("0130", "特殊井盖", 0.002, "D01"),
)


def _cover_rules() -> list[Rule]:
    rules = []
    for code, name, share, department in COVERS:
        spacing = {k: 1000.0 / (per_km * share) for k, per_km in COVERS_PER_KM.items()}
        rules.append(Rule(code, name, spacing, "carriageway", department, owned=code != "0114"))
    # Rain gratings (雨水箅子) sit in the gutter, not in the middle of the road.
    rules.append(Rule("0104", "雨水箅子", {"main": 70, "secondary": 90}, "kerb", "D02"))
    return rules


RULES: Final = (
    *_cover_rules(),
    Rule("0118", "路灯", {"main": 35, "secondary": 50, "lane": 80}, "kerb", "D20", ("main",)),
    Rule("0402", "行道树", {"main": 25, "secondary": 65}, "kerb", "D05", ("main",)),
    _rule("0113", "消防设施", "pavement", "D16", main=120, secondary=250, lane=330),
    _rule("0115", "通讯交接箱", "pavement", "D18", main=1000, secondary=670, lane=1000),
    _rule("0116", "电力设施", "pavement", "D15", main=1000, secondary=670),
    _rule("0117", "立杆", "kerb", "D15", secondary=250, lane=170),
    _rule("0119", "地灯", "pavement", "D20", main=500),
    _rule("0120", "景观灯", "pavement", "D20", main=330, secondary=2000),
    _rule("0121", "报刊亭", "roadside", "D01", main=1000, secondary=5000),
    _rule("0122", "电话亭", "pavement", "D18", main=2000),
    _rule("0123", "邮筒", "pavement", "D01", main=2000, secondary=6700),
    _rule("0124", "信息亭", "roadside", "D01", main=3300),
    _rule("0125", "自动售货机", "roadside", "D11", main=2000, secondary=10000),
    _rule("0126", "健身设施", "roadside", "D14", secondary=1700, lane=1000),
    _rule("0131", "民用水井", "back", "D09", secondary=20000),
    _rule("0132", "供水器", "pavement", "D16", secondary=10000),
    _rule("0133", "高压线铁塔", "back", "D15", secondary=5000),
    _rule("0134", "变压器（箱）", "roadside", "D15", main=2000, secondary=1000, lane=2000),
    _rule("0135", "燃气调压站（箱）", "roadside", "D17", secondary=3300),
    _rule("0136", "监控电子眼", "kerb", "D08", main=200, secondary=670, lane=1000),
    _rule("0137", "售货亭", "roadside", "D01", main=2000, secondary=5000),
    _rule("0138", "治安岗亭", "roadside", "D08", main=2500, secondary=20000),
    _rule("0201", "停车场", "back", "D07", main=3300, secondary=3300),
    _rule("0202", "停车咪表", "kerb", "D07", main=500),
    _rule("0203", "公交站亭", "pavement", "D07", main=400, secondary=1000),
    _rule("0204", "出租车站牌", "kerb", "D07", main=2000),
    _rule("0209", "交通标志牌", "kerb", "D08", main=125, secondary=330, lane=1000),
    _rule("0210", "交通信号灯", "kerb", "D08", main=330, secondary=2000),
    _rule("0211", "交通护栏", "carriageway", "D08", main=250, secondary=1000),
    _rule("0212", "存车支架", "pavement", "D01", main=500, secondary=2000, lane=1000),
    _rule("0213", "路名牌", "kerb", "D10", main=330, secondary=500, lane=330),
    _rule("0214", "交通信号设施", "kerb", "D08", main=1000, secondary=3300),
    _rule("0301", "公共厕所", "back", "D03", main=1250, secondary=2500, lane=2000),
    _rule("0302", "化粪池", "back", "D03", secondary=3300, lane=1700),
    _rule("0303", "公厕指示牌", "pavement", "D03", main=830, secondary=2000),
    _rule("0304", "垃圾间（楼）", "back", "D03", secondary=3300, lane=2500),
    _rule("0305", "垃圾箱", "pavement", "D03", main=100, secondary=170, lane=200),
    _rule("0306", "灯箱霓虹灯", "roadside", "D01", owned=False, main=250, lane=500),
    _rule("0307", "广告牌匾", "roadside", "D01", owned=False, main=100, secondary=670, lane=250),
    _rule("0308", "环保监测站", "roadside", "D12", main=10000),
    _rule("0309", "气象监测站", "back", "D13", secondary=100000),
    _rule("0310", "污水口监测站", "back", "D12", secondary=50000),
    _rule("0311", "噪声显示屏", "pavement", "D12", main=5000),
    _rule("0401", "古树名木", "roadside", "D05", secondary=6700, lane=3300),
    _rule("0403", "护树设施", "kerb", "D05", main=200),
    _rule("0404", "花架花钵", "pavement", "D05", main=170, secondary=2000),
    _rule("0405", "绿地", "back", "D05", main=1250, secondary=2000),
    _rule("0406", "雕塑", "roadside", "D05", main=2500, secondary=20000),
    _rule("0407", "街头坐椅", "pavement", "D05", main=200, secondary=1000, lane=1000),
    _rule("0408", "绿地护栏", "roadside", "D05", main=500, secondary=2000),
    _rule("0409", "绿地维护设施", "back", "D05", secondary=5000),
    _rule("0410", "喷泉", "back", "D05", main=7000),
    _rule("0501", "宣传栏", "roadside", "D01", secondary=3300, lane=670),
    _rule("0502", "人防工事", "back", "D06", secondary=20000, lane=10000),
    _rule("0503", "公房地下室", "back", "D06", lane=5000),
    _rule("0601", "重大危险源", "back", "D13", secondary=33000),
    _rule("0602", "工地", "back", "D06", secondary=6700),
)

COVER_MATERIALS: Final = ("铸铁", "球墨铸铁", "复合材料")
TREE_SPECIES: Final = ("香樟", "银杏", "法国梧桐", "桂花", "女贞")
HYDRANT_KINDS: Final = ("地上式", "地下式")


def load_demo_components(seed: int, edition: str = CURRENT_EDITION.code) -> dict[str, int]:
    """Create or update the demo components for ``seed`` in ``edition`` (needs the demo
    organisation and district: run load_demo first)."""
    chosen, types = demo_types(edition)
    rules = tuple(rule for rule in RULES if rule.code in types)
    units = _demo_units()
    rng = np.random.default_rng([seed, 214])
    components = _components(rng, _generate(rng, rules), rules, types, units)
    with transaction.atomic():
        counts = _store(chosen, components)
    return {"components": len(components), **counts}


# --- what it needs ---------------------------------------------------------------------------


def demo_types(edition_code: str) -> tuple[Edition, dict[str, CaseType]]:
    """The edition and, per legacy rule code, the type its components get in it."""
    edition = Edition.objects.filter(code=edition_code).first()
    if edition is None:
        raise DemoComponentsError(
            f"the catalogue edition {edition_code} is missing: run manage.py load_catalog first"
        )
    types = {
        t.code: t
        for t in CaseType.objects.filter(major__edition=edition, major__kind=TypeKind.COMPONENT)
    }
    if edition_code == LEGACY_EDITION.code:
        wanted = {rule.code: rule.code for rule in RULES}
    else:
        crosswalk = crosswalk_for(TypeKind.COMPONENT)
        if not crosswalk:
            raise DemoComponentsError("the crosswalk is missing: run manage.py load_catalog first")
        wanted = {
            rule.code: CURRENT_OVERRIDES.get(rule.code) or current.code
            for rule in RULES
            if (current := crosswalk.get(rule.code)) is not None
        }
    missing = sorted(set(wanted.values()) - types.keys())
    if missing:
        raise DemoComponentsError(
            f"the catalogue {edition_code} lacks the types {', '.join(missing)}"
        )
    return edition, {legacy: types[code] for legacy, code in wanted.items()}


def _demo_units() -> dict[str, Unit]:
    codes = {rule.department for rule in RULES}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    missing = sorted(codes - units.keys())
    if missing:
        raise DemoComponentsError(
            f"the demo units {', '.join(missing)} are missing: load the demo organisation first"
        )
    return units


# --- where things stand ----------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """The part of a road inside one street, in metres."""

    road: str
    road_class: str
    ring: str
    line: LineString


@dataclass
class Items:
    """Generated components as parallel arrays, in generation order."""

    rule: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    grid: np.ndarray
    piece: np.ndarray
    side: list[str]
    pieces: list[Piece]

    def __len__(self) -> int:
        return len(self.rule)


def _pieces(epsg: int) -> list[Piece]:
    streets = [
        (ring_of(s.office.code if s.office else ""), to_metres(s.boundary, epsg))
        for s in Street.objects.select_related("office").order_by("full_code")
    ]
    pieces = []
    for road in Road.objects.order_by("name"):
        line = to_metres(road.line, epsg)
        for ring, boundary in streets:
            for part in shapely.get_parts(shapely.intersection(line, boundary)):
                if part.geom_type == "LineString" and part.length >= 1.0:
                    pieces.append(Piece(road.name, road.road_class, ring, part))
    if not pieces:
        raise DemoComponentsError("the district has no roads: run load_demo first")
    return pieces


def _stations(rng: np.random.Generator, length: float, spacing: float) -> np.ndarray:
    """Distances along a piece every ``spacing`` metres, from a random start, jittered."""
    start = rng.uniform(0.0, spacing)
    at = np.arange(start, length, spacing)
    at += rng.uniform(-0.15, 0.15, len(at)) * spacing
    return np.clip(at, 0.0, length)


def _layout(
    rng: np.random.Generator, pieces: list[Piece], rules: tuple[Rule, ...]
) -> dict[str, np.ndarray]:
    """Rule, piece, distance along it and signed offset from its centre line per item."""
    columns: dict[str, list[np.ndarray]] = defaultdict(list)
    for r, rule in enumerate(rules):
        for p, piece in enumerate(pieces):
            spacing = rule.spacing.get(piece.road_class)
            if spacing is None:
                continue
            at = _stations(rng, piece.line.length, spacing * RING_SPACING[piece.ring])
            sides = 2 if piece.road_class in rule.paired else 1
            at = np.repeat(at, sides)
            side = (
                np.tile([1.0, -1.0], len(at) // 2)
                if sides == 2
                else rng.choice([1.0, -1.0], len(at))
            )
            a, b, c, d = PLACES[rule.place]
            half = HALF_WIDTH_M[piece.road_class]
            offset = half * rng.uniform(a, b, len(at)) + rng.uniform(c, d, len(at))
            columns["rule"].append(np.full(len(at), r))
            columns["piece"].append(np.full(len(at), p))
            columns["at"].append(at)
            columns["offset"].append(side * offset)
    return {key: np.concatenate(parts) for key, parts in columns.items()}


def _positions(pieces: list[Piece], layout: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Points beside the centre line (metres) and which way each lies from it."""
    lines = np.array([pieces[p].line for p in layout["piece"]], dtype=object)
    lengths = shapely.length(lines)
    at = layout["at"]
    here = shapely.get_coordinates(shapely.line_interpolate_point(lines, at))
    ahead = shapely.get_coordinates(
        shapely.line_interpolate_point(lines, np.minimum(at + 1, lengths))
    )
    behind = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.maximum(at - 1, 0)))
    tangent = ahead - behind
    tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
    left = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    away = left * layout["offset"][:, None]
    return here + away, away


def _side_name(away: np.ndarray) -> list[str]:
    """东/西/南/北: the side of the road an item stands on."""
    east_west = np.abs(away[:, 0]) > np.abs(away[:, 1])
    names = np.where(
        east_west,
        np.where(away[:, 0] > 0, "东", "西"),
        np.where(away[:, 1] > 0, "北", "南"),
    )
    return names.tolist()


def _generate(rng: np.random.Generator, rules: tuple[Rule, ...]) -> Items:
    district = District.objects.get()
    epsg = gk_zone_epsg(district.boundary.centroid.x)
    pieces = _pieces(epsg)
    layout = _layout(rng, pieces, rules)
    xy, away = _positions(pieces, layout)
    lonlat = shapely.get_coordinates(to_lonlat(MultiPoint(xy), epsg))
    grid = locate_many(lonlat[:, 0], lonlat[:, 1])
    inside = grid >= 0  # items off the district's edge (or in the river bay) are dropped
    return Items(
        rule=layout["rule"][inside],
        lon=lonlat[inside, 0],
        lat=lonlat[inside, 1],
        grid=grid[inside],
        piece=layout["piece"][inside],
        side=[s for s, keep in zip(_side_name(away), inside.tolist(), strict=True) if keep],
        pieces=pieces,
    )


# --- rows ------------------------------------------------------------------------------------


def _choice(rng: np.random.Generator, shares: dict[str, float], count: int) -> list[str]:
    weights = np.array(list(shares.values()))
    picks = rng.choice(len(shares), count, p=weights / weights.sum())
    keys = list(shares)
    return [keys[k] for k in picks.tolist()]


def _attributes(rng: np.random.Generator, rule: Rule, piece: Piece) -> dict[str, Any]:
    """A few per-type extras, as a census records them."""
    if rule.place == "carriageway" and rule.name.endswith("井盖"):
        shape = "方形" if rng.random() < 0.2 else "圆形"
        return {"材质": COVER_MATERIALS[int(rng.integers(3))], "形状": shape}
    if rule.code == "0118":
        return {"灯头数": 2 if piece.road_class == "main" else 1}
    if rule.code == "0402":
        return {"树种": TREE_SPECIES[int(rng.integers(len(TREE_SPECIES)))]}
    if rule.code == "0113":
        return {"类型": HYDRANT_KINDS[int(rng.integers(2))]}
    return {}


def _components(
    rng: np.random.Generator,
    items: Items,
    rules: tuple[Rule, ...],
    types: dict[str, CaseType],
    units: dict[str, Unit],
) -> list[Component]:
    places = {location.grid_id: location for location in territory_index().locations}
    teams = dict(Unit.objects.filter(kind=UnitKind.TEAM).values_list("parent_id", "pk"))
    count = len(items)
    statuses = _choice(rng, STATUS_SHARES, count)
    sources = _choice(rng, SOURCE_SHARES, count)
    days = rng.integers(0, CENSUS_DAYS, count).tolist()
    serials = _others_serials(types)
    components = []
    for k in range(count):
        rule, piece = rules[items.rule[k]], items.pieces[items.piece[k]]
        case_type, location = types[rule.code], places[int(items.grid[k])]
        prefix = location.grid_code[:6] + case_type.code
        serials[prefix] += 1
        department = case_type.default_department or units[rule.department]
        components.append(
            Component(
                identifier=build_component_id(prefix[:6], case_type.code, serials[prefix]),
                case_type_id=case_type.pk,
                name=case_type.name,
                point=Point(float(items.lon[k]), float(items.lat[k])),
                grid_id=location.grid_id,
                community_id=location.community_id,
                street_id=location.street_id,
                department_id=department.pk,
                owner_id=department.pk if rule.owned else None,
                maintainer_id=teams.get(department.pk),
                status=statuses[k],
                initial_date=CENSUS_START + timedelta(days=days[k]),
                data_source=sources[k],
                location_text=f"{piece.road}{items.side[k]}侧",
                notes=DEMO_NOTE,
                attributes=_attributes(rng, rule, piece),
            )
        )
    return components


def _others_serials(types: dict[str, CaseType]) -> defaultdict[str, int]:
    """The last serial per prefix among components that are not the demo's, so the demo's
    numbers follow them instead of taking theirs."""
    last: defaultdict[str, int] = defaultdict(int)
    others = Component.objects.filter(case_type__in=list(types.values())).exclude(notes=DEMO_NOTE)
    for identifier in others.values_list("identifier", flat=True):
        prefix, serial = identifier[:-6], int(identifier[-6:])
        last[prefix] = max(last[prefix], serial)
    return last


# --- storing ---------------------------------------------------------------------------------

FIELDS: Final = (
    "case_type_id", "name", "point", "grid_id", "community_id", "street_id", "department_id",
    "owner_id", "maintainer_id", "initial_date", "changed_date", "data_source",
    "location_text", "notes", "attributes",
)  # fmt: skip


def _signature(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple((v.x, v.y) if isinstance(v, Point) else v for v in values)


def _store(edition: Edition, components: list[Component]) -> dict[str, int]:
    """Upsert by identifier, except components a case holds damaged; remove the demo
    components this seed does not have."""
    districts = Q()
    for district in {c.identifier[:6] for c in components}:
        districts |= Q(identifier__startswith=district)
    scope = Component.objects.filter(districts, case_type__major__edition=edition, notes=DEMO_NOTE)
    existing = {
        row[0]: (row[1], row[2], _signature(row[3:]))
        for row in scope.values_list("identifier", "pk", "status", *FIELDS).iterator(BATCH)
    }
    wanted = {c.identifier for c in components}
    stale = [identifier for identifier in existing if identifier not in wanted]
    for start in range(0, len(stale), BATCH):
        scope.filter(identifier__in=stale[start : start + BATCH]).delete()
    new = [c for c in components if c.identifier not in existing]
    insert_new(Component, new, batch_size=BATCH)
    changed, moved = [], []
    held = held_components()  # a case's to give back when it ends, not the demo's
    for component in components:
        if component.identifier not in existing:
            continue
        pk, status, signature = existing[component.identifier]
        if pk in held:
            continue
        component.pk = pk
        if signature != _signature(tuple(getattr(component, f) for f in FIELDS)):
            changed.append(component)
        if status != component.status:
            moved.append(component)
    Component.objects.bulk_update(changed, list(FIELDS), batch_size=500)
    for component in moved:
        change_status(component, component.status, None, "demo reset")
    _note_serials(components)
    updated = len({c.identifier for c in changed + moved})
    return {"created": len(new), "updated": updated, "removed": len(stale)}


def _note_serials(components: list[Component]) -> None:
    last: dict[str, int] = defaultdict(int)
    for component in components:
        prefix, serial = component.identifier[:-6], int(component.identifier[-6:])
        last[prefix] = max(last[prefix], serial)
    for prefix, serial in last.items():
        note_serial(prefix, serial)
