"""The map page's cases layer and its search by case number or component identifier
(static/geo/cases.js, static/geo/map.js).

The layer answers arrays, as the component layer does (components/views.py): one row per case
the viewer may see (`Case.objects.visible_to`) in a bounding box, its type, status and light
as positions in small tables. A box becomes the unit grids meeting it (kept in memory per
territory revision); every case has its grid, so the database returns the cases of those
grids and the exact test runs on their points. The query count does not grow with the cases.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any, Final

import numpy as np
import shapely
from django.db.models import (
    BinaryField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as Choose
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines
from cases.models import ACTIVE_STATUSES, Case, Light, Status, lit
from catalog.models import CaseType
from components.models import Component
from geo.map_layers import collection_json, feature_json, map_layers
from geo.models import Street
from geo.views import (
    MAX_BBOX_DEGREES,
    geojson,
    map_json,
    parse_bbox,
    search_addresses,
    search_codes,
)
from org.access import Actor, Refusal, viewer_for

# A 1920-pixel window spans ~0.08° at zoom 15; the page asks once the view fits the box limit.
CASES_MIN_ZOOM: Final = 13
MAX_CASE_POINTS: Final = 3000
DECIMALS: Final = 6  # ≈ 0.1 m
GRID_MARGIN: Final = 0.0001  # degrees around the box: simplified grid outlines stray ≈ 1 m
ALL: Final = "all"  # the status filter's "every status"; none given: the cases still open
STATUS_AT: Final = {status: n for n, status in enumerate(Status.values)}
LIGHT_AT: Final = {light: n for n, light in enumerate(Light.values)}


# -- the layer --------------------------------------------------------------------------------


@map_json
def cases_layer(request: HttpRequest) -> HttpResponse:
    """Cases in `bbox` (west,south,east,north in `crs`) filtered by `status` (none: still
    open; "all"), `type` and `street` (ids) and `light`; rows are [number, lon, lat, status,
    type, light, address] where status and light are positions in the page's lists (light -1:
    no clock runs) and type one in `types` (-1: none)."""
    query = request.GET
    box = parse_bbox(query.get("bbox", ""), query.get("crs", "wgs84"), MAX_BBOX_DEGREES)
    cases = filtered(Case.objects.visible_to(viewer_for(request)), query)
    light = query.get("light", "")
    if light and light not in Light.values:
        raise Refusal("bad_filter", _("Unknown light: %(value)s.") % {"value": light})
    now = timezone.now()
    if light:
        cases = cases.filter(lit(light, now))
    return HttpResponse(layer_json(cases, box, now), content_type="application/json")


def filtered(cases: QuerySet[Case], query: QueryDict) -> QuerySet[Case]:
    """Narrow by the page's filters; an unknown value is refused rather than ignored."""
    status = query.get("status", "")
    if status and status != ALL and status not in Status.values:
        raise Refusal("bad_filter", _("Unknown status: %(value)s.") % {"value": status})
    if not status:
        cases = cases.filter(status__in=ACTIVE_STATUSES)
    elif status != ALL:
        cases = cases.filter(status=status)
    for name, field in (("type", "case_type_id"), ("street", "street_id")):
        value = query.get(name, "")
        if value and not (value.isascii() and value.isdigit()):
            raise Refusal("bad_filter", filter_error(name, value))
        if value:
            cases = cases.filter(**{field: int(value)})
    return cases


def filter_error(name: str, value: str) -> str:
    if name == "type":
        return _("Unknown case type: %(value)s.") % {"value": value}
    return _("Unknown street or township: %(value)s.") % {"value": value}


def layer_json(
    cases: QuerySet[Case], box: tuple[float, float, float, float], now: datetime
) -> bytes:
    rows = located(cases, box, now)
    answer: dict[str, Any] = {"count": len(rows), "limit": MAX_CASE_POINTS}
    if len(rows) > MAX_CASE_POINTS:
        message = _("%(count)d cases lie in this area, more than %(limit)d: zoom in.") % {
            "count": len(rows),
            "limit": MAX_CASE_POINTS,
        }
        answer |= {"too_many": True, "message": message, "rows": []}
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    type_ids = sorted({row[4] for row in rows if row[4] is not None})
    types = CaseType.objects.in_bulk(type_ids)
    type_at = {pk: n for n, pk in enumerate(type_ids)}
    answer |= {
        "too_many": False,
        "types": [[types[pk].code, types[pk].name] for pk in type_ids],
        "rows": [
            [
                number,
                lon,
                lat,
                STATUS_AT[status],
                type_at.get(type_id, -1),
                LIGHT_AT.get(light, -1),
                address,
            ]
            for number, lon, lat, status, type_id, light, address in rows
        ],
    }
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def located(
    cases: QuerySet[Case], box: tuple[float, float, float, float], now: datetime
) -> list[tuple[Any, ...]]:
    """(number, lon, lat, status, type id, light, address) of the cases inside the box (edges
    included), in number order. A case keeps the grid it was placed in (grids it holds cannot
    be deleted), so the grids meeting the box find it. The WKB is read as bytes and decoded in
    one call: decoding row by row costs more than the query."""
    west, south, east, north = box
    layers = map_layers()
    around = (west - GRID_MARGIN, south - GRID_MARGIN, east + GRID_MARGIN, north + GRID_MARGIN)
    grid_ids = [layers.ids[n] for n in layers.in_box(*around)]
    wkb = ExpressionWrapper(F("point"), output_field=BinaryField())
    query = cases.filter(Q(grid_id__in=grid_ids)).annotate(wkb=wkb, light=light_now(now))
    fields = ("number", "status", "case_type_id", "address", "light")
    rows = list(query.order_by("number").values_list("wkb", *fields))
    if not rows:
        return []
    xy = shapely.get_coordinates(shapely.from_wkb([bytes(row[0]) for row in rows]))
    inside = (xy[:, 0] >= west) & (xy[:, 0] <= east) & (xy[:, 1] >= south) & (xy[:, 1] <= north)
    found = []
    for n in np.flatnonzero(inside).tolist():
        _wkb, number, status, type_id, address, light = rows[n]
        lon, lat = xy[n].round(DECIMALS).tolist()
        found.append((number, lon, lat, status, type_id, light, address))
    return found


