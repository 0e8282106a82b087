"""Where a caller's problem is: address suggestions from the gazetteer (地理编码) as the
acceptor types, and the placement of the pin (street, community, unit grid) shown before the
call is recorded, so the acceptor can read it back to the caller.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping

from geo.gazetteer import AddressHit, describe, geocode
from geo.lookup import Placement, place
from geo.models import Community, UnitGrid
from org.access import Refusal

SUGGESTIONS: Final = 6
QUERY_MAX: Final = 100  # characters of address text searched

KIND_LABELS = {
    "door_plate": _("Door plate (门牌)"),
    "road": _("Road (街巷)"),
    "poi": _("Point of interest (兴趣点)"),
    "area": _("Area (区片)"),
}


@dataclass(frozen=True)
class Where:
    """A position in the district and what it lies in."""

    lon: float
    lat: float
    street: str
    community: str
    grid_code: str
    near_boundary: bool


@dataclass(frozen=True)
class Suggestion:
    """A gazetteer hit; `where` is None when the hit lies outside the unit grids."""

    hit: AddressHit
    where: Where | None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.hit.kind, self.hit.kind))


@dataclass(frozen=True)
class Pin:
    """The placement of the pin, with the nearest address and its grid's outline (GeoJSON)."""

    where: Where
    nearest: str
    outline: dict[str, Any] | None

    @property
    def outline_json(self) -> str:
        """For a data attribute: htmx drops script elements, even JSON ones, from what it swaps
        in (allowScriptTags is off under the CSP)."""
        return json.dumps(self.outline, separators=(",", ":"))


def search_text(text: str) -> str:
    """Address text as typed, normalised (full-width digits are common in Chinese input)."""
    return unicodedata.normalize("NFKC", text).strip()[:QUERY_MAX]


def suggestions(text: str) -> list[Suggestion]:
    """The gazetteer's hits for the text, best first, each placed in its unit grid."""
    hits = geocode(search_text(text), SUGGESTIONS)
    placements = [_placed(hit.lon, hit.lat) for hit in hits]
    names = _community_names([p.community_id for p in placements if p is not None])
    return [
        Suggestion(hit, None if p is None else _where(p, names))
        for hit, p in zip(hits, placements, strict=True)
    ]


def pin(lon: float, lat: float) -> Pin:
    """Where the pin is; refused outside the district's unit grids or for a bad position."""
    placement = place(lon, lat)
    where = _where(placement, _community_names([placement.community_id]))
    grid = UnitGrid.objects.filter(pk=placement.grid_id).only("boundary").first()
    outline = mapping(grid.boundary) if grid is not None else None
    return Pin(where, describe(placement.lon, placement.lat), outline)


def _placed(lon: float, lat: float) -> Placement | None:
    try:
        return place(lon, lat)
    except Refusal:
        return None


def _community_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(Community.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _where(placement: Placement, names: dict[int, str]) -> Where:
    return Where(
        round(placement.lon, 7),
        round(placement.lat, 7),
        placement.street.name,
        names.get(placement.community_id, ""),
        placement.grid_code,
        placement.near_boundary,
    )
