"""What the map page's browser receives from the demo district (about 9,000 unit grids), and how
long the server takes to answer.

    .venv/bin/python benchmarks/map_payload.py [--database sqlite:////tmp/map.sqlite3]
        [--repeat 20]

Without --database the script uses a scratch SQLite file, var/map_payload.sqlite3, migrated and
filled with `load_demo` on first use (about a minute); later runs reuse it. Sizes are the
response bodies as sent, plain and gzip-compressed (what a browser asking for gzip receives);
times are medians over --repeat requests through Django's test client (no network).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str | None) -> None:
    os.environ["DATABASE_URL"] = database or f"sqlite:///{ROOT / 'var' / 'map_payload.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def ensure_demo() -> None:
    from django.core.management import call_command

    from geo.models import UnitGrid

    call_command("migrate", verbosity=0)
    if not UnitGrid.objects.exists():
        print("Loading the demo district into the scratch database…", flush=True)
        call_command("load_demo", quiet=True)


def window(lon: float, lat: float, zoom: int, width: int, height: int) -> str:
    """The bbox a Web-Mercator map of width × height pixels shows at `zoom` around lon/lat."""
    degrees_per_pixel = 360 / (256 * 2**zoom)
    half_width = width / 2 * degrees_per_pixel
    half_height = height / 2 * degrees_per_pixel * math.cos(math.radians(lat))
    return f"{lon - half_width},{lat - half_height},{lon + half_width},{lat + half_height}"


def measure(client: Any, url: str, repeat: int, **params: str) -> tuple[Any, int, int, float]:
    """The plain answer, its size plain and gzipped, and the median time in milliseconds."""
    plain = client.get(url, params)
    assert plain.status_code == 200, plain.content[:300]
    gzipped = client.get(url, params, HTTP_ACCEPT_ENCODING="gzip")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params, HTTP_ACCEPT_ENCODING="gzip")
        times.append((time.perf_counter() - started) * 1000)
    return plain, len(plain.content), len(gzipped.content), statistics.median(times)


def row(label: str, count: int, size: int, packed: int, ms: float) -> None:
    print(f"{label:<44} {count:>8} {size:>10,} {packed:>9,} {ms:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a DATABASE_URL holding the demo district")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup(args.database)
    ensure_demo()

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from geo.map_layers import forget_map_layers, map_layers
    from geo.models import District, UnitGrid

    user, _ = get_user_model().objects.get_or_create(username="map-benchmark")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    forget_map_layers()
    started = time.perf_counter()
    map_layers()
    build = time.perf_counter() - started

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    grids = UnitGrid.objects.count()
    print(f"unit grids: {grids:,}; layers built in {build:.2f} s (once per revision)")
    print(f"{'answer':<44} {'features':>8} {'bytes':>10} {'gzip':>9} {'median ms':>10}")
    answer, size, packed, ms = measure(client, reverse("map_outlines"), args.repeat)
    row(
        "outlines (district, streets, communities)",
        len(answer.json()["features"]),
        size,
        packed,
        ms,
    )
    district = District.objects.get()
    centre = district.boundary.centroid
    for zoom, width, height in ((16, 1440, 900), (17, 1440, 900), (16, 1920, 1080)):
        bbox = window(centre.x, centre.y, zoom, width, height)
        answer, size, packed, ms = measure(client, reverse("map_grids"), args.repeat, bbox=bbox)
        label = f"grids, {width}×{height} window at zoom {zoom}"
        row(label, answer.json()["count"], size, packed, ms)
    code = UnitGrid.objects.order_by("code").values_list("code", flat=True)[500]
    for label, url, params in (
        ("grid at a point", reverse("map_locate"), {"lon": str(centre.x), "lat": str(centre.y)}),
        ("search by full grid code", reverse("map_search"), {"q": code}),
        ("search by partial code (a street)", reverse("map_search"), {"q": code[:9]}),
    ):
        answer, size, packed, ms = measure(client, url, args.repeat, **params)
        row(label, len(answer.json()["features"]), size, packed, ms)


if __name__ == "__main__":
    main()
