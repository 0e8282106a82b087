"""Reading and writing territory files: GeoJSON, and zipped Shapefiles through pyshp.

A file holds features of four levels — district, street, community, grid — each with a `level`,
a `code` (6, 9, 12 or 15 digits; legacy 14-digit grid codes are accepted) and a `name`, plus the
standard's optional grid attributes. Reading never touches the database.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapefile
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

LEVELS = ("district", "street", "community", "grid")
GRID_ATTRIBUTES = ("land_use", "management_grade", "start_date", "end_date", "notes", "kind")
# Chinese column names cities use in their grid tables, mapped to ours.
COLUMN_ALIASES = {
    "层级": "level",
    "代码": "code",
    "标识码": "code",
    "单元网格标识码": "code",
    "名称": "name",
    "单元网格名称": "name",
    "用地类别": "land_use",
    "管理等级": "management_grade",
    "初始日期": "start_date",
    "终止日期": "end_date",
    "备注": "notes",
}


class TerritoryFileError(ValueError):
    """The file cannot be read at all (not the validation of its content)."""


@dataclass
class TerritoryFeature:
    level: str
    code: str
    name: str
    geometry: BaseGeometry
    attributes: dict[str, Any] = field(default_factory=dict)
    number: int = 0  # position in the file, for error reports


def read_geojson(data: bytes | str) -> list[TerritoryFeature]:
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TerritoryFileError(
            _("The file is not valid JSON: %(error)s") % {"error": error}
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise TerritoryFileError(_("The file is not a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list):
        raise TerritoryFileError(_("The FeatureCollection has no list of features."))
    return [_feature(n, item) for n, item in enumerate(features, start=1)]


def _feature(number: int, item: Any) -> TerritoryFeature:
    if not isinstance(item, dict) or not isinstance(item.get("properties"), dict):
        raise TerritoryFileError(_("Feature %(n)d has no properties object.") % {"n": number})
    try:
        geometry = shape(item["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
        raise TerritoryFileError(
            _("Feature %(n)d has no readable geometry.") % {"n": number}
        ) from None
    return _from_properties(number, item["properties"], geometry)


def _from_properties(number: int, raw: dict[str, Any], geometry: BaseGeometry) -> TerritoryFeature:
    props = {COLUMN_ALIASES.get(k, k): v for k, v in raw.items()}
    attributes = {k: props[k] for k in GRID_ATTRIBUTES if props.get(k) not in (None, "")}
    return TerritoryFeature(
        level=str(props.get("level") or "").strip().lower(),
        code=str(props.get("code") or "").strip(),
        name=str(props.get("name") or "").strip(),
        geometry=geometry,
        attributes=attributes,
        number=number,
    )


def read_shapefile_zip(data: bytes) -> list[TerritoryFeature]:
    """A .zip holding one .shp with its .shx and .dbf (and optionally .cpg / .prj)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TerritoryFileError(_("The file is not a zip archive of a Shapefile.")) from None
    names = {name.rsplit(".", 1)[-1].lower(): name for name in archive.namelist()}
    missing = [ext for ext in ("shp", "shx", "dbf") if ext not in names]
    if missing:
        raise TerritoryFileError(
            _("The archive lacks the Shapefile parts: %(parts)s") % {"parts": ", ".join(missing)}
        )
    encoding = archive.read(names["cpg"]).decode().strip() if "cpg" in names else "utf-8"
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(archive.read(names["shp"])),
            shx=io.BytesIO(archive.read(names["shx"])),
            dbf=io.BytesIO(archive.read(names["dbf"])),
            encoding=encoding,
        )
        records = [
            (shape(item.shape.__geo_interface__), item.record.as_dict())
            for item in reader.iterShapeRecords()
        ]
    except (shapefile.ShapefileException, UnicodeDecodeError, ValueError) as error:
        raise TerritoryFileError(
            _("The Shapefile cannot be read: %(error)s") % {"error": error}
        ) from None
    return [
        _from_properties(n, {k: _plain(v) for k, v in record.items()}, geometry)
        for n, (geometry, record) in enumerate(records, start=1)
    ]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def read_territory_file(name: str, data: bytes) -> list[TerritoryFeature]:
    if name.lower().endswith(".zip"):
        return read_shapefile_zip(data)
    return read_geojson(data)


def write_geojson(features: list[TerritoryFeature]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "level": f.level,
                    "code": f.code,
                    "name": f.name,
                    **{k: _plain(v) for k, v in f.attributes.items()},
                },
                "geometry": mapping(f.geometry),
            }
            for f in features
        ],
    }
