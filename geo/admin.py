"""Django admin for the territory and the gazetteer, with the territory import page.

Boundaries are not edited here: they come from a surveyed file through the validated import
(导入辖区数据), which checks the whole territory at once. Point positions of door plates and
points of interest are entered as longitude/latitude in a chosen coordinate system.
"""

from __future__ import annotations

from typing import Any

import shapely
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.messages import coordinate_error_text
from geo.models import (
    Community,
    District,
    DoorPlate,
    GeoRevision,
    InspectorArea,
    Place,
    PointOfInterest,
    Road,
    Street,
    UnitGrid,
)
from geo.territory_file import TerritoryFileError, read_territory_file
from geo.territory_import import ImportReport, import_territory
from lib.coords import CRS_NAMES, CoordinateError, to_wgs84

MAX_TERRITORY_FILE_BYTES = 200 * 1024 * 1024


@admin.display(description=gettext_lazy("geometry"))
def geometry_summary(geometry: BaseGeometry | None) -> str:
    if geometry is None:
        return "—"
    x0, y0, x1, y1 = geometry.bounds
    return _("%(type)s, %(n)d vertices, %(x0).6f, %(y0).6f – %(x1).6f, %(y1).6f") % {
        "type": geometry.geom_type,
        "n": shapely.get_num_coordinates(geometry),
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
    }


class RevisionBumpingAdmin(admin.ModelAdmin):
    """Edits change what lookups and geocoding answer: record a new geography revision."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        GeoRevision.bump()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        GeoRevision.bump()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        GeoRevision.bump()


class BoundaryAdmin(RevisionBumpingAdmin):
    """Territory levels: everything but the boundary is editable; boundaries come by import."""

    readonly_fields = ["boundary_summary"]

    @admin.display(description=gettext_lazy("boundary"))
    def boundary_summary(self, obj: Any) -> str:
        return geometry_summary(obj.boundary)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a new territory unit needs a boundary: import it


class TerritoryImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Territory file"),
        help_text=gettext_lazy("GeoJSON (.geojson, .json) or a zipped Shapefile (.zip)."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only, write nothing"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TERRITORY_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_TERRITORY_FILE_BYTES >> 20}
            )
        return upload


@admin.register(District)
class DistrictAdmin(BoundaryAdmin):
    list_display = ["name", "code"]
    change_list_template = "admin/geo/district/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="geo_district_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (
            request.user.has_perm("geo.change_unitgrid")
            and request.user.has_perm("geo.add_unitgrid")
        ):
            raise PermissionDenied
        report: ImportReport | None = None
        form = TerritoryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = self._run_import(request, form)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the territory"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            # A Counter would answer the template's `.items` lookup with 0: pass pairs.
            "counts": sorted(report.counts.items()) if report else [],
        }
        return TemplateResponse(request, "admin/geo/district/import.html", context)

    def _run_import(self, request: HttpRequest, form: TerritoryImportForm) -> ImportReport | None:
        upload = form.cleaned_data["file"]
        try:
            features = read_territory_file(upload.name, upload.read())
        except TerritoryFileError as error:
            form.add_error("file", str(error))
            return None
        report = import_territory(features, dry_run=form.cleaned_data["dry_run"])
        if report.written:
            messages.success(request, _("The territory was imported."))
        elif report.ok:
            messages.info(request, _("The file passed every check; nothing was written."))
        else:
            messages.error(request, _("The file has errors; nothing was written."))
        return report


@admin.register(Street)
class StreetAdmin(BoundaryAdmin):
    list_display = ["name", "full_code", "kind", "office"]
    list_filter = ["kind"]
    search_fields = ["name", "full_code"]
    fields = ["name", "aliases", "full_code", "kind", "office", "boundary_summary"]
    readonly_fields = ["full_code", "boundary_summary"]


@admin.register(Community)
class CommunityAdmin(BoundaryAdmin):
    list_display = ["name", "full_code", "street"]
    list_filter = ["street"]
    search_fields = ["name", "full_code"]
    fields = ["name", "aliases", "full_code", "street", "boundary_summary"]
    readonly_fields = ["full_code", "street", "boundary_summary"]


@admin.register(UnitGrid)
class UnitGridAdmin(BoundaryAdmin):
    list_display = ["code", "name", "community", "area_m2", "land_use", "management_grade"]
    list_filter = ["community__street", "land_use", "management_grade"]
    search_fields = ["code", "name", "community__name"]
    list_select_related = ["community"]
    fields = [
        "code",
        "name",
        "community",
        "area_m2",
        "land_use",
        "management_grade",
        "start_date",
        "end_date",
        "notes",
        "boundary_summary",
    ]
    readonly_fields = ["code", "community", "area_m2", "boundary_summary"]


@admin.register(InspectorArea)
class InspectorAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "grid_count"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["grids", "inspectors"]

    @admin.display(description=gettext_lazy("unit grids"))
    def grid_count(self, obj: InspectorArea) -> int:
        return obj.grids.count()


class PositionForm(forms.ModelForm):
    """A point entered as longitude/latitude in the coordinate system the user has at hand."""

    lon = forms.FloatField(label=gettext_lazy("longitude"))
    lat = forms.FloatField(label=gettext_lazy("latitude"))
    crs = forms.ChoiceField(
        label=gettext_lazy("coordinate system"),
        choices=[(name, name.upper()) for name in CRS_NAMES],
        initial="wgs84",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.point is not None:
            self.initial.update(lon=self.instance.point.x, lat=self.instance.point.y)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"lon", "lat", "crs"} <= data.keys():
            try:
                lon, lat = to_wgs84(data["lon"], data["lat"], data["crs"])
            except CoordinateError as error:
                raise forms.ValidationError(coordinate_error_text(error)) from None
            self.instance.point = Point(lon, lat)
        return data


@admin.register(Road)
class RoadAdmin(RevisionBumpingAdmin):
    list_display = ["name", "road_class", "aliases"]
    list_filter = ["road_class"]
    search_fields = ["name"]
    readonly_fields = ["line_summary"]
    fields = ["name", "aliases", "road_class", "line_summary"]

    @admin.display(description=gettext_lazy("centre line"))
    def line_summary(self, obj: Road) -> str:
        return geometry_summary(obj.line)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a road needs its centre line: import it


@admin.register(DoorPlate)
class DoorPlateAdmin(RevisionBumpingAdmin):
    form = PositionForm
    list_display = ["__str__", "road", "number"]
    search_fields = ["road__name", "number"]
    autocomplete_fields = ["road"]
    list_select_related = ["road"]
    fields = ["road", "number", "lon", "lat", "crs"]


@admin.register(PointOfInterest)
class PointOfInterestAdmin(RevisionBumpingAdmin):
    form = PositionForm
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]
    fields = ["name", "aliases", "category", "lon", "lat", "crs"]


@admin.register(Place)
class PlaceAdmin(BoundaryAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    fields = ["name", "aliases", "boundary_summary"]
