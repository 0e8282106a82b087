"""Gazetteer (地理编码) logic: Chinese address text to positions and back.

Pure module: plain dataclasses, shapely geometry in one projected metric CRS (x east, y north).
A Django layer builds the dataclasses from database rows.

- `parse_address` splits free text into address levels with named regexes (STANDARDS.md §3:
  <行政区域>[基本区域限定物][局部点位置: 门(楼)址 | 兴趣点]).
- `Gazetteer.geocode` ranks door plates, roads, points of interest and areas for a text.
- `describe` turns a position into the text a supervision center writes ("中山路12号 东侧约30米").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from rapidfuzz import fuzz, process
from shapely import STRtree, intersection_all, unary_union
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

AreaLevel = Literal["district", "street", "community", "area"]
MatchKind = Literal["door_plate", "road", "poi", "area"]


@dataclass(frozen=True)
class Road:
    """A street or lane (街巷); `aliases` holds alternative and former names (别名/曾用名)."""

    id: int
    name: str
    aliases: tuple[str, ...]
    line: LineString


@dataclass(frozen=True)
class DoorPlate:
    """A door or building plate (门(楼)牌) such as "12", "12-1" or "12附3" on a road."""

    id: int
    road_id: int
    number: str
    point: Point


@dataclass(frozen=True)
class Poi:
    """A point of interest (兴趣点)."""

    id: int
    name: str
    aliases: tuple[str, ...]
    point: Point


@dataclass(frozen=True)
class Area:
    """An administrative area (district, street, community) or a 区片 ("area", e.g. a compound)."""

    id: int
    name: str
    aliases: tuple[str, ...]
    level: AreaLevel
    polygon: Polygon | MultiPolygon


@dataclass(frozen=True)
class ParsedAddress:
    """Address text split into levels; every level is optional."""

    text: str
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    community: str | None = None
    road: str | None = None
    number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    poi: str | None = None
    relation: str | None = None


@dataclass(frozen=True)
class Match:
    """A ranked geocoding candidate; `reason` explains the score in the operators' language."""

    score: float
    point: Point
    kind: MatchKind
    label: str
    reason: str
    ref_id: int | None = None


# --- text normalisation and parsing ----------------------------------------------------------

_DIGIT_VALUES = dict(
    zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_DIGIT_VALUES.update({str(d): d for d in range(10)})  # mixed spellings such as "1百零5"
_UNIT_VALUES = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[0-9零〇一二两三四五六七八九十百千]+"
_WORD = r"[^\W\d_路街巷号]"  # a letter (CJK included) that cannot belong to a road or plate

_LEVEL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("province", re.compile(rf"{_WORD}{{1,8}}?(?:省|自治区|特别行政区)")),
    ("city", re.compile(rf"{_WORD}{{1,6}}?(?:市|自治州|地区|盟)")),
    ("district", re.compile(r"[^\W\d_路街巷号区县]{1,8}?(?<![社小园片景])(?:区|县|旗)")),
    ("street", re.compile(r"[^\W\d_路巷号]{1,8}?(?:街道(?:办事处|办)?|镇|乡)")),
    ("community", re.compile(rf"{_WORD}{{1,8}}?(?:社区(?:居委会)?|居委会|村(?:委会)?)")),
)
_ROAD = re.compile(r"(?!\d)[^\W_号]{1,12}?(?:大道|大街|胡同|路|街|巷|弄|里|道)(?:[东南西北中]段)?")
_PLATE = re.compile(
    rf"(?P<main>{_NUM})(?P<mark>号(?!楼)|#)?(?:(?P<sep>[-之附])(?P<sub>{_NUM})号?)?"
)
_STRICT_PLATE = re.compile(rf"(?P<main>{_NUM})号(?!楼)")
_BUILDING = re.compile(r"(?P<value>[0-9A-Za-z零〇一二两三四五六七八九十百]+)(?:号楼|栋|幢|座)")
_UNIT = re.compile(rf"(?P<value>{_NUM})单元")
_ROOM = re.compile(r"(?P<value>[0-9A-Za-z-]+)(?:室|号房|房)")
_RELATION = re.compile(
    r"(?:[东南西北]{1,2}(?:侧|面|边|方向|方)?约?[0-9.]+(?:米|m)"
    r"|[东南西北]{1,2}(?:侧|面|边)|附近|旁边|对面|周边|周围|门口|交叉口|一带|边上|里面|内|旁)处?$"
)
_PUNCTUATION = re.compile(r"[^\w#-]+")


