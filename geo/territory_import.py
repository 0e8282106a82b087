"""Validate a territory file and import it all-or-nothing.

The report lists every problem with the feature, code and rule it breaks. Errors stop the
import (nothing is written); warnings (a grid far from 10,000 m², a missing name) do not.
Existing rows are updated by code, so cases and components that point at a grid keep it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from geo.messages import grid_code_error_text
from geo.models import (
    Community,
    District,
    GeoRevision,
    LandUse,
    ManagementGrade,
    Street,
    StreetKind,
    UnitGrid,
)
from geo.signals import territory_replaced
from geo.territory_file import LEVELS, TerritoryFeature
from lib.coords import gk_zone_epsg, to_metres
from lib.gridcodes import GridCodeError, normalize_grid_code, validate_district_code
from org.models import Unit

CODE_LENGTHS = {"district": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL = {"street": "district", "community": "street", "grid": "community"}
TYPICAL_GRID_M2 = (3_000.0, 30_000.0)  # the 万米单元网格 method aims at ~10,000 m²
AREA_TOLERANCE_M2 = 1.0


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" or "warning"
    message: str
    code: str = ""
    number: int = 0


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str, feature: TerritoryFeature | None = None) -> None:
        self.problems.append(_problem("error", message, feature))

    def warn(self, message: str, feature: TerritoryFeature | None = None) -> None:
        self.problems.append(_problem("warning", message, feature))


def _problem(severity: str, message: str, feature: TerritoryFeature | None) -> Problem:
    if feature is None:
        return Problem(severity, message)
    return Problem(severity, message, feature.code, feature.number)


# -- validation -----------------------------------------------------------------------------


def validate_territory(features: list[TerritoryFeature]) -> tuple[ImportReport, dict[str, Any]]:
    """Check codes, hierarchy and geometry; returns the report and the metric geometries."""
    report = ImportReport()
    by_code: dict[str, TerritoryFeature] = {}
    for feature in features:
        if _check_feature(feature, report) and _check_unique(feature, by_code, report):
            by_code[feature.code] = feature
            report.counts[feature.level] += 1
    districts = [f for f in by_code.values() if f.level == "district"]
    if len(districts) != 1:
        report.error(
            _("A territory file holds exactly one district; found %(n)d.") % {"n": len(districts)}
        )
        return report, {}
    _check_parents(by_code, report)
    metres = _project(by_code, districts[0])
    _check_geometry(by_code, metres, report)
    return report, metres


def _check_feature(feature: TerritoryFeature, report: ImportReport) -> bool:
    if feature.level not in LEVELS:
        report.error(
            _("Feature %(n)d has level %(level)r; use district, street, community or grid.")
            % {"n": feature.number, "level": feature.level},
            feature,
        )
        return False
    if not _check_code(feature, report):
        return False
    if not feature.name:
        report.warn(_("%(code)s has no name.") % {"code": feature.code}, feature)
    geometry = feature.geometry
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        report.error(
            _("%(code)s is a %(type)s, not a polygon.")
            % {"code": feature.code, "type": geometry.geom_type},
            feature,
        )
        return False
    if not geometry.is_valid:
        report.error(
            _("%(code)s has an invalid polygon: %(reason)s")
            % {"code": feature.code, "reason": shapely.is_valid_reason(geometry)},
            feature,
        )
        return False
    x0, y0, x1, y1 = geometry.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        report.error(
            _("%(code)s is not in longitude/latitude (CGCS2000 or WGS84 degrees).")
            % {"code": feature.code},
            feature,
        )
        return False
    return feature.level != "grid" or _check_grid_attributes(feature, report)


def _check_code(feature: TerritoryFeature, report: ImportReport) -> bool:
    try:
        if feature.level == "grid":
            feature.code = normalize_grid_code(feature.code)
        elif feature.level == "district":
            validate_district_code(feature.code)
        elif (
            len(feature.code) != CODE_LENGTHS[feature.level]
            or not feature.code.isascii()
            or not feature.code.isdigit()
        ):
            raise GridCodeError(
                feature.code,
                _("a %(level)s code has %(n)d digits")
                % {"level": feature.level, "n": CODE_LENGTHS[feature.level]},
            )
        elif feature.code.endswith("000"):
            raise GridCodeError(feature.code, _("the last three digits cannot be 000"))
    except GridCodeError as error:
        text = grid_code_error_text(error)
        report.error(_("Feature %(n)d: %(error)s") % {"n": feature.number, "error": text}, feature)
        return False
    return True


def _check_grid_attributes(feature: TerritoryFeature, report: ImportReport) -> bool:
    attrs = feature.attributes
    good = True
    choices = {"land_use": LandUse.values, "management_grade": ManagementGrade.values}
    for name, allowed in choices.items():
        if name in attrs and str(attrs[name]) not in allowed:
            report.error(
                _("%(code)s: %(field)s %(value)r is not one of %(allowed)s")
                % {
                    "code": feature.code,
                    "field": name,
                    "value": attrs[name],
                    "allowed": ", ".join(allowed),
                },
                feature,
            )
            good = False
    for name in ("start_date", "end_date"):
        if name in attrs:
            try:
                attrs[name] = date.fromisoformat(str(attrs[name]).replace("/", "-"))
            except ValueError:
                report.error(
                    _("%(code)s: %(field)s %(value)r is not a date (YYYY-MM-DD or YYYYMMDD).")
                    % {"code": feature.code, "field": name, "value": attrs[name]},
                    feature,
                )
                good = False
    return good


def _check_unique(
    feature: TerritoryFeature, seen: dict[str, TerritoryFeature], report: ImportReport
) -> bool:
    if feature.code in seen:
        report.error(
            _("%(code)s appears twice (features %(a)d and %(b)d).")
            % {"code": feature.code, "a": seen[feature.code].number, "b": feature.number},
            feature,
        )
        return False
    return True


def _check_parents(by_code: dict[str, TerritoryFeature], report: ImportReport) -> None:
    for feature in list(by_code.values()):
        parent_level = PARENT_LEVEL.get(feature.level)
        if parent_level is None:
            continue
        parent_code = feature.code[: CODE_LENGTHS[parent_level]]
        parent = by_code.get(parent_code)
        if parent is None or parent.level != parent_level:
            report.error(
                _("%(code)s belongs to %(level)s %(parent)s, which is not in the file.")
                % {"code": feature.code, "level": parent_level, "parent": parent_code},
                feature,
            )
            del by_code[feature.code]


def _project(by_code: dict[str, TerritoryFeature], district: TerritoryFeature) -> dict[str, Any]:
    epsg = gk_zone_epsg(district.geometry.centroid.x)
    return {code: to_metres(f.geometry, epsg) for code, f in by_code.items()}


def _check_geometry(
    by_code: dict[str, TerritoryFeature], metres: dict[str, Any], report: ImportReport
) -> None:
    for child_level, parent_level in PARENT_LEVEL.items():
        children = [f for f in by_code.values() if f.level == child_level]
        for child in children:
            parent = child.code[: CODE_LENGTHS[parent_level]]
            outside = shapely.difference(metres[child.code], metres[parent]).area
            if outside > max(AREA_TOLERANCE_M2, 1e-4 * metres[child.code].area):
                report.error(
                    _("%(code)s extends %(area).0f m² outside its %(level)s %(parent)s.")
                    % {
                        "code": child.code,
                        "area": outside,
                        "level": parent_level,
                        "parent": parent,
                    },
                    child,
                )
        _check_overlaps(children, metres, report)
        _check_coverage(child_level, children, by_code, metres, report)
    for grid in (f for f in by_code.values() if f.level == "grid"):
        area = metres[grid.code].area
        if not TYPICAL_GRID_M2[0] <= area <= TYPICAL_GRID_M2[1]:
            report.warn(
                _("%(code)s covers %(area).0f m², far from the method's ~10,000 m².")
                % {"code": grid.code, "area": area},
                grid,
            )


def _check_overlaps(
    features: list[TerritoryFeature], metres: dict[str, Any], report: ImportReport
) -> None:
    if len(features) < 2:
        return
    shapes = [metres[f.code] for f in features]
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a < b:
            shared = shapely.intersection(shapes[a], shapes[b]).area
            if shared > AREA_TOLERANCE_M2:
                report.error(
                    _("%(a)s and %(b)s overlap by %(area).0f m².")
                    % {"a": features[a].code, "b": features[b].code, "area": shared},
                    features[b],
                )


def _check_coverage(
    level: str,
    children: list[TerritoryFeature],
    by_code: dict[str, TerritoryFeature],
    metres: dict[str, Any],
    report: ImportReport,
) -> None:
    """Children must cover their parent without gaps (无缝拼接)."""
    parent_level = PARENT_LEVEL[level]
    groups: dict[str, list[Any]] = {}
    for child in children:
        groups.setdefault(child.code[: CODE_LENGTHS[parent_level]], []).append(metres[child.code])
    for parent_code, feature in ((c, f) for c, f in by_code.items() if f.level == parent_level):
        covered = shapely.union_all(groups.get(parent_code, []))
        gap = shapely.difference(metres[parent_code], covered)
        if gap.area > AREA_TOLERANCE_M2:
            report.error(
                _(
                    "Features of level %(level)s leave %(area).0f m² of %(parent)s uncovered "
                    "(largest gap near x=%(x).0f, y=%(y).0f m)."
                )
                % {
                    "level": level,
                    "area": gap.area,
                    "parent": parent_code,
                    "x": gap.representative_point().x,
                    "y": gap.representative_point().y,
                },
                feature,
            )


# -- import ---------------------------------------------------------------------------------


def import_territory(
    features: list[TerritoryFeature],
    *,
    dry_run: bool = False,
    offices: dict[str, Unit] | None = None,
) -> ImportReport:
    """Validate, then write everything or nothing. `offices` maps a 9-digit street code to
    the street office answering for it."""
    report, metres = validate_territory(features)
    if not report.ok or dry_run:
        return report
    with transaction.atomic():
        _write(features, metres, offices or {})
        GeoRevision.bump()
        territory_replaced.send(sender=import_territory, revision=GeoRevision.current())
    report.written = True
    return report


GRID_ATTRIBUTES = ("land_use", "management_grade", "start_date", "end_date", "notes")


def stored_as(features: list[TerritoryFeature], offices: dict[str, Unit] | None = None) -> bool:
    """Whether the territory stored is exactly `features` (and `offices`): importing them again
    would write the same rows. Any difference, however small, answers False."""
    offices = offices or {}
    return _described(features, offices) == _stored(named=offices.keys())


def _described(features: list[TerritoryFeature], offices: dict[str, Unit]) -> set[tuple[Any, ...]]:
    rows: set[tuple[Any, ...]] = set()
    for f in features:
        shape = shapely.to_wkb(f.geometry)
        if f.level == "street":
            kind = f.attributes.get("kind") or _street_kind(f.code)
            office = offices[f.code].pk if f.code in offices else None
            rows.add(("street", f.code, f.name, shape, kind, office))
        elif f.level == "grid":
            values = tuple(f.attributes.get(name) or None for name in GRID_ATTRIBUTES)
            rows.add(("grid", f.code, f.name, shape, *values))
        else:
            rows.add((f.level, f.code, f.name, shape))
    return rows


def _stored(named: Collection[str]) -> set[tuple[Any, ...]]:
    """The stored territory as _described writes it. A street's office is compared only
    where the import names one: elsewhere an import keeps whatever office it has."""
    rows: set[tuple[Any, ...]] = set()
    for code, name, shape in District.objects.values_list("code", "name", "boundary"):
        rows.add(("district", code, name, shapely.to_wkb(shape)))
    streets = Street.objects.values_list("full_code", "name", "boundary", "kind", "office")
    for code, name, shape, kind, office in streets:
        named_office = office if code in named else None
        rows.add(("street", code, name, shapely.to_wkb(shape), kind, named_office))
    communities = Community.objects.values_list("full_code", "name", "boundary")
    for code, name, shape in communities:
        rows.add(("community", code, name, shapely.to_wkb(shape)))
    for code, name, shape, *values in UnitGrid.objects.values_list(
        "code", "name", "boundary", *GRID_ATTRIBUTES
    ):
        rows.add(("grid", code, name, shapely.to_wkb(shape), *(v or None for v in values)))
    return rows


def _write(
    features: list[TerritoryFeature], metres: dict[str, Any], offices: dict[str, Unit]
) -> None:
    levels: dict[str, list[TerritoryFeature]] = {level: [] for level in LEVELS}
    for feature in features:
        levels[feature.level].append(feature)
    district_feature = levels["district"][0]
    district, _created = District.objects.update_or_create(
        code=district_feature.code,
        defaults={"name": district_feature.name, "boundary": district_feature.geometry},
    )
    streets = _upsert_streets(district, levels["street"], offices)
    communities = Community.objects.bulk_create(
        [
            Community(
                street=streets[f.code[:9]],
                full_code=f.code,
                code=f.code[9:],
                name=f.name,
                boundary=f.geometry,
            )
            for f in levels["community"]
        ],
        update_conflicts=True,
        unique_fields=["full_code"],
        update_fields=["street", "code", "name", "boundary"],
    )
    community_of = {c.full_code: c for c in communities}  # each with its id, new or kept
    grids = [
        UnitGrid(
            community=community_of[f.code[:12]],
            code=f.code,
            sequence=int(f.code[12:]),
            name=f.name,
            area_m2=round(metres[f.code].area, 1),
            boundary=f.geometry,
            **{k: v for k, v in f.attributes.items() if k != "kind"},
        )
        for f in levels["grid"]
    ]
    UnitGrid.objects.bulk_create(
        grids,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "community",
            "sequence",
            "name",
            "area_m2",
            "boundary",
            "land_use",
            "management_grade",
            "start_date",
            "end_date",
            "notes",
        ],
    )


def _upsert_streets(
    district: District, features: list[TerritoryFeature], offices: dict[str, Unit]
) -> dict[str, Street]:
    """Each street inserted or updated in place, by full code; its office changed only where
    `offices` names one (a street left out keeps the office it has)."""
    fields = ["district", "code", "name", "kind", "boundary"]
    streets = [
        Street(
            district=district,
            full_code=f.code,
            code=f.code[6:],
            name=f.name,
            kind=f.attributes.get("kind") or _street_kind(f.code),
            boundary=f.geometry,
            office=offices.get(f.code),
        )
        for f in features
    ]
    named = [s for s in streets if s.full_code in offices]
    others = [s for s in streets if s.full_code not in offices]
    for chosen, updated in ((named, [*fields, "office"]), (others, fields)):
        Street.objects.bulk_create(
            chosen, update_conflicts=True, unique_fields=["full_code"], update_fields=updated
        )
    return {s.full_code: s for s in streets}  # bulk_create set each one's id, new or kept


def _street_kind(full_code: str) -> str:
    # Statistical division codes number street offices 001–099 and towns/townships from 100.
    return StreetKind.STREET if full_code[6:] < "100" else StreetKind.TOWNSHIP
