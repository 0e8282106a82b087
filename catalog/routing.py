"""Who handles a problem: 先属主、后属地 (owner first, then territory), with the city's rules.

A component problem goes to the component's owner (权属单位); failing that, to the unit a routing
rule names; then to the component's or the type's competent department (主管部门); last to the
street office of the territory. An event goes to the unit a rule names, else to the territory's
street office, else to the type's competent department. The suggestion always says why, so the
dispatcher can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

from catalog.models import CaseType, RoutingBasis, RoutingRule, TypeKind
from org.models import Unit


class Area(Protocol):
    """Where a problem lies, as placed when it was reported (geo.lookup.Placement, or the case
    that stored it)."""

    @property
    def grid_id(self) -> int: ...

    @property
    def community_id(self) -> int: ...

    @property
    def street_id(self) -> int: ...

    @property
    def territory_unit_id(self) -> int | None: ...


class HasOwner(Protocol):
    """What routing reads of a component (components.models.Component)."""

    @property
    def owner(self) -> Unit | None: ...

    @property
    def department(self) -> Unit | None: ...


@dataclass(frozen=True)
class Suggestion:
    unit: Unit | None
    basis: str  # a RoutingBasis
    rule: RoutingRule | None = None


def suggest_unit(
    case_type: CaseType, placement: Area | None, *, component: HasOwner | None = None
) -> Suggestion:
    """The unit to dispatch a problem of `case_type` at `placement` to (None: outside the
    district), and on what basis."""
    if case_type.kind == TypeKind.COMPONENT:
        found = (
            _by_owner(component)
            or _by_rule(case_type, placement)
            or _by_department(case_type, component)
            or _by_territory(placement)
        )
    else:
        found = (
            _by_rule(case_type, placement)
            or _by_territory(placement)
            or _by_department(case_type, None)
        )
    return found or Suggestion(None, RoutingBasis.NONE)


def explain(
    basis: str, unit: Unit | None, rule: RoutingRule | None, *, type_name: str, grid_code: str
) -> str:
    """Why routing suggested `unit`, in the user's language (from what the case stores)."""
    name = unit.name if unit is not None else ""
    if basis == RoutingBasis.OWNER:
        return _("Owner of the component (权属单位): %(unit)s") % {"unit": name}
    if basis == RoutingBasis.RULE and rule is not None:
        return _("Routing rule %(number)d (%(scope)s): %(type)s → %(unit)s") % {
            "number": rule.pk,
            "scope": scope_text(rule),
            "type": type_name,
            "unit": name,
        }
    if basis == RoutingBasis.DEPARTMENT:
        return _("Competent department for %(type)s: %(unit)s") % {"type": type_name, "unit": name}
    if basis == RoutingBasis.TERRITORY:
        return _("Territory (属地): %(street)s, unit grid %(grid)s") % {
            "street": name,
            "grid": grid_code,
        }
    return _("No owner, rule, department or territory applies.")


def _by_owner(component: HasOwner | None) -> Suggestion | None:
    if component is None or component.owner is None or not component.owner.is_active:
        return None
    return Suggestion(component.owner, RoutingBasis.OWNER)


def _by_rule(case_type: CaseType, placement: Area | None) -> Suggestion | None:
    rules = (
        RoutingRule.objects.filter(case_type=case_type, is_active=True, unit__is_active=True)
        .select_related("unit", "street", "community")
        .prefetch_related("grids")
    )
    matching = [rule for rule in rules if _scope_matches(rule, placement)]
    if not matching:
        return None
    rule = min(matching, key=lambda r: (r.priority, _narrowness(r), r.pk))
    return Suggestion(rule.unit, RoutingBasis.RULE, rule)


def _scope_matches(rule: RoutingRule, placement: Area | None) -> bool:
    grid_ids = {grid.pk for grid in rule.grids.all()}
    if grid_ids:
        return placement is not None and placement.grid_id in grid_ids
    if rule.community_id is not None:
        return placement is not None and placement.community_id == rule.community_id
    if rule.street_id is not None:
        return placement is not None and placement.street_id == rule.street_id
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
    department = component.department if component is not None else None
    if department is not None and department.is_active:
        return Suggestion(department, RoutingBasis.DEPARTMENT)
    default = case_type.default_department
    if default is None or not default.is_active:
        return None
    return Suggestion(default, RoutingBasis.DEPARTMENT)


def _by_territory(placement: Area | None) -> Suggestion | None:
    if placement is None or placement.territory_unit_id is None:
        return None
    office = Unit.objects.filter(pk=placement.territory_unit_id, is_active=True).first()
    return Suggestion(office, RoutingBasis.TERRITORY) if office is not None else None
