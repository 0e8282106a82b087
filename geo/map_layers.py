"""What the map page draws: the outlines and the unit grids as GeoJSON, prepared once per
geography revision and kept in memory.

Each level is simplified as a coverage (Shapely's coverage_simplify), so neighbours keep
sharing their edges and no slivers or gaps appear between them; coordinates are rounded to
6 decimals (≈ 0.1 m). Every grid's Feature is serialised once, so a bounding-box answer only
joins ready-made strings. Measured by benchmarks/map_payload.py.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.models import Community, District, GeoRevision, Street, UnitGrid

DECIMALS: Final = 6
# Roughly metres ÷ 100,000. Outlines may lose wiggles of ~3 m, invisible below zoom 18;
# grids are drawn zoomed in, so they keep edges to ~1 m.
OUTLINE_TOLERANCE: Final = 0.00003
GRID_TOLERANCE: Final = 0.00001


def simplified(shapes: Sequence[Any], tolerance: float) -> NDArray[Any]:
    """Simplify a coverage (polygons that share edges) and round it to DECIMALS."""
    if not shapes:
        return np.array([], dtype=object)
    simple = shapely.coverage_simplify(np.array(shapes, dtype=object), tolerance)
    return shapely.transform(simple, lambda xy: np.round(xy, DECIMALS))


def feature_json(
    feature_id: int | None, properties: dict[str, Any], geometry: str, **members: Any
) -> str:
    """One GeoJSON Feature; `geometry` is already serialised (e.g. by shapely.to_geojson)."""
    head = {"type": "Feature", "id": feature_id, **members, "properties": properties}
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + (
        f',"geometry":{geometry}}}'
    )


def collection_json(features: Iterable[str], **members: Any) -> bytes:
    """A FeatureCollection of serialised Features, with extra (foreign) members first."""
    head = json.dumps(
        {"type": "FeatureCollection", **members}, ensure_ascii=False, separators=(",", ":")
    )
    return (head[:-1] + ',"features":[' + ",".join(features) + "]}").encode()


class MapLayers:
    """The outlines and the grids of one revision."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.outlines = collection_json(_outline_features())
        rows = list(UnitGrid.objects.order_by("code").values_list("id", "code", "boundary"))
        self.ids = [row[0] for row in rows]
        self.codes = [row[1] for row in rows]  # sorted, for prefix search
        self.shapes = simplified([row[2] for row in rows], GRID_TOLERANCE)
        self.bounds = shapely.bounds(self.shapes).round(DECIMALS)
        self.geometries: list[str] = shapely.to_geojson(self.shapes).tolist()
        self.features = [
            feature_json(pk, {"code": code}, geometry)
            for pk, code, geometry in zip(self.ids, self.codes, self.geometries, strict=True)
        ]
        self.tree = shapely.STRtree(self.shapes)

    def in_box(self, west: float, south: float, east: float, north: float) -> list[int]:
        """Positions (in code order) of the grids meeting a bounding box."""
        found = self.tree.query(shapely.box(west, south, east, north), predicate="intersects")
        return sorted(found.tolist())

    def with_prefix(self, digits: str) -> list[int]:
        start = bisect.bisect_left(self.codes, digits)
        stop = bisect.bisect_left(self.codes, digits + "\N{DEL}")  # past every code with it
        return list(range(start, stop))

    def with_suffix(self, digits: str) -> list[int]:
        return [n for n, code in enumerate(self.codes) if code.endswith(digits)]

    def position(self, code: str) -> int | None:
        n = bisect.bisect_left(self.codes, code)
        return n if n < len(self.codes) and self.codes[n] == code else None


def _outline_features() -> list[str]:
    levels = [
        ("district", District.objects.order_by("code").values_list("code", "name", "boundary")),
        ("street", Street.objects.values_list("full_code", "name", "boundary")),
        ("community", Community.objects.values_list("full_code", "name", "boundary")),
    ]
    features = []
    for level, query in levels:
        rows = list(query)
        shapes = simplified([row[2] for row in rows], OUTLINE_TOLERANCE)
        for (code, name, _), geometry in zip(rows, shapely.to_geojson(shapes), strict=True):
            features.append(
                feature_json(None, {"level": level, "code": code, "name": name}, geometry)
            )
    return features


_lock = threading.Lock()
_layers: MapLayers | None = None


def map_layers() -> MapLayers:
    """This process's layers, rebuilt when the territory has changed (one small query)."""
    global _layers
    revision = GeoRevision.current()
    with _lock:
        if _layers is None or _layers.revision != revision:
            _layers = MapLayers(revision)
        return _layers


def forget_map_layers() -> None:
    """Drop this process's layers (tests start each database again at revision 1)."""
    global _layers
    with _lock:
        _layers = None
