"""Point → unit grid lookups per second on the demo district (about 9,000 grids).

Compares geo's raster index (lib/pointindex.py) with a plain Shapely STRtree query, single
points and a batch, on the same random points, and checks that both give the same answers.

    .venv/bin/python benchmarks/point_lookup.py [--seed 1] [--points 200000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The demo generator reads the demo organisation's street list, which lives beside its models.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from lib.pointindex import OUTSIDE, PolygonIndex  # noqa: E402
from simulate.demo_district import build_demo_geography  # noqa: E402

CELL_DEGREES = 0.00005  # as geo/lookup.py


def rate(label: str, count: int, run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {count / seconds:>14,.0f} points/s")
    return result


def strtree_single(tree: shapely.STRtree, xs: np.ndarray, ys: np.ndarray) -> list[int]:
    found = []
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        hits = tree.query(shapely.Point(x, y), predicate="intersects")
        found.append(int(hits.min()) if hits.size else OUTSIDE)
    return found


def strtree_batch(tree: shapely.STRtree, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    points, polygons = tree.query(shapely.points(xs, ys), predicate="intersects")
    found = np.full(xs.shape, np.iinfo(np.int64).max)
    np.minimum.at(found, points, polygons)
    found[found == np.iinfo(np.int64).max] = OUTSIDE
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--points", type=int, default=200_000)
    args = parser.parse_args()

    geography = build_demo_geography(args.seed)
    grids = sorted(geography.grids, key=lambda grid: grid.code)
    polygons = [grid.polygon for grid in grids]
    x0, y0, x1, y1 = shapely.total_bounds(polygons)
    rng = np.random.default_rng(args.seed)
    xs, ys = rng.uniform(x0, x1, args.points), rng.uniform(y0, y1, args.points)
    single = min(args.points, 50_000)

    print(f"{len(polygons)} unit grids, {args.points:,} random points in the district's bbox")
    print(
        f"Python {platform.python_version()}, Shapely {shapely.__version__}, {platform.machine()}"
    )
    started = time.perf_counter()
    index = PolygonIndex(polygons, CELL_DEGREES)
    print(
        f"index built in {time.perf_counter() - started:.2f} s, "
        f"{index.mixed_share:.1%} of raster cells need the exact test"
    )
    tree = shapely.STRtree(polygons)

    ours_single = rate(
        "raster index, one point at a time",
        single,
        lambda: [
            index.locate(x, y)
            for x, y in zip(xs[:single].tolist(), ys[:single].tolist(), strict=True)
        ],
    )
    ours_batch = rate(
        "raster index, batch (locate_many)", args.points, lambda: index.locate_many(xs, ys)
    )
    tree_single = rate(
        "STRtree query, one point at a time",
        single,
        lambda: strtree_single(tree, xs[:single], ys[:single]),
    )
    tree_batch = rate("STRtree query, batch", args.points, lambda: strtree_batch(tree, xs, ys))

    assert ours_single == tree_single, "single lookups disagree with the STRtree"
    assert np.array_equal(ours_batch, tree_batch), "batch lookups disagree with the STRtree"
    inside = int(np.count_nonzero(np.asarray(ours_batch) != OUTSIDE))
    print(f"answers identical; {inside:,} of {args.points:,} points fall inside a grid")


if __name__ == "__main__":
    main()
