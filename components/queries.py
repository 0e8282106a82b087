"""Finding components (部件) by area, by distance, by grid, type and status: the queries behind
the JSON API (components/api.py) and the map layer (components/views.py).

Positions are WKB in one column (geo/fields.py), so the database cannot filter them by box.
The unit grid, though, is derived from the position on every save and its column is indexed:
a box becomes the grids that meet it (geo/map_layers.py, kept in memory per territory
revision), the database returns the components of those grids, and the exact test runs on
their points. Components whose grid was cleared (a territory re-import dropped it) are always
candidates, so the answer equals a scan of every row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from django.db.models import BinaryField, ExpressionWrapper, F, Q, QuerySet
from numpy.typing import NDArray
from pyproj import Geod

from components.models import Component, ComponentStatusChange
from geo.map_layers import map_layers
from geo.views import parse_bbox

# Degrees (≈ 10 m) added around a box before asking for grids: well above how far the map
# layers' simplified grid outlines (GRID_TOLERANCE ≈ 1 m) may stray from the true ones.
GRID_MARGIN: Final = 0.0001
# Fewer metres than a degree of latitude anywhere (≥ 110,574 m) or of longitude at the equator
# (≥ 111,319 m × cos φ elsewhere): a box in degrees made with it is never too small.
METRES_PER_DEGREE: Final = 110_000.0
# The CGCS2000 ellipsoid (GRS80), as lib.coords.distance_m.
GEOD: Final = Geod(ellps="GRS80")


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @property
    def span(self) -> float:
        """The longer side, in degrees."""
        return max(self.east - self.west, self.north - self.south)

    def around(self, margin: float) -> Box:
        return Box(self.west - margin, self.south - margin, self.east + margin, self.north + margin)


@dataclass(frozen=True)
class Spot:
    """A component's id and position (lon/lat), before its full row is read."""

    id: int
    identifier: str
    lon: float
    lat: float


def filtered(
    components: QuerySet[Component],
    *,
    type_code: str | None = None,
    statuses: Sequence[str] = (),
    major: str | None = None,
) -> QuerySet[Component]:
    """Narrow by type code, major class code (大类) and one or more statuses."""
    if type_code:
        components = components.filter(case_type__code=type_code)
    if major:
        components = components.filter(case_type__major__code=major)
    if statuses:
        components = components.filter(status__in=list(statuses))
    return components


def status_history(component: Component) -> QuerySet[ComponentStatusChange]:
    return component.status_changes.select_related("changed_by").order_by("changed_at", "id")


def candidates(components: QuerySet[Component], box: Box) -> QuerySet[Component]:
    """Components whose unit grid meets the box (or who have none): a superset of those in it."""
    layers = map_layers()
    grid_ids = [layers.ids[n] for n in layers.in_box(**vars(box.around(GRID_MARGIN)))]
    return components.filter(Q(grid_id__in=grid_ids) | Q(grid__isnull=True))


def located(
    components: QuerySet[Component], box: Box, *fields: str
) -> tuple[list[tuple[Any, ...]], NDArray[np.float64]]:
    """The `fields` of the components inside the box (edges included), in identifier order,
    and their lon/lat as an n × 2 array. The WKB is read as bytes and decoded in one call:
    decoding row by row costs more than the query."""
    wkb = ExpressionWrapper(F("point"), output_field=BinaryField())
    query = candidates(components, box).annotate(wkb=wkb).order_by("identifier")
    rows = list(query.values_list("wkb", *fields))
    if not rows:
        return [], np.empty((0, 2))
    xy = shapely.get_coordinates(shapely.from_wkb([bytes(row[0]) for row in rows]))
    inside = (
        (xy[:, 0] >= box.west)
        & (xy[:, 0] <= box.east)
        & (xy[:, 1] >= box.south)
        & (xy[:, 1] <= box.north)
    )
    kept = np.flatnonzero(inside).tolist()
    return [rows[n][1:] for n in kept], xy[inside]


def spots_in_box(components: QuerySet[Component], box: Box) -> list[Spot]:
    """The components inside the box (edges included), in identifier order."""
    rows, xy = located(components, box, "id", "identifier")
    return [
        Spot(pk, identifier, lon, lat)
        for (pk, identifier), (lon, lat) in zip(rows, xy.tolist(), strict=True)
    ]


def box_around(lon: float, lat: float, metres: float) -> Box:
    """A box holding every point within `metres` of lon/lat (and a little more)."""
    dlat = metres / METRES_PER_DEGREE
    # A degree of longitude is shortest on the box's edge furthest from the equator.
    widest = min(abs(lat) + dlat, 89.0)
    dlon = metres / (METRES_PER_DEGREE * math.cos(math.radians(widest)))
    return Box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def nearest(
    components: QuerySet[Component], lon: float, lat: float, *, within: float, limit: int
) -> list[tuple[Spot, float]]:
    """Up to `limit` components within `within` metres of lon/lat with their geodesic distance
    in metres, nearest first (ties by identifier)."""
    spots = spots_in_box(components, box_around(lon, lat, within))
    if not spots:
        return []
    lons = np.array([spot.lon for spot in spots])
    lats = np.array([spot.lat for spot in spots])
    _, _, distances = GEOD.inv(np.full_like(lons, lon), np.full_like(lats, lat), lons, lats)
    found = [(spot, float(d)) for spot, d in zip(spots, distances, strict=True) if d <= within]
    found.sort(key=lambda pair: (pair[1], pair[0].identifier))
    return found[:limit]


def parse_box(text: str, crs: str, max_degrees: float) -> Box:
    """`west,south,east,north` in `crs`, as WGS84; raises CoordinateError or a Refusal."""
    return Box(*parse_bbox(text, crs, max_degrees))
