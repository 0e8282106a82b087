"""The JSON API on components (部件), mounted by config/api.py under /api/v1/components: list by
area, grid or type; the nearest to a position (the inspector app picks "this manhole cover");
one component with its status history (its cases: GET /api/v1/components/{identifier}/cases, in
cases/api.py).

Components are reference data: any signed-in caller holding a post reads them all. Positions in
answers are WGS84 (= CGCS2000) lon/lat; positions asked for may be in `crs`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from components import queries as q
from components.models import Component, ComponentStatus, ComponentStatusChange
from geo.messages import refusal
from lib.coords import CoordinateError, to_wgs84
from lib.gridcodes import GridCodeError, normalize_grid_code
from org.access import Refusal, actor_for
from org.api import ERRORS, Clean, Named
from org.models import Unit

MAX_BOX_DEGREES: Final = 0.05  # ≈ 5 km a side
MAX_WITHIN_METRES: Final = 1000
RELATED: Final = ("case_type__major", "grid", "owner", "maintainer", "department")

router = Router(tags=["components"])


# -- schemas -----------------------------------------------------------------------------------


class ComponentFilters(Clean):
    bbox: str | None = Field(None, description="west,south,east,north in `crs`")
    crs: str = Field("wgs84", description="of bbox: wgs84, cgcs2000, gcj02 or bd09")
    grid: str | None = Field(None, description="unit grid code (15 digits)")
    type: str | None = Field(None, description="type code, e.g. 0101")
    major: str | None = Field(None, description="major class code (大类), e.g. 01")
    status: list[ComponentStatus] | None = Field(None, description="one or more statuses")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class NearestQuery(Clean):
    lon: float
    lat: float
    crs: str = Field("wgs84", description="of lon/lat: wgs84, cgcs2000, gcj02 or bd09")
    type: str | None = Field(None, description="type code, e.g. 0101")
    limit: int = Field(10, ge=1, le=50)
    within: float = Field(100, gt=0, le=MAX_WITHIN_METRES, description="metres")


class ComponentSummary(Schema):
    identifier: str
    name: str
    type: Named
    major: Named
    status: str
    status_label: str
    lon: float
    lat: float
    grid: str | None = Field(description="unit grid code")
    department: Named = Field(description="competent department (主管部门)")
    owner: Named | None = Field(description="权属单位")
    maintainer: Named | None = Field(description="养护单位")


class ComponentList(Schema):
    total: int
    limit: int
    offset: int
    items: list[ComponentSummary]


class NearComponent(ComponentSummary):
    distance_m: float = Field(description="geodesic distance in metres")


class NearestList(Schema):
    lon: float = Field(description="the position asked about, in WGS84")
    lat: float
    within: float
    items: list[NearComponent]


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    to_label: str
    at: datetime
    by: str | None
    reason: str
    case: str | None = Field(description="the case whose report or ending made the change")


class ComponentDetail(ComponentSummary):
    community: Named | None
    street: Named | None
    initial_date: date
    changed_date: date | None
    data_source: str
    location_text: str
    notes: str
    attributes: dict[str, Any]
    status_history: list[StatusChangeOut]


def _named(code: str, name: str) -> Named:
    return Named(code=code, name=name)


def _unit(unit: Unit | None) -> Named | None:
    return _named(unit.code, unit.name) if unit else None


def summary_fields(component: Component) -> dict[str, Any]:
    case_type, department = component.case_type, component.department
    return {
        "identifier": component.identifier,
        "name": component.name,
        "type": _named(case_type.code, case_type.name),
        "major": _named(case_type.major.code, case_type.major.name),
        "status": component.status,
        "status_label": component.get_status_display(),
        "lon": round(component.point.x, 7),
        "lat": round(component.point.y, 7),
        "grid": component.grid.code if component.grid else None,
        "department": _named(department.code, department.name),
        "owner": _unit(component.owner),
        "maintainer": _unit(component.maintainer),
    }


def status_change_out(change: ComponentStatusChange) -> StatusChangeOut:
    return StatusChangeOut(
        from_status=change.from_status,
        to_status=change.to_status,
        to_label=change.get_to_status_display(),
        at=timezone.localtime(change.changed_at),
        by=change.changed_by.get_username() if change.changed_by else None,
        reason=change.reason,
        case=change.case_number or None,
    )


# -- who may read --------------------------------------------------------------------------------


def reader(request: HttpRequest) -> None:
    """Any post may read components (a post named by header or parameter is checked)."""
    actor_for(request, pick_first=True)


# -- reading -----------------------------------------------------------------------------------


@router.get("", response={200: ComponentList, **ERRORS}, summary="List components")
def list_components(request: HttpRequest, filters: Query[ComponentFilters]) -> ComponentList:
    """By area (`bbox`), unit grid (`grid`) or type (`type`): at least one of them, combined
    with `status` and `major` if given; in identifier order, paginated."""
    reader(request)
    if not (filters.bbox or filters.grid or filters.type):
        raise Refusal("filter_required", _("Give bbox, grid or type to choose components."))
    try:
        components = chosen(filters)
        if filters.bbox:
            box = q.parse_box(filters.bbox, filters.crs, MAX_BOX_DEGREES)
            return box_page(components, box, filters)
    except (CoordinateError, GridCodeError) as error:
        raise refusal(error) from None
    start, end = filters.offset, filters.offset + filters.limit
    page = components.select_related(*RELATED).order_by("identifier")[start:end]
    return ComponentList(
        total=components.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[ComponentSummary(**summary_fields(c)) for c in page],
    )


def chosen(filters: ComponentFilters) -> QuerySet[Component]:
    components = q.filtered(
        Component.objects.all(),
        type_code=filters.type,
        statuses=filters.status or (),
        major=filters.major,
    )
    if filters.grid:
        components = components.filter(grid__code=normalize_grid_code(filters.grid))
    return components


def box_page(
    components: QuerySet[Component], box: q.Box, filters: ComponentFilters
) -> ComponentList:
    spots = q.spots_in_box(components, box)
    page = spots[filters.offset : filters.offset + filters.limit]
    rows = Component.objects.select_related(*RELATED).in_bulk([spot.id for spot in page])
    return ComponentList(
        total=len(spots),
        limit=filters.limit,
        offset=filters.offset,
        items=[ComponentSummary(**summary_fields(rows[spot.id])) for spot in page],
    )


@router.get("/nearest", response={200: NearestList, **ERRORS}, summary="Nearest components")
def nearest_components(request: HttpRequest, query: Query[NearestQuery]) -> NearestList:
    """The components within `within` metres of `lon`, `lat` (in `crs`), nearest first, each
    with its geodesic distance in metres."""
    reader(request)
    try:
        lon, lat = to_wgs84(query.lon, query.lat, query.crs)
    except CoordinateError as error:
        raise refusal(error) from None
    components = q.filtered(Component.objects.all(), type_code=query.type)
    found = q.nearest(components, lon, lat, within=query.within, limit=query.limit)
    rows = Component.objects.select_related(*RELATED).in_bulk([spot.id for spot, _ in found])
    items = [
        NearComponent(**summary_fields(rows[spot.id]), distance_m=round(distance, 2))
        for spot, distance in found
    ]
    return NearestList(lon=round(lon, 7), lat=round(lat, 7), within=query.within, items=items)


@router.get("/{identifier}", response={200: ComponentDetail, **ERRORS}, summary="One component")
def get_component(request: HttpRequest, identifier: str) -> ComponentDetail:
    """The component with its status history (oldest first)."""
    reader(request)
    component = (
        Component.objects.select_related(*RELATED, "community", "street")
        .filter(identifier=identifier)
        .first()
    )
    if component is None:
        raise Refusal(
            "not_found",
            _("There is no component %(identifier)s.") % {"identifier": identifier},
            404,
        )
    return component_detail(component)


def component_detail(component: Component) -> ComponentDetail:
    changes = q.status_history(component)
    community, street = component.community, component.street
    return ComponentDetail(
        **summary_fields(component),
        community=_named(community.full_code, community.name) if community else None,
        street=_named(street.full_code, street.name) if street else None,
        initial_date=component.initial_date,
        changed_date=component.changed_date,
        data_source=component.data_source,
        location_text=component.location_text,
        notes=component.notes,
        attributes=component.attributes,
        status_history=[status_change_out(change) for change in changes],
    )
