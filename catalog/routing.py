"""Who handles a problem: 先属主、后属地 (owner first, then territory), with the city's rules.

A component problem goes to the component's owner (权属单位); failing that, to the unit a routing
rule names; then to the component's or the type's competent department (主管部门); last to the
street office of the territory. An event goes to the unit a rule names, else to the territory's
street office, else to the type's competent department. The suggestion always says why, so the
dispatcher can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from catalog.models import CaseType, RoutingRule, TypeKind
from geo.lookup import Location, OutsideDistrict, locate
from geo.models import Street
from org.models import Unit


class HasOwner(Protocol):
    """What routing reads of a component (components.models.Component)."""

    @property
    def owner(self) -> Unit | None: ...

    @property
    def department(self) -> Unit | None: ...


@dataclass(frozen=True)
class Suggestion:
    unit: Unit | None
    basis: str  # "owner" | "rule" | "department" | "territory" | "none"
    reason: str
    rule: RoutingRule | None = None


def suggest_unit(
    case_type: CaseType,
    lon: float,
    lat: float,
    *,
    crs: str = "wgs84",
    component: HasOwner | None = None,
) -> Suggestion:
    """The unit to dispatch a problem of `case_type` at a position to, and the reason."""
    try:
        location: Location | None = locate(lon, lat, crs)
    except OutsideDistrict:
        location = None
    if case_type.kind == TypeKind.COMPONENT:
        found = (
            _by_owner(component)
            or _by_rule(case_type, location)
            or _by_department(case_type, component)
            or _by_territory(location)
        )
    else:
        found = (
            _by_rule(case_type, location)
            or _by_territory(location)
            or _by_department(case_type, None)
        )
    if found is not None:
        return found
    return Suggestion(None, "none", _("No owner, rule, department or territory applies."))


def _by_owner(component: HasOwner | None) -> Suggestion | None:
    if component is None or component.owner is None:
        return None
    owner = component.owner
    return Suggestion(
        owner, "owner", _("Owner of the component (权属单位): %(unit)s") % _unit(owner)
    )


def _by_rule(case_type: CaseType, location: Location | None) -> Suggestion | None:
    rules = (
        RoutingRule.objects.filter(case_type=case_type, is_active=True, unit__is_active=True)
        .select_related("unit", "street", "community")
        .prefetch_related("grids")
    )
    matching = [rule for rule in rules if _scope_matches(rule, location)]
    if not matching:
        return None
    rule = min(matching, key=lambda r: (r.priority, _narrowness(r), r.pk))
    reason = _("Routing rule %(number)d (%(scope)s): %(type)s → %(unit)s") % {
        "number": rule.pk,
        "scope": scope_text(rule),
        "type": case_type.name,
        "unit": rule.unit.name,
    }
    return Suggestion(rule.unit, "rule", reason, rule)


def _scope_matches(rule: RoutingRule, location: Location | None) -> bool:
    grid_ids = {grid.pk for grid in rule.grids.all()}
    if grid_ids:
        return location is not None and location.grid_id in grid_ids
    if rule.community_id is not None:
        return location is not None and location.community_id == rule.community_id
    if rule.street_id is not None:
        return location is not None and location.street_id == rule.street_id
    return True


def _narrowness(rule: RoutingRule) -> int:
    """0 for a set of grids, 1 a community, 2 a street, 3 the whole district."""
    if rule.grids.all():
        return 0
    if rule.community_id is not None:
        return 1
    return 2 if rule.street_id is not None else 3


def scope_text(rule: RoutingRule) -> str:
    if rule.grids.all():
        return _("%(n)d unit grids") % {"n": len(rule.grids.all())}
    if rule.community is not None:
        return rule.community.name
    if rule.street is not None:
        return rule.street.name
    return _("whole district")


def _by_department(case_type: CaseType, component: HasOwner | None) -> Suggestion | None:
    if component is not None and component.department is not None:
        unit = component.department
        return Suggestion(
            unit, "department", _("Competent department of the component: %(unit)s") % _unit(unit)
        )
    default = case_type.default_department
    if default is None or not default.is_active:
        return None
    return Suggestion(
        default,
        "department",
        _("Competent department for %(type)s: %(unit)s")
        % {"type": case_type.name, "unit": default.name},
    )


def _by_territory(location: Location | None) -> Suggestion | None:
    if location is None:
        return None
    street = Street.objects.select_related("office").get(pk=location.street_id)
    if street.office is None or not street.office.is_active:
        return None
    return Suggestion(
        street.office,
        "territory",
        _("Territory (属地): %(street)s, unit grid %(grid)s")
        % {"street": street.office.name, "grid": location.grid_code},
    )


def _unit(unit: Unit) -> dict[str, Any]:
    return {"unit": unit.name}
