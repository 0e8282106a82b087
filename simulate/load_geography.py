"""Store the generated demo district (simulate/demo_district.py) in the database.

The territory goes through the same validated, all-or-nothing import as a city's own file
(geo/territory_import.py); the gazetteer and the inspector areas are replaced as a whole.
Running it again with the same seed leaves the same rows (grid ids are kept); a territory
stored exactly as generated is not imported again.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from django.db import transaction

from geo.models import (
    DoorPlate,
    GeoRevision,
    InspectorArea,
    LandUse,
    ManagementGrade,
    PointOfInterest,
    Road,
    UnitGrid,
)
from geo.territory_file import TerritoryFeature
from geo.territory_import import ImportReport, import_territory, stored_as
from lib.bulk import insert_new
from org.models import Person, Unit
from simulate.demo_geo import DemoGeography, ring_of

# Land use by ring: the share of grids of each class (the rest is residential).
LAND_USE_SHARES = {
    "centre": {LandUse.COMMERCIAL: 0.3, LandUse.PUBLIC: 0.15, LandUse.GREEN: 0.05},
    "inner": {LandUse.COMMERCIAL: 0.15, LandUse.PUBLIC: 0.1, LandUse.GREEN: 0.08},
    "outer": {LandUse.INDUSTRIAL: 0.2, LandUse.PUBLIC: 0.05, LandUse.GREEN: 0.1},
    "township": {LandUse.RURAL: 0.7, LandUse.INDUSTRIAL: 0.05, LandUse.GREEN: 0.05},
}
GRADE = {
    "centre": ManagementGrade.FIRST,
    "inner": ManagementGrade.FIRST,
    "outer": ManagementGrade.SECOND,
    "township": ManagementGrade.THIRD,
}


class DemoGeographyError(RuntimeError):
    """The generated district failed the import checks: a bug in the generator."""


def load_geography(geo: DemoGeography, seed: int) -> dict[str, int]:
    with transaction.atomic():
        report = _load_territory(geo, seed)
        _load_gazetteer(geo)
        _load_inspector_areas(geo)
        GeoRevision.bump()
    return {
        "grids": report.counts["grid"],
        "communities": report.counts["community"],
        "streets": report.counts["street"],
        "roads": Road.objects.count(),
        "door_plates": DoorPlate.objects.count(),
        "pois": PointOfInterest.objects.count(),
        "inspector_areas": InspectorArea.objects.count(),
    }


def _territory_features(geo: DemoGeography, seed: int) -> list[TerritoryFeature]:
    district = geo.district
    features = [TerritoryFeature("district", district.code, district.name, district.polygon)]
    rings = {}
    for street in geo.streets:
        code = district.code + street.code
        rings[street.code] = ring_of(street.unit_code)
        features.append(
            TerritoryFeature("street", code, street.name, street.polygon, {"kind": street.kind})
        )
    for community in geo.communities:
        code = district.code + community.street_code + community.code
        features.append(TerritoryFeature("community", code, community.name, community.polygon))
    rng = np.random.default_rng([seed, 47678])
    for grid in geo.grids:
        ring = rings[grid.street_code]
        attributes = {"land_use": _land_use(rng, ring), "management_grade": GRADE[ring]}
        name = f"{grid.sequence:03d}号网格"
        features.append(TerritoryFeature("grid", grid.code, name, grid.polygon, attributes))
    for number, feature in enumerate(features, start=1):
        feature.number = number
    return features


def _land_use(rng: np.random.Generator, ring: str) -> str:
    draw, total = rng.random(), 0.0
    for land_use, share in LAND_USE_SHARES[ring].items():
        total += share
        if draw < total:
            return land_use
    return LandUse.RESIDENTIAL


def _load_territory(geo: DemoGeography, seed: int) -> ImportReport:
    features = _territory_features(geo, seed)
    offices = {geo.district.code + s.code: Unit.objects.get(code=s.unit_code) for s in geo.streets}
    if stored_as(features, offices):  # loaded again: the same rows, checked when first written
        return ImportReport(counts=Counter(f.level for f in features))
    # A different seed draws other grids: the previous district's must not linger.
    codes = {f.code for f in features if f.level == "grid"}
    UnitGrid.objects.exclude(code__in=codes).delete()
    report = import_territory(features, offices=offices)
    if not report.ok:
        problems = "\n".join(p.message for p in report.errors[:10])
        raise DemoGeographyError(f"the demo territory does not import:\n{problems}")
    return report


def _load_gazetteer(geo: DemoGeography) -> None:
    DoorPlate.objects.all().delete()
    Road.objects.all().delete()
    PointOfInterest.objects.all().delete()
    roads = Road.objects.bulk_create(
        Road(name=r.name, aliases=list(r.aliases), road_class=r.road_class, line=r.line)
        for r in geo.roads
    )
    by_name = {road.name: road for road in roads}
    insert_new(
        DoorPlate,
        (
            DoorPlate(road=by_name[p.road_name], number=p.number, point=p.point)
            for p in geo.door_plates
        ),
        batch_size=1000,
    )
    PointOfInterest.objects.bulk_create(
        PointOfInterest(name=p.name, category=p.category, point=p.point) for p in geo.pois
    )


def _load_inspector_areas(geo: DemoGeography) -> None:
    """One inspector area per demo inspector: inspector01 patrols area 01, and so on."""
    grid_ids = dict(UnitGrid.objects.values_list("code", "id"))
    inspectors = {
        p.user.username: p
        for p in Person.objects.select_related("user").filter(
            user__username__startswith="inspector"
        )
    }
    InspectorArea.objects.exclude(code__in=[a.code for a in geo.inspector_areas]).delete()
    for demo in geo.inspector_areas:
        area, _created = InspectorArea.objects.update_or_create(
            code=demo.code, defaults={"name": demo.name}
        )
        area.grids.set([grid_ids[code] for code in demo.grid_codes])
        inspector = inspectors.get(f"inspector{demo.code}")
        area.inspectors.set([inspector] if inspector else [])