def normalize_text(text: str) -> str:
    """NFKC (full-width to half-width), then drop whitespace and punctuation except '-' and '#'."""
    text = unicodedata.normalize("NFKC", text).replace("—", "-").replace("－", "-")
    return _PUNCTUATION.sub("", text)


def chinese_to_int(numeral: str) -> int:
    """Chinese or Arabic numeral to int: "十二" → 12, "一百零五" → 105, "一二" → 12, "12" → 12."""
    if numeral.isdigit():
        return int(numeral)
    if all(ch in _DIGIT_VALUES for ch in numeral):
        return int("".join(str(_DIGIT_VALUES[ch]) for ch in numeral))
    total, digit = 0, 0
    for ch in numeral:
        if ch in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[ch]
        else:
            total += (digit or 1) * _UNIT_VALUES[ch]
            digit = 0
    return total + digit


def _numeral(value: str) -> str:
    return str(chinese_to_int(value)) if re.fullmatch(_NUM, value) else value


def normalize_number(number: str) -> str:
    """Canonical plate number: "１２号" → "12", "12之1" → "12-1", "十二附三" → "12附3"."""
    text = normalize_text(number).removesuffix("号")
    match = _PLATE.fullmatch(text)
    return _plate_text(match) if match else text


def _plate_text(match: re.Match[str]) -> str:
    main, sep = _numeral(match["main"]), match.groupdict().get("sep")
    if not sep:
        return main
    separator = "附" if sep == "附" else "-"
    return f"{main}{separator}{_numeral(match['sub'])}"


def _take(pattern: re.Pattern[str], rest: str) -> tuple[str | None, str]:
    """Remove the first match of `pattern` from `rest`; return its value and what is left."""
    match = pattern.search(rest)
    if match is None:
        return None, rest
    value = match.groupdict().get("value") or match.group(0)
    return _numeral(value), rest[: match.start()] + rest[match.end() :]


def parse_address(text: str) -> ParsedAddress:
    """Split Chinese address text into levels; raise ValueError for blank text."""
    if not text or not text.strip():
        raise ValueError("address text is empty")
    rest = normalize_text(text)
    parts: dict[str, str | None] = {}
    relation = _RELATION.search(rest)
    if relation and relation.start() > 0:
        parts["relation"], rest = relation.group(0), rest[: relation.start()]
    for level, pattern in _LEVEL_PATTERNS:
        match = pattern.match(rest)
        if match:
            parts[level], rest = match.group(0), rest[match.end() :]
    road = _ROAD.match(rest)
    if road:
        parts["road"], rest = road.group(0), rest[road.end() :]
        plate = _PLATE.match(rest)
        if plate and (plate["mark"] or plate["sep"] or plate.end() == len(rest)):
            parts["number"], rest = _plate_text(plate), rest[plate.end() :]
    else:
        plate = _STRICT_PLATE.search(rest)
        if plate:
            parts["number"] = _plate_text(plate)
            rest = rest[: plate.start()] + rest[plate.end() :]
    parts["building"], rest = _take(_BUILDING, rest)
    parts["unit"], rest = _take(_UNIT, rest)
    parts["room"], rest = _take(_ROOM, rest)
    parts["poi"] = rest.strip("-#") or None
    return ParsedAddress(text=text, **parts)


# --- geocoding ---------------------------------------------------------------------------------

_AREA_SUFFIXES = re.compile(r"(?:办事处|办|居委会|委会)$")  # "翠湖街道办" names 翠湖街道
_ALIAS_FACTOR = 0.98  # an alias ranks just below the current name
_OUTSIDE_FACTOR = 0.5  # candidate outside the areas named in the text
_FUZZY_CUTOFF = 70.0
_KIND_ORDER: dict[MatchKind, int] = {"door_plate": 0, "road": 1, "poi": 2, "area": 3}
_LEVEL_RANK: dict[AreaLevel, int] = {"district": 0, "street": 1, "community": 2, "area": 3}
_LEVEL_NAMES: dict[AreaLevel, str] = dict(
    district="区县", street="街道", community="社区", area="区片"
)


@dataclass(frozen=True)
class _Candidate:
    match: Match
    footprint: BaseGeometry  # geometry tested against the areas named in the text


