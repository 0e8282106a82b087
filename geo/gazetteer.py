"""Gazetteer (地理编码) over the database: address text → positions, and positions → text.

lib/addresses.py does the matching in a metric CRS. This module loads the rows (roads, door
plates, points of interest, and as areas the district, streets, communities and named places),
projects them into the district's Gauss–Krüger zone and keeps the result in memory. Like the
index of geo/lookup.py it is built once per process and rebuilt when GeoRevision changes: a
process notices another process's change within RECHECK_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import shapely
from shapely.geometry import GeometryCollection, Point
from shapely.geometry.base import BaseGeometry

from geo.lookup import RECHECK_SECONDS
from geo.models import (
    Community,
    District,
    DoorPlate,
    GeoRevision,
    Place,
    PointOfInterest,
    Road,
    Street,
)
from lib import addresses
from lib.coords import gk_zone_epsg, to_lonlat, to_metres, to_wgs84

# How far describe() looks for a door plate, road or point of interest.
DESCRIBE_RADIUS_M: Final = 300.0
# About 1 km at Chinese latitudes, more than DESCRIBE_RADIUS_M: beyond it nothing can be named,
# and far points are not projected (Gauss–Krüger is meaningless far from its meridian).
_MARGIN_DEGREES: Final = 0.01


@dataclass(frozen=True)
class AddressHit:
    """A geocoding candidate, lon/lat in WGS84 (= CGCS2000); `note` says why it matched."""

    label: str
    kind: str  # door_plate, road, poi or area
    score: float  # 0…1, 1 for an exact door plate
    lon: float
    lat: float
    note: str


class GazetteerIndex:
    """The gazetteer of one revision; `epsg` is None while there are no rows at all."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.epsg = _zone_epsg()
        self.bounds: tuple[float, float, float, float] | None = None
        self.gazetteer = addresses.Gazetteer([], [], [], [])
        if self.epsg is not None:
            self._load(self.epsg)

    def _load(self, epsg: int) -> None:
        roads = list(Road.objects.order_by("id").values_list("id", "name", "aliases", "line"))
        plates = list(
            DoorPlate.objects.order_by("id").values_list("id", "road_id", "number", "point")
        )
        pois = list(
            PointOfInterest.objects.order_by("id").values_list("id", "name", "aliases", "point")
        )
        areas = _area_rows()
        lonlat = [row[-1] for rows in (roads, plates, pois, areas) for row in rows]
        if lonlat:
            xmin, ymin, xmax, ymax = shapely.total_bounds(lonlat).tolist()
            self.bounds = (xmin, ymin, xmax, ymax)
        self.gazetteer = addresses.Gazetteer(
            [
                addresses.Road(pk, name, _names(aliases), line)
                for (pk, name, aliases, _), line in _projected(roads, epsg)
            ],
            [
                addresses.DoorPlate(pk, road_id, number, point)
                for (pk, road_id, number, _), point in _projected(plates, epsg)
            ],
            [
                addresses.Poi(pk, name, _names(aliases), point)
                for (pk, name, aliases, _), point in _projected(pois, epsg)
            ],
            # Areas come from four tables: number them afresh so that ids never collide.
            [
                addresses.Area(number, name, _names(aliases), level, polygon)
                for number, ((name, aliases, level, _), polygon) in enumerate(
                    _projected(areas, epsg), start=1
                )
            ],
        )

    def covers(self, lon: float, lat: float) -> bool:
        """Whether a position is close enough to the gazetteer's rows to be described."""
        if self.bounds is None:
            return False
        xmin, ymin, xmax, ymax = self.bounds
        margin = _MARGIN_DEGREES
        return xmin - margin <= lon <= xmax + margin and ymin - margin <= lat <= ymax + margin


