"""Export components to CSV, XLSX and GeoJSON with the columns of components/files.py.

Export writes what import reads, so a file survives the round trip.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, Final

import numpy as np
from openpyxl import Workbook

from components.files import HEADERS
from components.models import DATA_SOURCE_TERMS, STATUS_TERMS, Component
from lib.coords import from_wgs84_many, parse_crs

# Positions are the geometry in GeoJSON, not properties.
GEOJSON_SKIPS: Final = ("lon", "lat")


def export_components(components: Iterable[Component], fmt: str, crs: str = "wgs84") -> bytes:
    """The components as a CSV, XLSX or GeoJSON file, positions expressed in ``crs``."""
    crs = parse_crs(crs)
    records = list(_records(_with_relations(components), crs))
    if fmt == "csv":
        return _csv(records)
    if fmt == "xlsx":
        return _xlsx(records)
    if fmt == "geojson":
        return _geojson(records)
    raise ValueError(f"unknown component file format {fmt!r}: use csv, xlsx or geojson")


def _with_relations(components: Iterable[Component]) -> Iterable[Component]:
    if hasattr(components, "select_related"):
        return components.select_related(
            "case_type", "department", "owner", "maintainer", "grid", "street", "community"
        ).order_by("identifier")
    return components


def _records(components: Iterable[Component], crs: str) -> Iterator[dict[str, Any]]:
    items = list(components)
    if not items:
        return
    lons, lats = from_wgs84_many(
        np.array([c.point.x for c in items]), np.array([c.point.y for c in items]), crs
    )
    for component, lon, lat in zip(items, lons.tolist(), lats.tolist(), strict=True):
        yield _record(component, lon, lat, crs)


def _code(unit: Any) -> str:
    return "" if unit is None else str(unit.code)


def _record(c: Component, lon: float, lat: float, crs: str) -> dict[str, Any]:
    return {
        "identifier": c.identifier,
        "name": c.name,
        "type_code": c.case_type.code,
        "type_name": c.case_type.name,
        "department": _code(c.department),
        "department_name": c.department.name,
        "owner": _code(c.owner),
        "owner_name": c.owner.name if c.owner else "",
        "maintainer": _code(c.maintainer),
        "maintainer_name": c.maintainer.name if c.maintainer else "",
        "grid": c.grid.code if c.grid else "",
        "street": c.street.full_code if c.street else "",
        "community": c.community.full_code if c.community else "",
        "status": STATUS_TERMS[c.status],
        "initial_date": _date(c.initial_date),
        "changed_date": _date(c.changed_date),
        "data_source": DATA_SOURCE_TERMS.get(c.data_source, ""),
        "location_text": c.location_text,
        "notes": c.notes,
        "lon": lon,
        "lat": lat,
        "crs": crs,
        "attributes": c.attributes,
    }


def _date(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""  # CSRQ/BGRQ are YYYYMMDD


def _cell(key: str, value: Any) -> Any:
    if key == "attributes":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return value


def _csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS.values())
    for record in records:
        writer.writerow(_cell(key, record[key]) for key in HEADERS)
    # The byte-order mark lets Excel open the Chinese text as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(records: list[dict[str, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("部件")
    sheet.append(list(HEADERS.values()))
    for record in records:
        # Identifiers and codes stay text: as numbers Excel would round 17 digits.
        sheet.append([_cell(key, record[key]) for key in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _geojson(records: list[dict[str, Any]]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": {
                header: record[key] for key, header in HEADERS.items() if key not in GEOJSON_SKIPS
            },
        }
        for record in records
    ]
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
