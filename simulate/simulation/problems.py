"""Problems as they occur in the district, per grid and type: some grids are hotspots, the
day has a rhythm (quiet nights, morning and evening peaks), weekends differ from weekdays, and
now and then a burst brings several problems of one type to one grid within hours.

The simulator knows every problem that occurred, found or not: that is what lets it measure the
discovery rate as the seed means it (found ÷ occurred), which the platform itself cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import shapely
from django.utils import timezone

from simulate.simulation.clock import HOUR_WEIGHTS, WEEKDAY_WEIGHTS
from simulate.simulation.knobs import Knobs
from simulate.simulation.world import World

BURST_SIZE = 6  # mean problems in a burst
BURST_HOURS = 6.0  # over which they appear


@dataclass
class Problem:
    number: int
    at: datetime
    grid: int  # index into World.grids
    kind: int  # index into World.types
    lon: float
    lat: float
    component: int | None
    goes_at: datetime  # when it goes by itself if nobody deals with it
    found: str = ""  # "inspector" or "public": who first reported it
    case: str = ""  # the number of the case it became
    gone: bool = False  # went by itself, or handled

    @property
    def present(self) -> bool:
        return not self.gone


def occurrences(
    world: World, knobs: Knobs, rng: np.random.Generator, start: datetime, end: datetime
) -> list[Problem]:
    """Every problem from `start` to `end`, in time order."""
    grid_weights = rng.gamma(knobs.hotspot_shape, 1.0, size=len(world.grids))
    grid_p = grid_weights / grid_weights.sum()
    type_p = np.array([t.weight for t in world.types])
    type_p = type_p / type_p.sum()
    hour_p = np.array(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    moments: list[tuple[datetime, int, int]] = []
    day = timezone.localtime(start).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        mean = knobs.problems_per_day * WEEKDAY_WEIGHTS[day.weekday()]
        n = int(rng.poisson(mean))
        hours = rng.choice(24, size=n, p=hour_p) + rng.random(n)
        grids = rng.choice(len(grid_p), size=n, p=grid_p)
        kinds = rng.choice(len(type_p), size=n, p=type_p)
        for h, g, k in zip(hours.tolist(), grids.tolist(), kinds.tolist(), strict=True):
            moments.append((day + timedelta(hours=h), g, k))
        if rng.random() < knobs.bursts_per_month / 30:
            moments.extend(_burst(day, grid_p, type_p, rng))
        day += timedelta(days=1)
    moments = sorted(m for m in moments if start <= m[0] < end)
    return [_problem(n, at, g, k, world, knobs, rng) for n, (at, g, k) in enumerate(moments)]


def _burst(
    day: datetime, grid_p: np.ndarray, type_p: np.ndarray, rng: np.random.Generator
) -> list[tuple[datetime, int, int]]:
    """A market day, a burst main, fly-posting overnight: one grid, one type, within hours."""
    grid = int(rng.choice(len(grid_p), p=grid_p))
    kind = int(rng.choice(len(type_p), p=type_p))
    begins = float(rng.uniform(6, 20))
    return [
        (day + timedelta(hours=begins + float(rng.uniform(0, BURST_HOURS))), grid, kind)
        for _ in range(1 + int(rng.poisson(BURST_SIZE - 1)))
    ]


def _problem(
    number: int,
    at: datetime,
    grid: int,
    kind: int,
    world: World,
    knobs: Knobs,
    rng: np.random.Generator,
) -> Problem:
    problem_type = world.types[kind]
    life = knobs.component_life_days if problem_type.is_component else knobs.event_life_days
    goes_at = at + timedelta(days=float(rng.exponential(life)))
    components = world.components.get((grid, kind), [])
    if components:  # a broken component is reported where it stands
        component, lon, lat = components[int(rng.integers(len(components)))]
        return Problem(number, at, grid, kind, lon, lat, component, goes_at)
    lon, lat = _point_in(world.grids[grid].polygon, rng)
    return Problem(number, at, grid, kind, lon, lat, None, goes_at)


def _point_in(polygon: shapely.Polygon, rng: np.random.Generator) -> tuple[float, float]:
    """A random point inside the grid (its representative point if a few draws miss)."""
    west, south, east, north = polygon.bounds
    for _ in range(8):
        lon, lat = float(rng.uniform(west, east)), float(rng.uniform(south, north))
        if polygon.contains(shapely.Point(lon, lat)):
            return lon, lat
    point = polygon.representative_point()
    return point.x, point.y
