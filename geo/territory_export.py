"""Export the stored territory as a GeoJSON FeatureCollection (the import's own format)."""

from __future__ import annotations

from typing import Any

from geo.models import Community, District, Street, UnitGrid
from geo.territory_file import TerritoryFeature, write_geojson

GRID_FIELDS = ("land_use", "management_grade", "start_date", "end_date", "notes")


def export_territory() -> dict[str, Any]:
    features: list[TerritoryFeature] = []
    for district in District.objects.all():
        features.append(
            TerritoryFeature("district", district.code, district.name, district.boundary)
        )
    for street in Street.objects.all():
        features.append(
            TerritoryFeature(
                "street", street.full_code, street.name, street.boundary, {"kind": street.kind}
            )
        )
    for community in Community.objects.all():
        features.append(
            TerritoryFeature("community", community.full_code, community.name, community.boundary)
        )
    for grid in UnitGrid.objects.all().iterator(chunk_size=2000):
        attributes = {
            f: getattr(grid, f) for f in GRID_FIELDS if getattr(grid, f) not in (None, "")
        }
        features.append(TerritoryFeature("grid", grid.code, grid.name, grid.boundary, attributes))
    return write_geojson(features)
