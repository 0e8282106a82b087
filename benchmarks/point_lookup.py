"""Point → unit grid lookups per second on the demo district (about 9,000 grids).

Compares geo's raster index (lib/pointindex.py) with a plain Shapely STRtree query and, when
given a PostgreSQL server with PostGIS, with ST_Intersects queries (one prepared query per point,
and one set-based join), on the same random points, and checks that all give the same answers.

    .venv/bin/python benchmarks/point_lookup.py [--seed 1] [--points 200000]
        [--postgis postgres://postgres@127.0.0.1:5432/test]

With --postgis the script creates (or reuses) a scratch database `urbangrid_bench` on that
server and the postgis extension in it (Debian: apt-get install postgresql-15-postgis-3).
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
import psycopg
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


def ewkb(geometry: Any) -> str:
    return str(shapely.to_wkb(shapely.set_srid(geometry, 4490), hex=True, include_srid=True))


def postgis_connection(url: str) -> psycopg.Connection[Any]:
    with psycopg.connect(url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = 'urbangrid_bench'")
        if exists.fetchone() is None:
            admin.execute("CREATE DATABASE urbangrid_bench")
    bench_url = url.rsplit("/", 1)[0] + "/urbangrid_bench"
    connection = psycopg.connect(bench_url, autocommit=True)
    connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return connection


def load_postgis(connection: psycopg.Connection[Any], polygons: list[Any]) -> None:
    connection.execute("DROP TABLE IF EXISTS grids")
    connection.execute("CREATE TABLE grids (id integer PRIMARY KEY, geom geometry(Polygon, 4490))")
    with connection.cursor().copy("COPY grids (id, geom) FROM STDIN") as copy:
        for position, polygon in enumerate(polygons):
            copy.write_row((position, ewkb(polygon)))
    connection.execute("CREATE INDEX ON grids USING gist (geom)")
    connection.execute("ANALYZE grids")


def postgis_single(
    connection: psycopg.Connection[Any], xs: np.ndarray, ys: np.ndarray
) -> list[int]:
    query = (
        "SELECT min(id) FROM grids "
        "WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4490))"
    )
    found = []
    with connection.cursor() as cursor:
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            row = cursor.execute(query, (x, y), prepare=True).fetchone()
            found.append(OUTSIDE if row is None or row[0] is None else row[0])
    return found


def postgis_join(connection: psycopg.Connection[Any], xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    connection.execute("DROP TABLE IF EXISTS points")
    connection.execute("CREATE TABLE points (i integer PRIMARY KEY, geom geometry(Point, 4490))")
    with connection.cursor().copy("COPY points (i, geom) FROM STDIN") as copy:
        for i, point in enumerate(shapely.points(xs, ys)):
            copy.write_row((i, ewkb(point)))
    connection.execute("ANALYZE points")
    started = time.perf_counter()
    rows = connection.execute(
        "SELECT p.i, min(g.id) FROM points p JOIN grids g ON ST_Intersects(g.geom, p.geom) "
        "GROUP BY p.i"
    ).fetchall()
    seconds = time.perf_counter() - started
    print(f"{'PostGIS set-based join (query only)':<44} {len(xs) / seconds:>14,.0f} points/s")
    found = np.full(xs.shape, OUTSIDE, dtype=np.int64)
    for i, grid in rows:
        found[i] = grid
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--postgis", metavar="DATABASE_URL", help="also time PostGIS there")
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
    if args.postgis:
        connection = postgis_connection(args.postgis)
        load_postgis(connection, polygons)
        few = min(single, 10_000)
        by_query = rate(
            "PostGIS ST_Intersects, prepared, one per point",
            few,
            lambda: postgis_single(connection, xs[:few], ys[:few]),
        )
        by_join = postgis_join(connection, xs, ys)
        assert by_query == ours_single[:few], "PostGIS single lookups disagree"
        assert np.array_equal(by_join, ours_batch), "the PostGIS join disagrees"
    inside = int(np.count_nonzero(np.asarray(ours_batch) != OUTSIDE))
    print(f"answers identical; {inside:,} of {args.points:,} points fall inside a grid")


if __name__ == "__main__":
    main()
