"""What the map's component layer (部件, about 27,000 in the demo district) sends for a window,
and how long the component API takes to answer.

    .venv/bin/python benchmarks/component_layer.py [--database sqlite:////tmp/c.sqlite3]
        [--repeat 20]

Without --database the script uses a scratch SQLite file, var/component_layer.sqlite3, migrated
and filled with `load_demo` on first use (about a minute); later runs reuse it. Windows are
centred on the densest unit grid (most components); sizes are the response bodies as sent,
plain and gzip-compressed; times are medians over --repeat requests through Django's test
client (no network). Uses the helpers of benchmarks/map_payload.py.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from map_payload import measure, row, setup, window  # noqa: E402  (this folder is on sys.path)


def ensure_demo() -> None:
    from django.core.management import call_command

    from components.models import Component

    call_command("migrate", verbosity=0)
    if not Component.objects.exists():
        print("Loading the demo district into the scratch database…", flush=True)
        call_command("load_demo", quiet=True)


def densest_point() -> tuple[float, float]:
    from django.db.models import Count

    from components.models import Component

    grid = (
        Component.objects.values("grid_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("grid_id", flat=True)[0]
    )
    point = Component.objects.filter(grid_id=grid).order_by("identifier")[0].point
    return point.x, point.y


def client() -> Any:
    """A browser signed in as someone holding a post (the API asks for one)."""
    from django.test import Client

    from org.models import Membership

    post = Membership.objects.select_related("person__user").first()
    assert post is not None, "the demo has people with posts"
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(post.person.user)
    return browser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a DATABASE_URL holding the demo district")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup(args.database or f"sqlite:///{ROOT / 'var' / 'component_layer.sqlite3'}")
    ensure_demo()

    from django.urls import reverse

    from components.models import Component
    from geo.map_layers import map_layers

    map_layers()  # built once per territory revision; not part of an answer
    browser = client()
    lon, lat = densest_point()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"components: {Component.objects.count():,}; windows centred on {lon:.5f}, {lat:.5f}")
    print(f"{'answer':<44} {'items':>8} {'bytes':>10} {'gzip':>9} {'median ms':>10}")
    layer = reverse("component_layer")
    for zoom, width, height in (
        (16, 1440, 900),
        (17, 1440, 900),
        (18, 1440, 900),
        (16, 1920, 1080),
    ):
        bbox = window(lon, lat, zoom, width, height)
        answer, size, packed, ms = measure(browser, layer, args.repeat, bbox=bbox)
        row(
            f"layer, {width}×{height} window at zoom {zoom}",
            answer.json()["count"],
            size,
            packed,
            ms,
        )
    bbox = window(lon, lat, 17, 1440, 900)
    answer, size, packed, ms = measure(browser, layer, args.repeat, bbox=bbox, status="damaged")
    row("layer, zoom 17, damaged only", answer.json()["count"], size, packed, ms)
    api = "/api/v1/components"
    for label, url, params in (
        ("API list, zoom-17 window, 100 items", api, {"bbox": bbox}),
        ("API nearest, 10 within 100 m", f"{api}/nearest", {"lon": str(lon), "lat": str(lat)}),
        (
            "API nearest, 50 within 1000 m",
            f"{api}/nearest",
            {"lon": str(lon), "lat": str(lat), "within": "1000", "limit": "50"},
        ),
    ):
        answer, size, packed, ms = measure(browser, url, args.repeat, **params)
        row(label, len(answer.json()["items"]), size, packed, ms)


if __name__ == "__main__":
    main()
