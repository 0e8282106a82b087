"""Point-in-polygon lookup for a partition of the plane (unit grids), fast enough for bulk intake.

A naive STRtree query costs several microseconds per point. Here the polygons' extent is cut into
a fine raster (cells of a few metres); a cell whose four corners lie in the same polygon and that
holds no polygon vertex cannot be crossed by any edge (a straight edge crossing a cell would
separate its corners), so every point in it belongs to that polygon. Only points in the few
"mixed" cells near boundaries are tested exactly. Results equal an exact `covers` test, with one
explicit tie-break: a point on a shared edge or vertex belongs to the polygon that comes first in
the index's order (callers sort by grid code). The one blind spot: a part of a polygon narrower
than a cell that crosses a cell without covering a corner or holding a vertex in it — a sliver
a few metres wide, which a unit-grid layer must not have.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

OUTSIDE: Final = -1
_MIXED: Final = -2
_ON_EDGE: Final = -3  # a raster corner lying exactly on some polygon's boundary


class PolygonIndex:
    """Maps (x, y) to the position of the polygon that covers it, or OUTSIDE."""

    def __init__(self, polygons: Sequence[BaseGeometry], cell_size: float) -> None:
        if not polygons:
            raise ValueError("a point index needs at least one polygon")
        self.polygons = np.asarray(polygons, dtype=object)
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        x0, y0, x1, y1 = shapely.total_bounds(self.polygons)
        self.x0, self.y0, self.cell = float(x0), float(y0), float(cell_size)
        self.x1, self.y1 = float(x1), float(y1)
        self.nx = max(1, math.ceil((x1 - x0) / cell_size))
        self.ny = max(1, math.ceil((y1 - y0) / cell_size))
        self.owner = self._rasterize()
        # A plain list makes the single-point path a pure-Python index operation (no numpy
        # scalar boxing), which is what keeps it well under a microsecond per lookup.
        self._owner_list: list[int] = self.owner.ravel().tolist()

    # -- building -------------------------------------------------------------------------

    def _rasterize(self) -> NDArray[np.int32]:
        corners = self._label_corners()
        same = (
            (corners[:-1, :-1] == corners[:-1, 1:])
            & (corners[:-1, :-1] == corners[1:, :-1])
            & (corners[:-1, :-1] == corners[1:, 1:])
        )
        same &= corners[:-1, :-1] != _ON_EDGE
        owner = np.where(same, corners[:-1, :-1], _MIXED).astype(np.int32)
        # A vertex inside a cell can bend an edge into it without moving any corner.
        coords = shapely.get_coordinates(shapely.boundary(self.polygons))
        i, j = self._cell_of(coords[:, 0], coords[:, 1])
        inside = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        owner[j[inside], i[inside]] = _MIXED
        return owner

    def _label_corners(self) -> NDArray[np.int32]:
        """For every raster corner, the polygon whose interior holds it (OUTSIDE otherwise)."""
        labels = np.full((self.ny + 1, self.nx + 1), OUTSIDE, dtype=np.int32)
        for position, polygon in enumerate(self.polygons):
            px0, py0, px1, py1 = polygon.bounds
            i0 = max(0, math.floor((px0 - self.x0) / self.cell))
            i1 = min(self.nx, math.ceil((px1 - self.x0) / self.cell))
            j0 = max(0, math.floor((py0 - self.y0) / self.cell))
            j1 = min(self.ny, math.ceil((py1 - self.y0) / self.cell))
            xs = self.x0 + np.arange(i0, i1 + 1) * self.cell
            ys = self.y0 + np.arange(j0, j1 + 1) * self.cell
            gx, gy = np.meshgrid(xs, ys)
            # A corner on an edge belongs to no single polygon: its cells take the exact test.
            hit = shapely.contains_xy(polygon, gx, gy)
            touch = shapely.intersects_xy(polygon, gx, gy) & ~hit
            window = labels[j0 : j1 + 1, i0 : i1 + 1]
            window[hit] = position
            window[touch] = _ON_EDGE
        return labels

    def _cell_of(
        self, xs: NDArray[np.float64], ys: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        i = np.floor((xs - self.x0) / self.cell).astype(np.int64)
        j = np.floor((ys - self.y0) / self.cell).astype(np.int64)
        return i, j

    # -- lookups --------------------------------------------------------------------------

    def locate(self, x: float, y: float) -> int:
        """Position of the polygon covering (x, y), or OUTSIDE."""
        i = math.floor((x - self.x0) / self.cell)
        j = math.floor((y - self.y0) / self.cell)
        if 0 <= i < self.nx and 0 <= j < self.ny:
            found = self._owner_list[j * self.nx + i]
            if found != _MIXED:
                return found
            return self._exact(x, y)
        if self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1:
            return self._exact(x, y)  # on the far edge of the extent, past the last cell
        return OUTSIDE

    def locate_many(self, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.int32]:
        """Vectorised `locate` for arrays of coordinates."""
        xs = np.asarray(xs, dtype=np.float64)
        ys = np.asarray(ys, dtype=np.float64)
        i, j = self._cell_of(xs, ys)
        inside = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        result = np.full(xs.shape, OUTSIDE, dtype=np.int32)
        result[inside] = self.owner[j[inside], i[inside]]
        # Points on the far edge of the extent fall just past the last cell: test them exactly.
        on_edge = ~inside & (xs >= self.x0) & (xs <= self.x1) & (ys >= self.y0) & (ys <= self.y1)
        result[on_edge] = _MIXED
        mixed = np.flatnonzero(result == _MIXED)
        if mixed.size:
            result[mixed] = self._exact_many(xs[mixed], ys[mixed])
        return result

    def _exact(self, x: float, y: float) -> int:
        candidates = self.tree.query(shapely.Point(x, y), predicate="intersects")
        return int(candidates.min()) if candidates.size else OUTSIDE

    def _exact_many(self, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.int32]:
        points, positions = self.tree.query(shapely.points(xs, ys), predicate="intersects")
        found = np.full(xs.shape, np.iinfo(np.int32).max, dtype=np.int64)
        # Several polygons cover a point on a shared edge: the first in index order wins.
        np.minimum.at(found, points, positions)
        found[found == np.iinfo(np.int32).max] = OUTSIDE
        return found.astype(np.int32)

    @property
    def mixed_share(self) -> float:
        """Fraction of raster cells that need the exact test (a tuning figure)."""
        return float(np.count_nonzero(self.owner == _MIXED)) / self.owner.size
