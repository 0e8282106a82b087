"""The demo district (示范区), built in local metres and delivered in CGCS2000 lon/lat.

Pure: simulate/load_geography.py stores the result. See simulate/demo_geo.py for the territory
and simulate/demo_gazetteer.py for roads, door plates and points of interest.
"""

from __future__ import annotations

from dataclasses import fields, replace
from itertools import islice
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from simulate.demo_gazetteer import make_door_plates, make_pois, make_roads
from simulate.demo_geo import (
    CENTRE_LON_LAT,
    DISTRICT_CODE,
    DISTRICT_NAME,
    GEOGRAPHIC_CRS,
    PROJECTED_CRS,
    DemoDistrict,
    DemoGeography,
    Floats,
    territory,
)
from simulate.demo_names import NameDrawer


def build_demo_geography(seed: int = 1) -> DemoGeography:
    """The demo district for ``seed``: the same seed always gives the same district."""
    rng, name_rng = np.random.default_rng(seed).spawn(2)  # names never shift the geometry
    names = NameDrawer(name_rng)
    streets, communities, grids, areas = territory(rng, names)
    district = shapely.coverage_union_all([street.polygon for street in streets])
    roads = make_roads(rng, names, district, streets, communities)
    metric = DemoGeography(
        district=DemoDistrict(DISTRICT_CODE, DISTRICT_NAME, district),
        streets=tuple(streets),
        communities=tuple(communities),
        grids=tuple(grids),
        roads=tuple(roads),
        door_plates=tuple(p for road in roads for p in make_door_plates(rng, road, district)),
        pois=tuple(make_pois(rng, names, streets, communities)),
        inspector_areas=tuple(areas),
    )
    return _to_lon_lat(metric)


# --- lon/lat ---------------------------------------------------------------------------------


def _geometry_field(item: object) -> str | None:
    return next((f.name for f in fields(item) if f.name in ("polygon", "line", "point")), None)  # type: ignore[arg-type]


def _to_lon_lat(metric: DemoGeography) -> DemoGeography:
    """Every geometry from local metres to CGCS2000 lon/lat, in one vectorised pass."""
    east, north = Transformer.from_crs(GEOGRAPHIC_CRS, PROJECTED_CRS, always_xy=True).transform(
        *CENTRE_LON_LAT
    )
    inverse = Transformer.from_crs(PROJECTED_CRS, GEOGRAPHIC_CRS, always_xy=True)

    def convert(xy: Floats) -> Floats:
        return np.column_stack(inverse.transform(xy[:, 0] + east, xy[:, 1] + north))

    groups: dict[str, tuple[Any, ...]] = {f.name: getattr(metric, f.name) for f in fields(metric)}
    groups["district"] = (metric.district,)
    items = [item for group in groups.values() for item in group if _geometry_field(item)]
    shapes = np.array([getattr(item, str(_geometry_field(item))) for item in items], dtype=object)
    moved = iter(
        replace(item, **{str(_geometry_field(item)): shape})
        for item, shape in zip(items, shapely.transform(shapes, convert), strict=True)
    )
    out = {
        name: group if not _geometry_field(group[0]) else tuple(islice(moved, len(group)))
        for name, group in groups.items()
    }
    return DemoGeography(district=out.pop("district")[0], **out)