def light_now(now: datetime) -> Choose:
    """Each case's light now, in SQL: the conditions the case list filters by (cases.models.lit),
    the same answer deadlines.light gives; "" without a clock."""
    lights = [When(lit(light, now), then=Value(light)) for light in Light.values]
    return Choose(*lights, default=Value(""), output_field=CharField())


def layer_config() -> dict[str, Any]:
    """What static/geo/cases.js reads: `cases` in the map page's #map-config."""
    return {
        "url": reverse("map_cases"),
        # The page of one case: the placeholder is replaced by its number.
        "pageUrl": reverse("case_detail", args=["NUMBER"]),
        "minZoom": CASES_MIN_ZOOM,
        "maxBoxDegrees": MAX_BBOX_DEGREES,
        "statuses": [str(label) for label in Status.labels],
        "lights": [[value, str(label)] for value, label in Light.choices],
        "text": {
            "layer": _("Cases"),
            "case": _("Case"),
            "type": _("Type"),
            "status": _("Status"),
            "light": _("Light"),
            "address": _("Address"),
            "noClock": _("no clock running"),
            "open": _("Open the case page"),
            "zoomIn": _("Zoom in to see the cases."),
            "shown": _("Cases shown: {n}"),
            "failed": _("The cases could not be loaded."),
        },
    }


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """The statuses, the types that have cases, the streets and the lights, for the filters."""
    used = Exists(Case.objects.filter(case_type=OuterRef("pk")))
    types = CaseType.objects.filter(used).order_by("code")
    return {
        "statuses": [(ALL, _("every status")), *((v, str(label)) for v, label in Status.choices)],
        "types": [(str(t.pk), f"{t.code} {t.name}") for t in types],
        "streets": [
            (str(s.pk), s.name) for s in Street.objects.order_by("code").only("id", "name")
        ],
        "lights": [(value, str(label)) for value, label in Light.choices],
    }


# -- search -----------------------------------------------------------------------------------


@map_json
def find(request: HttpRequest) -> HttpResponse:
    """`q`: a case number (of the cases the viewer may see) or a component identifier; else
    what the geo search finds, a grid code or an address (geo/views.py)."""
    text = unicodedata.normalize("NFKC", request.GET.get("q", "")).strip()
    if not text:
        raise Refusal(
            "empty_query",
            _("Type a case number, a component identifier, a grid code or an address."),
        )
    digits = re.sub(r"[\s-]", "", text)
    if not (digits.isascii() and digits.isdigit()):
        return geojson(search_addresses(text))
    found = case_feature(viewer_for(request), digits, timezone.now()) or component_feature(digits)
    if found is not None:
        kind, feature = found
        return geojson(collection_json([feature], matched=kind, total=1, message=""))
    return geojson(search_codes(digits))


def point_json(lon: float, lat: float) -> str:
    return json.dumps(
        {"type": "Point", "coordinates": [round(lon, DECIMALS), round(lat, DECIMALS)]}
    )


def case_feature(viewer: Actor, number: str, now: datetime) -> tuple[str, str] | None:
    case = Case.objects.visible_to(viewer).select_related("case_type").by_number(number)
    if case is None:
        return None  # unknown, or not the viewer's to see: the same answer
    light = deadlines.light(case, now)
    kind = case.case_type
    facts = [
        [_("Case"), case.number],
        [_("Type"), f"{kind.code} {kind.name}" if kind else "—"],
        [_("Status"), case.get_status_display()],
        [_("Light"), str(light.label) if light else _("no clock running")],
        [_("Address"), case.address or "—"],
    ]
    url = reverse("case_detail", args=[case.number])
    label = f"{_('Case')} {case.number}"
    return _found("case", case, label, facts, url, _("Open the case page"))


def component_feature(identifier: str) -> tuple[str, str] | None:
    component = (
        Component.objects.select_related("case_type", "owner").filter(identifier=identifier).first()
    )
    if component is None:
        return None
    kind = component.case_type
    facts = [
        [_("Identifier"), component.identifier],
        [_("Type"), f"{kind.code} {kind.name}"],
        [_("Status"), component.get_status_display()],
        [_("Owner"), component.owner.name if component.owner else "—"],
    ]
    url = reverse("component_detail", args=[component.identifier])
    label = f"{_('Component')} {component.identifier} · {kind.name}"
    return _found("component", component, label, facts, url, _("Open the component page"))


def _found(
    kind: str, row: Case | Component, label: str, facts: list[list[Any]], url: str, link: str
) -> tuple[str, str]:
    """A search answer: the row's point, with what its popup card shows."""
    properties = {"kind": kind, "label": label, "facts": facts, "url": url, "link": link}
    return kind, feature_json(row.pk, properties, point_json(row.point.x, row.point.y))