@dataclass
class _NameIndex[T]:
    """Normalised names and aliases → objects, with a flat list for fuzzy search."""

    exact: dict[str, list[tuple[T, bool]]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    entries: list[tuple[T, bool]] = field(default_factory=list)

    def add(self, item: T, name: str, aliases: Iterable[str]) -> None:
        for label, is_alias in ((name, False), *((alias, True) for alias in aliases)):
            key = normalize_text(label)
            if key:
                self.exact.setdefault(key, []).append((item, is_alias))
                self.keys.append(key)
                self.entries.append((item, is_alias))

    def fuzzy(self, query: str, cutoff: float) -> list[tuple[T, bool, float]]:
        found = process.extract(query, self.keys, scorer=fuzz.WRatio, score_cutoff=cutoff, limit=20)
        return [(*self.entries[index], score) for _key, score, index in found]


def _number_key(number: str) -> tuple[int, int] | None:
    match = re.match(r"(\d+)(?:[-附](\d+))?", number)
    return (int(match[1]), int(match[2] or 0)) if match else None


def _midpoint(geometry: BaseGeometry) -> Point:
    if isinstance(geometry, MultiLineString):
        geometry = max(geometry.geoms, key=lambda part: part.length)
    if isinstance(geometry, LineString) and not geometry.is_empty:
        return geometry.interpolate(0.5, normalized=True)
    return geometry.representative_point()


class Gazetteer:
    """Name indexes and spatial indexes over roads, door plates, POIs and areas, built once."""

    def __init__(
        self,
        roads: Sequence[Road],
        plates: Sequence[DoorPlate],
        pois: Sequence[Poi],
        areas: Sequence[Area],
    ) -> None:
        self.roads = {road.id: road for road in roads}
        self.plates, self.pois, self.areas = list(plates), list(pois), list(areas)
        self._roads_by_name: _NameIndex[Road] = _NameIndex()
        self._places: _NameIndex[Poi | Area] = _NameIndex()  # POIs and 区片 are matched alike
        self._admin_areas: _NameIndex[Area] = _NameIndex()
        self._plates_on_road: dict[int, dict[str, DoorPlate]] = {}
        for road in roads:
            self._roads_by_name.add(road, road.name, road.aliases)
        for poi in pois:
            self._places.add(poi, poi.name, poi.aliases)
        for area in areas:
            index = self._places if area.level == "area" else self._admin_areas
            index.add(area, area.name, area.aliases)
        for plate in plates:
            if plate.road_id not in self.roads:
                raise ValueError(f"door plate {plate.id} refers to unknown road {plate.road_id}")
            by_number = self._plates_on_road.setdefault(plate.road_id, {})
            by_number[normalize_number(plate.number)] = plate
        self._road_list = list(roads)
        self._plate_tree = STRtree([plate.point for plate in self.plates])
        self._road_tree = STRtree([road.line for road in self._road_list])
        self._poi_tree = STRtree([poi.point for poi in self.pois])
        self._area_tree = STRtree([area.polygon for area in self.areas])

    # --- lookups by position ----------------------------------------------------------------

    def nearest_plate(self, point: Point, max_distance: float) -> tuple[DoorPlate, float] | None:
        return _nearest(self._plate_tree, self.plates, point, max_distance)

    def nearest_road(self, point: Point, max_distance: float) -> tuple[Road, float] | None:
        return _nearest(self._road_tree, self._road_list, point, max_distance)

    def nearest_poi(self, point: Point, max_distance: float) -> tuple[Poi, float] | None:
        return _nearest(self._poi_tree, self.pois, point, max_distance)

    def containing_areas(self, point: Point) -> list[Area]:
        indices = self._area_tree.query(point, predicate="intersects")
        return [self.areas[int(i)] for i in sorted(indices)]

    def plate_label(self, plate: DoorPlate) -> str:
        """Plate label such as 中山路12号, prefixed by the street when road names repeat."""
        road = self.roads[plate.road_id]
        prefix = ""
        if len(self._roads_by_name.exact.get(normalize_text(road.name), [])) > 1:
            streets = [a for a in self.containing_areas(plate.point) if a.level == "street"]
            prefix = streets[0].name if streets else ""
        return f"{prefix}{road.name}{plate.number}号"

    # --- text → position ----------------------------------------------------------------------

    def geocode(self, text: str, limit: int = 5) -> list[Match]:
        """Rank candidates for an address text; [] when nothing matches, ValueError when blank."""
        parsed = parse_address(text)
        candidates = self._road_candidates(parsed)
        place_query = parsed.poi
        if parsed.road and not candidates:  # an unknown "road" may be part of a POI name
            place_query = f"{parsed.road}{parsed.number or ''}{parsed.poi or ''}"
        if place_query:
            candidates += self._place_candidates(place_query)
        named = self._named_areas(parsed, normalize_text(text))
        if not candidates:
            candidates = self._area_candidates(named)
        elif named:
            candidates = _filter_by_areas(candidates, named)
        best: dict[tuple[str, int | None], Match] = {}
        for candidate in candidates:
            key = (candidate.match.kind, candidate.match.ref_id)
            if key not in best or candidate.match.score > best[key].score:
                best[key] = candidate.match
        ranked = sorted(
            best.values(), key=lambda m: (-m.score, _KIND_ORDER[m.kind], m.label, m.ref_id or 0)
        )
        return ranked[: max(limit, 0)]

    def _road_candidates(self, parsed: ParsedAddress) -> list[_Candidate]:
        if not parsed.road:
            return []
        key = normalize_text(parsed.road)
        found = [(road, alias, 1.0) for road, alias in self._roads_by_name.exact.get(key, [])]
        if not found:
            found = [(r, a, s / 100) for r, a, s in self._roads_by_name.fuzzy(key, 80.0)]
        return [self._on_road(road, alias, sim, parsed.number) for road, alias, sim in found]

    def _on_road(self, road: Road, alias: bool, sim: float, number: str | None) -> _Candidate:
        how = "道路别名" if alias else "道路名称"
        if sim < 1.0:
            how += f"近似(相似度{sim * 100:.0f})"
        factor = sim * (_ALIAS_FACTOR if alias else 1.0)
        plates = self._plates_on_road.get(road.id, {})
        if number and number in plates:
            return self._plate_candidate(plates[number], factor, f"{how} + 门牌号精确匹配")
        if number and (near := _nearest_number(plates.values(), number)):
            plate, score = near
            reason = f"{how} + 无{number}号，取最近门牌{plate.number}号"
            return self._plate_candidate(plate, factor * score, reason)
        base, detail = (0.6, "该路无此门牌") if number else (0.7, "未给门牌号")
        reason = f"{how}，{detail}，取道路中点"
        return _candidate(base * factor, _midpoint(road.line), "road", road, reason, road.line)

    def _plate_candidate(self, plate: DoorPlate, score: float, reason: str) -> _Candidate:
        match = Match(score, plate.point, "door_plate", self.plate_label(plate), reason, plate.id)
        return _Candidate(match, plate.point)

    def _place_candidates(self, query: str) -> list[_Candidate]:
        key = normalize_text(query)
        exact = self._places.exact.get(key, [])
        if exact:
            found = [(place, alias, 0.95, "精确匹配") for place, alias in exact]
        else:
            found = [
                (place, alias, 0.9 * sim / 100, f"近似匹配(相似度{sim:.0f})")
                for place, alias, sim in self._places.fuzzy(key, _FUZZY_CUTOFF)
            ]
        candidates = []
        for place, alias, score, how in found:
            score *= _ALIAS_FACTOR if alias else 1.0
            how = ("别名" if alias else "名称") + how
            if isinstance(place, Poi):
                candidates.append(_candidate(score, place.point, "poi", place, "兴趣点" + how))
            else:
                inside = place.polygon.representative_point()
                candidates.append(
                    _candidate(score, inside, "area", place, "区片" + how, place.polygon)
                )
        return candidates

    def _named_areas(self, parsed: ParsedAddress, text: str) -> list[list[Area]]:
        """Groups of same-named admin areas named in the text (by parsed level or full name)."""
        groups: dict[str, list[Area]] = {}
        for value in (parsed.district, parsed.street, parsed.community):
            if not value:
                continue
            key = normalize_text(value)
            trimmed = _AREA_SUFFIXES.sub("", key) or key
            for candidate_key in dict.fromkeys((key, trimmed)):
                for area, _alias in self._admin_areas.exact.get(candidate_key, []):
                    groups.setdefault(candidate_key, []).append(area)
        for key, entries in self._admin_areas.exact.items():
            if len(key) >= 3 and key in text and key not in groups:
                groups[key] = [area for area, _alias in entries]
        return list(groups.values())

    def _area_candidates(self, named: list[list[Area]]) -> list[_Candidate]:
        if not named:
            return []
        finest = max(named, key=lambda group: max(_LEVEL_RANK[a.level] for a in group))
        return [
            _candidate(
                0.5,
                area.polygon.representative_point(),
                "area",
                area,
                f"{_LEVEL_NAMES[area.level]}名称匹配，取区域内点",
                area.polygon,
            )
            for area in finest
        ]


def _candidate(
    score: float,
    point: Point,
    kind: MatchKind,
    item: Road | Poi | Area,
    reason: str,
    footprint: BaseGeometry | None = None,
) -> _Candidate:
    match = Match(score, point, kind, item.name, reason, item.id)
    return _Candidate(match, point if footprint is None else footprint)


def _nearest[T](
    tree: STRtree, items: Sequence[T], point: Point, max_distance: float
) -> tuple[T, float] | None:
    if not items:
        return None
    indices, distances = tree.query_nearest(point, max_distance=max_distance, return_distance=True)
    if len(indices) == 0:
        return None
    return items[int(indices[0])], float(distances[0])


def _nearest_number(plates: Iterable[DoorPlate], number: str) -> tuple[DoorPlate, float] | None:
    """The plate whose number is closest, preferring the same side (parity); its base score."""
    wanted = _number_key(number)
    if wanted is None:
        return None
    best: tuple[tuple[int, float], DoorPlate] | None = None
    for plate in plates:
        key = _number_key(normalize_number(plate.number))
        if key is None:
            continue
        gap = abs(key[0] - wanted[0]) + (0.5 if key[1] != wanted[1] else 0.0)
        rank = (int(key[0] % 2 != wanted[0] % 2), gap)
        if best is None or rank < best[0]:
            best = (rank, plate)
    if best is None:
        return None
    (other_side, gap), plate = best
    return plate, max(0.55, 0.8 - 0.01 * gap) - 0.05 * other_side


def _filter_by_areas(candidates: list[_Candidate], named: list[list[Area]]) -> list[_Candidate]:
    """Keep candidates inside every named area when any are; otherwise lower the score of all."""
    region = intersection_all([unary_union([a.polygon for a in group]) for group in named])
    names = "、".join(group[0].name for group in named)
    inside = [c for c in candidates if region.intersects(c.footprint)]
    if not inside:
        outside = f"，但不在{names}内"
        return [
            _amend(c, c.match.score * _OUTSIDE_FACTOR, c.match.point, outside) for c in candidates
        ]
    return [
        _amend(
            c,
            c.match.score,
            _midpoint(c.footprint & region) if c.match.kind == "road" else c.match.point,
            f"，位于{names}内",
        )
        for c in inside
    ]


def _amend(candidate: _Candidate, score: float, point: Point, note: str) -> _Candidate:
    match = replace(candidate.match, score=score, point=point, reason=candidate.match.reason + note)
    return replace(candidate, match=match)


# --- position → text --------------------------------------------------------------------------

_DIRECTIONS = ("东", "东北", "北", "西北", "西", "西南", "南", "东南")


def direction(origin: Point, target: Point) -> str:
    """Eight-way compass direction in which `target` lies seen from `origin` (x east, y north)."""
    angle = math.degrees(math.atan2(target.y - origin.y, target.x - origin.x))
    return _DIRECTIONS[math.floor(angle / 45 + 0.5) % 8]


def offset_phrase(origin: Point, target: Point) -> str:
    """Where `target` lies from `origin`: 东侧约30米, 西南约80米, or 附近 under 5 m.

    Distances are rounded to 5 m below 100 m and to 10 m above; cardinal directions take 侧.
    """
    distance = origin.distance(target)
    if distance < 5:
        return "附近"
    step = 5 if distance < 100 else 10
    rounded = step * math.floor(distance / step + 0.5)
    heading = direction(origin, target)
    return f"{heading}{'侧' if len(heading) == 1 else ''}约{rounded}米"


def describe(point: Point, gazetteer: Gazetteer, max_distance: float = 300) -> str:
    """Nearest address description for a position, or "" when nothing is near or around it."""
    plate = gazetteer.nearest_plate(point, max_distance)
    if plate:
        return f"{gazetteer.plate_label(plate[0])} {offset_phrase(plate[0].point, point)}"
    road = gazetteer.nearest_road(point, max_distance)
    poi = gazetteer.nearest_poi(point, max_distance)
    if road and (poi is None or road[1] <= poi[1]):
        line = road[0].line
        foot = line.interpolate(line.project(point))
        return f"{road[0].name} {offset_phrase(foot, point)}"
    if poi:
        return f"{poi[0].name} {offset_phrase(poi[0].point, point)}"
    areas = sorted(
        gazetteer.containing_areas(point), key=lambda a: (-_LEVEL_RANK[a.level], a.polygon.area)
    )
    return f"{areas[0].name}内" if areas else ""
