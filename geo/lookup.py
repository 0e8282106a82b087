"""Point → unit grid → community → street, answered from an in-memory index.

The index is built once per process from the database and rebuilt when the territory changes
(GeoRevision). A process notices another process's change within RECHECK_SECONDS; its own
changes take effect at once. See lib/pointindex.py for how a lookup stays sub-microsecond.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.models import GeoRevision, Street, UnitGrid
from lib.coords import (
    CoordinateError,
    gk_zone_epsg,
    point_in_metres,
    to_metres,
    to_wgs84,
    to_wgs84_many,
)
from lib.pointindex import OUTSIDE, PolygonIndex

RECHECK_SECONDS: Final = 5.0
# About 5 m: fine enough that ~1 cell in 9 needs the exact test with 10,000 m² grids.
CELL_DEGREES: Final = 0.00005


class OutsideDistrict(ValueError):
    def __init__(self, lon: float, lat: float) -> None:
        super().__init__(
            _("The position %(lon).6f, %(lat).6f is outside the district's unit grids.")
            % {"lon": lon, "lat": lat}
        )
        self.lon, self.lat = lon, lat


@dataclass(frozen=True)
class Location:
    grid_id: int
    grid_code: str
    community_id: int
    street_id: int


@dataclass(frozen=True)
class Placement:
    """Where a reported position lies: worked out once, when a case is reported, and stored
    with it. Routing and the consoles read it; nothing locates the case again."""

    lon: float  # WGS84 (= CGCS2000)
    lat: float
    grid_id: int
    grid_code: str
    community_id: int
    street_id: int
    territory_unit_id: int | None  # the street office or township answering for the territory
    near_boundary: bool  # within BOUNDARY_WARNING_METRES of another street
    street: Street


class TerritoryIndex:
    def __init__(self, revision: int) -> None:
        self.revision = revision
        rows = list(
            UnitGrid.objects.order_by("code").values_list(
                "id", "code", "community_id", "community__street_id", "boundary"
            )
        )
        self.grid_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.locations = [Location(r[0], r[1], r[2], r[3]) for r in rows]
        self.by_code = {location.grid_code: location for location in self.locations}
        self.points = PolygonIndex([r[4] for r in rows], CELL_DEGREES) if rows else None
        # Streets are part of the territory: kept with it, a report reads none of them.
        self.streets = {street.pk: street for street in Street.objects.all()}
        self._borders = _street_borders()

    def locate(self, lon: float, lat: float) -> Location | None:
        if self.points is None:
            return None
        position = self.points.locate(lon, lat)
        return None if position == OUTSIDE else self.locations[position]

    def locate_many(
        self, lons: NDArray[np.float64], lats: NDArray[np.float64]
    ) -> NDArray[np.int64]:
        """Grid ids for many points; -1 where a point lies outside every grid."""
        if self.points is None:
            return np.full(np.shape(lons), -1, dtype=np.int64)
        positions = self.points.locate_many(lons, lats)
        return np.where(positions == OUTSIDE, -1, self.grid_ids[positions])

    def distance_to_street_border(self, lon: float, lat: float) -> float | None:
        """Metres to the nearest border between two streets (None with a single street)."""
        if self._borders is None:
            return None
        lines, epsg = self._borders
        point = to_metres(shapely.Point(lon, lat), epsg)
        return float(shapely.distance(lines, point))

    def near_street_border(self, lon: float, lat: float, metres: float) -> bool:
        """Whether lon/lat lies within `metres` of a border between two streets: a distance to
        the prepared borders (about 12 µs), where buffering them, once per index, took 3.5 s
        of the first report in a district of 9,000 grids."""
        if self._borders is None:
            return False
        lines, epsg = self._borders
        return bool(shapely.dwithin(lines, point_in_metres(lon, lat, epsg), metres))


def _street_borders() -> tuple[shapely.Geometry, int] | None:
    """Lines shared by two streets, in metres: the district's outer edge borders no street."""
    boundaries = cast(list[BaseGeometry], list(Street.objects.values_list("boundary", flat=True)))
    if len(boundaries) < 2:
        return None
    epsg = gk_zone_epsg(shapely.union_all(boundaries).centroid.x)
    polygons = [to_metres(b, epsg) for b in boundaries]
    outer = shapely.union_all(polygons).boundary
    rings = shapely.union_all([p.boundary for p in polygons])
    borders = shapely.difference(rings, outer.buffer(0.5))
    shapely.prepare(borders)
    return borders, epsg


_lock = threading.Lock()
_index: TerritoryIndex | None = None
_checked_at = 0.0


def territory_index() -> TerritoryIndex:
    """The current process's index, rebuilt if the territory changed."""
    global _index, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < RECHECK_SECONDS:
        return _index
    with _lock:
        revision = GeoRevision.current()
        if _index is None or _index.revision != revision:
            _index = TerritoryIndex(revision)
        _checked_at = now
        return _index


def forget_index() -> None:
    """Drop this process's index (after this process changed the territory)."""
    global _index
    with _lock:
        _index = None


def locate(lon: float, lat: float, crs: str = "wgs84") -> Location:
    """The unit grid at a position given in `crs` (wgs84, cgcs2000, gcj02 or bd09).

    A point on an edge shared by several grids belongs to the one with the lowest code.
    Raises CoordinateError for an impossible position, OutsideDistrict outside every grid.
    """
    lon, lat = to_wgs84(lon, lat, crs)
    location = territory_index().locate(lon, lat)
    if location is None:
        raise OutsideDistrict(lon, lat)
    return location


def place(lon: float, lat: float, crs: str = "wgs84") -> Placement:
    """The placement of a position given in `crs`; a bad or outside position is refused."""
    from geo.messages import refusal

    try:
        lon, lat = to_wgs84(lon, lat, crs)
        index = territory_index()
        location = index.locate(lon, lat)
        if location is None:
            raise OutsideDistrict(lon, lat)
    except (CoordinateError, OutsideDistrict) as error:
        raise refusal(error) from None
    near = index.near_street_border(lon, lat, settings.BOUNDARY_WARNING_METRES)
    return Placement(
        lon,
        lat,
        location.grid_id,
        location.grid_code,
        location.community_id,
        location.street_id,
        index.streets[location.street_id].office_id,
        near,
        index.streets[location.street_id],
    )


def locate_many(
    lons: NDArray[np.float64], lats: NDArray[np.float64], crs: str = "wgs84"
) -> NDArray[np.int64]:
    """Grid ids for arrays of positions (-1 outside the district)."""
    lons, lats = to_wgs84_many(lons, lats, crs)
    return territory_index().locate_many(lons, lats)
