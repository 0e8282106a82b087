"""The component page (部件) and the map's component layer: a compact JSON of the components in
a bounding box, and what the map page needs to draw and filter them (static/components/layer.js).

The layer answers arrays, not GeoJSON: one row per component, with its type and owner as
positions in small tables sent alongside. Measured by benchmarks/component_layer.py.
"""

from __future__ import annotations

import json
from typing import Any, Final

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.models import CaseType
from components import queries as q
from components.models import Component, ComponentStatus
from geo.views import MAX_BBOX_DEGREES, map_json
from org.models import Unit

# From this zoom on the map asks for components: a 1920-pixel window then holds a few thousand.
LAYER_MIN_ZOOM: Final = 16
MAX_LAYER_POINTS: Final = 8000
DECIMALS: Final = 6  # ≈ 0.1 m


# -- the map layer ----------------------------------------------------------------------------


@map_json
def layer(request: HttpRequest) -> HttpResponse:
    """Components in `bbox` (west,south,east,north in `crs`), filtered by `major`, `type` and
    `status`; rows are [identifier, lon, lat, type, status, owner] where type and owner are
    positions in `types` and `owners` (owner -1: none) and status one in the page's list."""
    query = request.GET
    box = q.parse_box(query.get("bbox", ""), query.get("crs", "wgs84"), MAX_BBOX_DEGREES)
    components = q.filtered(
        Component.objects.all(),
        type_code=query.get("type") or None,
        statuses=[status for status in query.getlist("status") if status],
        major=query.get("major") or None,
    )
    return HttpResponse(layer_json(components, box), content_type="application/json")


def layer_json(components: QuerySet[Component], box: q.Box) -> bytes:
    fields = ("identifier", "case_type_id", "status", "owner_id")
    rows, xy = q.located(components, box, *fields)
    answer: dict[str, Any] = {"count": len(rows), "limit": MAX_LAYER_POINTS}
    if len(rows) > MAX_LAYER_POINTS:
        answer |= {"too_many": True, "message": too_many_text(len(rows)), "rows": []}
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    type_ids = sorted({row[1] for row in rows})
    owner_ids = sorted({row[3] for row in rows if row[3] is not None})
    types = CaseType.objects.in_bulk(type_ids)
    owners = Unit.objects.in_bulk(owner_ids)
    type_at = {pk: n for n, pk in enumerate(type_ids)}
    owner_at = {pk: n for n, pk in enumerate(owner_ids)}
    status_at = {status: n for n, status in enumerate(ComponentStatus.values)}
    answer |= {
        "too_many": False,
        "types": [[types[pk].code, types[pk].name] for pk in type_ids],
        "owners": [owners[pk].name for pk in owner_ids],
        "rows": [
            [identifier, lon, lat, type_at[type_id], status_at[status], owner_at.get(owner, -1)]
            for (identifier, type_id, status, owner), (lon, lat) in zip(
                rows, xy.round(DECIMALS).tolist(), strict=True
            )
        ],
    }
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def too_many_text(count: int) -> str:
    return _("%(count)d components lie in this area, more than %(limit)d: zoom in.") % {
        "count": count,
        "limit": MAX_LAYER_POINTS,
    }


def layer_config() -> dict[str, Any]:
    """What static/components/layer.js reads: `components` in the map page's #map-config."""
    return {
        "url": reverse("component_layer"),
        # The page of one component: the placeholder is replaced by its identifier.
        "pageUrl": reverse("component_detail", args=["IDENTIFIER"]),
        "minZoom": LAYER_MIN_ZOOM,
        "maxBoxDegrees": MAX_BBOX_DEGREES,
        "statuses": [[value, str(label)] for value, label in ComponentStatus.choices],
        "text": {
            "layer": _("Components (部件)"),
            "identifier": _("Identifier"),
            "type": _("Type"),
            "status": _("Status"),
            "owner": _("Owner"),
            "open": _("Open the component page"),
            "zoomIn": _("Zoom in to see the components."),
            "shown": _("Components shown: {n}"),
            "loading": _("Loading…"),
            "failed": _("The components could not be loaded."),
        },
    }


def filter_options() -> dict[str, list[tuple[str, str, str]]]:
    """The major classes and types that have components, for the map's filters: (value,
    label, major code) each."""
    used = Component.objects.values_list("case_type_id", flat=True).distinct()
    types = CaseType.objects.filter(id__in=used).select_related("major")
    types = types.order_by("major__code", "code")
    majors: dict[str, tuple[str, str, str]] = {}
    for case_type in types:
        major = case_type.major
        majors.setdefault(major.code, (major.code, f"{major.code} {major.name}", major.code))
    return {
        "majors": list(majors.values()),
        "types": [(t.code, f"{t.code} {t.name}", t.major.code) for t in types],
        "statuses": [(value, str(label), "") for value, label in ComponentStatus.choices],
    }