def _zone_epsg() -> int | None:
    """The district's Gauss–Krüger zone; without a district, that of any gazetteer row."""
    boundaries = list(District.objects.values_list("boundary", flat=True))
    if boundaries:
        xmin, _, xmax, _ = shapely.total_bounds(boundaries).tolist()
        return gk_zone_epsg((xmin + xmax) / 2)
    for geometry in (
        Road.objects.values_list("line", flat=True).first(),
        PointOfInterest.objects.values_list("point", flat=True).first(),
        Place.objects.values_list("boundary", flat=True).first(),
    ):
        if geometry is not None:
            return gk_zone_epsg(geometry.centroid.x)
    return None


type _AreaRow = tuple[str, Any, addresses.AreaLevel, BaseGeometry]  # name, aliases, level, boundary
type _AdminModel = type[District] | type[Street] | type[Community]
_ADMIN_LEVELS: Final[tuple[tuple[_AdminModel, addresses.AreaLevel], ...]] = (
    (District, "district"),
    (Street, "street"),
    (Community, "community"),
)


def _area_rows() -> list[_AreaRow]:
    """The administrative levels and the 区片 (Place rows)."""
    rows: list[_AreaRow] = []
    for model, level in _ADMIN_LEVELS:
        query = model.objects.order_by("id").values_list("name", "aliases", "boundary")
        rows += [(name, aliases, level, boundary) for name, aliases, boundary in query]
    rows += [
        (name, aliases, "area", boundary)
        for name, aliases, boundary in Place.objects.order_by("id").values_list(
            "name", "aliases", "boundary"
        )
    ]
    return rows


def _projected[R: Sequence[Any]](rows: list[R], epsg: int) -> list[tuple[R, Any]]:
    """Each row with its last field (a lon/lat geometry) in metres, projected in one call.

    The geometry comes back typed Any: the model fields already restrict each column to the
    shapes lib.addresses expects (points, lines, polygons).
    """
    metres = to_metres(GeometryCollection([row[-1] for row in rows]), epsg)
    return list(zip(rows, metres.geoms, strict=True))


def _names(value: object) -> tuple[str, ...]:
    """Aliases from a JSON column: a list of names (a lone string, typed in the admin, is one)."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    names = (str(item).strip() for item in items)
    return tuple(name for name in names if name)


_lock = threading.Lock()
_index: GazetteerIndex | None = None
_checked_at = 0.0


def gazetteer_index() -> GazetteerIndex:
    """The current process's gazetteer, rebuilt if the territory changed."""
    global _index, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < RECHECK_SECONDS:
        return _index
    with _lock:
        revision = GeoRevision.current()
        if _index is None or _index.revision != revision:
            _index = GazetteerIndex(revision)
        _checked_at = now
        return _index


def forget_gazetteer() -> None:
    """Drop this process's gazetteer (after this process changed the gazetteer's rows)."""
    global _index
    with _lock:
        _index = None


def geocode(text: str, limit: int = 5) -> list[AddressHit]:
    """Candidates for address text, best first; [] for blank text or when nothing matches."""
    if not text.strip():
        return []
    index = gazetteer_index()
    if index.epsg is None:
        return []
    return [_hit(match, index.epsg) for match in index.gazetteer.geocode(text, limit)]


def _hit(match: addresses.Match, epsg: int) -> AddressHit:
    point = to_lonlat(match.point, epsg)
    return AddressHit(match.label, match.kind, match.score, point.x, point.y, match.reason)


def describe(lon: float, lat: float, crs: str = "wgs84") -> str:
    """The nearest address to a position given in `crs`, such as "中山路12号 东侧约30米".

    "" when no door plate, road or point of interest is within DESCRIBE_RADIUS_M and no area
    contains the position. Raises CoordinateError for an impossible position or unknown crs.
    """
    lon, lat = to_wgs84(lon, lat, crs)
    index = gazetteer_index()
    if index.epsg is None or not index.covers(lon, lat):
        return ""
    point = to_metres(Point(lon, lat), index.epsg)
    return addresses.describe(point, index.gazetteer, DESCRIBE_RADIUS_M)
