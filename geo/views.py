"""The map page (地图) and the JSON it reads: the outlines, unit grids by bounding box, the grid
at a position, and search by grid code or address.

Answers are GeoJSON FeatureCollections in WGS84 (= CGCS2000) lon/lat. Refusals are
{"error": {"code": …, "message": …}} with the message in the user's language, as in the API.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any, Final

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_GET

from geo.lookup import OutsideDistrict, locate, territory_index
from geo.map_layers import MapLayers, collection_json, feature_json, map_layers
from geo.messages import refusal
from geo.models import GeoRevision, UnitGrid
from lib.coords import CoordinateError, to_wgs84
from lib.gridcodes import LEGACY_LENGTH, LENGTH, GridCodeError, normalize_grid_code
from org.access import Refusal

# The page asks for grids from this zoom on (a 1920-pixel window then spans ~0.04°).
GRID_MIN_ZOOM: Final = 16
MAX_BBOX_DEGREES: Final = 0.1  # ≈ 10 km a side, more than a 4K window at GRID_MIN_ZOOM
MAX_GRIDS: Final = 2500
SEARCH_LIMIT: Final = 20
ADDRESS_LIMIT: Final = 5
GEOJSON: Final = "application/geo+json"

View = Callable[..., HttpResponse]


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def map_json(view: View) -> View:
    """Signed-in GET requests only; a refusal becomes a JSON error. Compressed: these answers
    hold no secret, so compression cannot leak one (BREACH)."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return error(401, "unauthorized", _("Sign in to use the map."))
        try:
            return view(request, *args, **kwargs)
        except (CoordinateError, GridCodeError, OutsideDistrict) as problem:
            refused = refusal(problem)
            return error(refused.status, refused.code, refused.message)
        except Refusal as refused:
            return error(refused.status, refused.code, refused.message)

    return require_GET(gzip_page(answer))


def geojson(content: bytes) -> HttpResponse:
    return HttpResponse(content, content_type=GEOJSON)


# -- outlines and grids -----------------------------------------------------------------------


def outlines_etag(request: HttpRequest) -> str:
    return f'"outlines-{GeoRevision.current()}"'


@map_json
@cache_control(private=True, no_cache=True)
@condition(etag_func=outlines_etag)
def outlines(request: HttpRequest) -> HttpResponse:
    """District, streets/townships and communities; a browser revalidates it by its ETag."""
    return geojson(map_layers().outlines)


@map_json
def grids(request: HttpRequest) -> HttpResponse:
    """Unit grids meeting `bbox` (west,south,east,north in `crs`); none when too many."""
    layers = map_layers()
    found = layers.in_box(*bounding_box(request.GET))
    if len(found) > MAX_GRIDS:
        message = _("%(count)d unit grids lie in this area, more than %(limit)d: zoom in.") % {
            "count": len(found),
            "limit": MAX_GRIDS,
        }
        return geojson(
            collection_json([], count=len(found), limit=MAX_GRIDS, too_many=True, message=message)
        )
    features = (layers.features[n] for n in found)
    return geojson(collection_json(features, count=len(found), limit=MAX_GRIDS, too_many=False))


def bounding_box(query: QueryDict) -> tuple[float, float, float, float]:
    return parse_bbox(query.get("bbox", ""), query.get("crs", "wgs84"), MAX_BBOX_DEGREES)


def parse_bbox(text: str, crs: str, max_degrees: float) -> tuple[float, float, float, float]:
    """`west,south,east,north` in `crs`, as WGS84; raises CoordinateError or a Refusal."""
    parts = text.split(",")
    if len(parts) != 4:
        raise Refusal("bad_bbox", _("bbox must be four numbers: west,south,east,north."))
    west, south = to_wgs84(parts[0], parts[1], crs)
    east, north = to_wgs84(parts[2], parts[3], crs)
    if not (west < east and south < north):
        raise Refusal(
            "bad_bbox", _("bbox must be west,south,east,north, west of east and south of north.")
        )
    if max(east - west, north - south) > max_degrees:
        raise Refusal(
            "bbox_too_big",
            _("The area is too big: at most %(degrees)s° a side; zoom in.")
            % {"degrees": max_degrees},
        )
    return west, south, east, north


