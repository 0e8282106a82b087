"""The demo components on the real demo district, loaded once: counts, proportions, and
positions inside the district and beside its roads."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pytest
import shapely
from django.core.management import call_command

from components.models import Component, ComponentStatus
from geo.lookup import locate
from geo.models import District, Road, RoadClass, Street
from lib.coords import gk_zone_epsg, to_metres
from simulate.demo_components import HALF_WIDTH_M, PLACES, load_demo_components

FARTHEST_M = max(HALF_WIDTH_M.values()) + max(p[3] for p in PLACES.values())
COVERS = {"0101", "0102", "0103", "0104", "0105", "0106", "0107", "0108", "0109", "0110",
          "0111", "0112", "0114", "0127", "0128", "0129", "0130"}  # fmt: skip


@pytest.mark.django_db
def test_the_demo_district_gets_about_27000_plausible_components() -> None:
    call_command("load_demo", "--quiet", stdout=io.StringIO())
    counts = load_demo_components(1)
    total = counts["components"]
    assert 25_000 <= total <= 29_000 and Component.objects.count() == total

    by_type = Counter(Component.objects.values_list("case_type__code", flat=True))
    share = {code: n / total for code, n in by_type.items()}
    assert 0.40 <= sum(share[c] for c in COVERS) <= 0.55  # covers of many kinds: half
    assert sum(1 for c in COVERS if by_type[c]) >= 15
    assert 0.10 <= share["0118"] <= 0.20  # street lamps
    assert 0.08 <= share["0402"] <= 0.18  # street trees
    assert all(share[c] > 0.01 for c in ("0305", "0113", "0209"))  # bins, hydrants, signs
    assert sum(n for c, n in by_type.items() if c.startswith("05")) / total < 0.005

    statuses = Counter(Component.objects.values_list("status", flat=True))
    assert statuses[ComponentStatus.INTACT] / total >= 0.93
    assert (
        0.02
        <= (statuses[ComponentStatus.DAMAGED] + statuses[ComponentStatus.MISSING]) / total
        <= 0.06
    )

    district = District.objects.get().boundary
    epsg = gk_zone_epsg(district.centroid.x)
    sample = list(Component.objects.order_by("?").values_list("point", "grid__code")[:2000])
    points = np.array([point for point, _code in sample], dtype=object)
    assert shapely.contains(district, points).all()
    assert all(locate(p.x, p.y).grid_code == code for p, code in sample[:300])
    roads = shapely.union_all(
        [to_metres(line, epsg) for line in Road.objects.values_list("line", flat=True)]
    )
    distances = shapely.distance(roads, np.array([to_metres(p, epsg) for p in points]))
    assert distances.max() <= FARTHEST_M + 1

    # Denser in the centre than in the townships, per km².
    density = {}
    for street in Street.objects.select_related("office"):
        km2 = to_metres(street.boundary, epsg).area / 1e6
        density[street.office.code] = Component.objects.filter(street=street).count() / km2  # type: ignore[union-attr]
    assert density["S01"] > 3 * max(density["T01"], density["T02"])

    # Lamps on both sides of the main roads in the centre, one every ~35 m each side.
    centre = to_metres(Street.objects.get(office__code="S01").boundary, epsg)
    mains = shapely.union_all(
        [to_metres(r.line, epsg) for r in Road.objects.filter(road_class=RoadClass.MAIN)]
    )
    main_km = shapely.intersection(mains, centre).length / 1000
    lamps = [
        to_metres(p, epsg)
        for p in Component.objects.filter(
            case_type__code="0118", street__office__code="S01"
        ).values_list("point", flat=True)
    ]
    near = shapely.distance(mains, np.array(lamps, dtype=object)) <= HALF_WIDTH_M["main"] + 1.5
    assert 45 <= near.sum() / main_km <= 70
