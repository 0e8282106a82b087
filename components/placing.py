"""Keeping components' derived places (unit grid, community, street) true to the territory.

A territory import may move grid edges, renumber grids or drop them; each component is then
placed again from its position, in the import's own transaction (geo.signals).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from components.models import Component
from geo.lookup import TerritoryIndex

BATCH = 2000


def place_all(index: TerritoryIndex) -> int:
    """Place every component again; returns how many changed place. A component now outside
    every grid keeps its position and loses its place until the territory covers it again."""
    rows = list(
        Component.objects.values_list("id", "point", "grid_id", "community_id", "street_id")
    )
    if not rows:
        return 0
    xy = shapely.get_coordinates(np.array([row[1] for row in rows], dtype=object))
    grid_ids = index.locate_many(xy[:, 0], xy[:, 1])
    by_grid = {location.grid_id: location for location in index.locations}
    changed = []
    for (pk, _point, *old), grid_id in zip(rows, grid_ids.tolist(), strict=True):
        location = by_grid.get(grid_id)
        new = [None, None, None] if location is None else [
            location.grid_id, location.community_id, location.street_id
        ]  # fmt: skip
        if new != old:
            changed.append(Component(pk=pk, grid_id=new[0], community_id=new[1], street_id=new[2]))
    Component.objects.bulk_update(changed, ["grid", "community", "street"], batch_size=BATCH)
    return len(changed)


def on_territory_replaced(sender: Any, *, revision: int, **kwargs: Any) -> None:
    if Component.objects.exists():  # spares building an index for an empty inventory
        place_all(TerritoryIndex(revision))