# -- one grid ---------------------------------------------------------------------------------


def grid_properties(grid: UnitGrid) -> dict[str, Any]:
    community = grid.community
    street = community.street
    return {
        "kind": "grid",
        "code": grid.code,
        "name": grid.name,
        "area_m2": round(grid.area_m2),
        "land_use": grid.get_land_use_display(),
        "management_grade": grid.get_management_grade_display(),
        "community_code": community.full_code,
        "community_name": community.name,
        "street_code": street.full_code,
        "street_name": street.name,
        "district_code": street.district.code,
        "district_name": street.district.name,
    }


def grid_features(layers: MapLayers, codes: list[str]) -> list[str]:
    """Features with the hierarchy of each grid, its simplified outline and its bbox."""
    found = UnitGrid.objects.select_related("community__street__district").in_bulk(
        codes, field_name="code"
    )
    features = []
    for code in (c for c in codes if c in found):
        position = layers.position(code)
        geometry, bbox = "null", None
        if position is not None:  # the lookup index may briefly be a revision ahead
            geometry = layers.geometries[position]
            bbox = layers.bounds[position].tolist()
        properties = grid_properties(found[code])
        features.append(feature_json(found[code].pk, properties, geometry, bbox=bbox))
    return features


@map_json
def locate_point(request: HttpRequest) -> HttpResponse:
    """The unit grid at `lon`, `lat` (in `crs`), with its community, street and district."""
    query = request.GET
    lon, lat = to_wgs84(query.get("lon"), query.get("lat"), query.get("crs", "wgs84"))
    location = locate(lon, lat)
    features = grid_features(map_layers(), [location.grid_code])
    return geojson(collection_json(features, position=[round(lon, 6), round(lat, 6)]))


# -- search -----------------------------------------------------------------------------------


@map_json
def search(request: HttpRequest) -> HttpResponse:
    """`q`: a grid code, whole or in part (its start or its end), or else an address."""
    text = unicodedata.normalize("NFKC", request.GET.get("q", "")).strip()
    if not text:
        raise Refusal("empty_query", _("Type a grid code or an address."))
    digits = re.sub(r"[\s-]", "", text)
    if digits.isascii() and digits.isdigit():
        return geojson(search_codes(digits))
    return geojson(search_addresses(text))


def search_codes(digits: str) -> bytes:
    layers = map_layers()
    positions = code_positions(layers, digits)
    codes = [layers.codes[n] for n in positions[:SEARCH_LIMIT]]
    if not positions:
        message = _("No unit grid code matches %(digits)s.") % {"digits": digits}
    elif len(positions) > SEARCH_LIMIT:
        message = _("%(total)d unit grids match; the first %(shown)d are listed.") % {
            "total": len(positions),
            "shown": SEARCH_LIMIT,
        }
    else:
        message = ""
    features = grid_features(layers, codes)
    return collection_json(features, matched="grid_code", total=len(positions), message=message)


def code_positions(layers: MapLayers, digits: str) -> list[int]:
    if len(digits) == LENGTH:
        position = layers.position(normalize_grid_code(digits))  # a bad code is explained
        return [] if position is None else [position]
    if len(digits) == LEGACY_LENGTH:
        try:
            position = layers.position(normalize_grid_code(digits))
        except GridCodeError:  # not a legacy code: perhaps the start of a current one
            position = None
        if position is not None:
            return [position]
    return layers.with_prefix(digits) or layers.with_suffix(digits)


def search_addresses(text: str) -> bytes:
    from geo.gazetteer import geocode

    hits = geocode(text, ADDRESS_LIMIT)
    index = territory_index()
    features = []
    for hit in hits:
        location = index.locate(hit.lon, hit.lat)
        properties = {
            "kind": hit.kind,
            "label": hit.label,
            "score": round(hit.score, 3),
            "note": hit.note,
            "grid_code": location.grid_code if location else "",
        }
        point = {"type": "Point", "coordinates": [round(hit.lon, 6), round(hit.lat, 6)]}
        features.append(feature_json(None, properties, json.dumps(point)))
    message = "" if hits else _("No address matches “%(text)s”.") % {"text": text}
    return collection_json(features, matched="address", total=len(hits), message=message)
