"""The catalogue as Open311 services: each active type of the current edition is a service.

Service codes. A component type and an event type may share a numeric code (GB/T 47678.5 has
01001 供水井盖 and 01001 供水井盖异常), so a service code is the type's kind and code joined by a
hyphen: `component-01001`, `event-01001`. The group is the major class's name (大类).

Service definitions carry the type's filing conditions (立案条件) as a singlevaluelist named
`condition`, keyed 1, 2, … in the catalogue's order, each with its handling limit; a component
type also takes the component's identifier (部件标识码) as the string attribute `component_id`.
Every attribute is optional: the shift leader decides the condition when filing the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from catalog.models import CaseType, FilingCondition, TypeKind, Urgency
from components.models import Component
from org.access import Refusal

CONDITION = "condition"
COMPONENT_ID = "component_id"
ATTRIBUTE_MAX = 200  # characters of one attribute value


@dataclass(frozen=True)
class Value:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    datatype_description: str
    order: int
    values: tuple[Value, ...] = ()
    variable: bool = True
    required: bool = False


@dataclass(frozen=True)
class Service:
    case_type: CaseType
    attributes: tuple[Attribute, ...] = field(default=())
    has_attributes: bool = False  # listed without its attributes: whether it has any

    @property
    def code(self) -> str:
        return service_code(self.case_type)

    @property
    def keywords(self) -> str:
        major = self.case_type.major
        return ", ".join([str(TypeKind(major.kind).label), major.name, self.case_type.code])


def service_code(case_type: CaseType) -> str:
    return f"{case_type.major.kind}-{case_type.code}"


def _current_types() -> Any:
    return CaseType.objects.filter(major__edition__is_current=True, is_active=True).select_related(
        "major"
    )


def all_services() -> list[Service]:
    """Every active type of the current edition, in one query; a component type always has
    an attribute (its identifier), an event type when it has filing conditions."""
    conditions = FilingCondition.objects.filter(case_type=OuterRef("pk"))
    types = _current_types().annotate(has_conditions=Exists(conditions))
    return [
        Service(t, has_attributes=t.has_conditions or t.major.kind == TypeKind.COMPONENT)
        for t in types.order_by("major__kind", "code")
    ]


def find_service(code: str) -> Service:
    """The service of a code, or a 404 refusal."""
    kind, _dash, type_code = code.partition("-")
    case_type = None
    if kind in TypeKind.values and type_code.isdigit():
        conditions = FilingCondition.objects.order_by("position", "id")
        found = _current_types().filter(major__kind=kind, code=type_code)
        case_type = found.prefetch_related(Prefetch("conditions", queryset=conditions)).first()
    if case_type is None:
        raise Refusal(
            "unknown_service",
            _("There is no service %(code)s: the services list names them.") % {"code": code},
            404,
        )
    attributes = attributes_of(case_type)
    return Service(case_type, attributes, has_attributes=bool(attributes))


def attributes_of(case_type: CaseType) -> tuple[Attribute, ...]:
    attributes = []
    if case_type.major.kind == TypeKind.COMPONENT:
        attributes.append(_component_attribute())
    conditions = list(case_type.conditions.all())
    if conditions:
        attributes.append(_condition_attribute(conditions, order=len(attributes) + 1))
    return tuple(attributes)


def _component_attribute() -> Attribute:
    return Attribute(
        code=COMPONENT_ID,
        datatype="string",
        description=_(
            "Component identifier (部件标识码) as written on the component's plate, if it has one."
        ),
        datatype_description=_("16 or 17 digits"),
        order=1,
    )


def _condition_attribute(conditions: list[FilingCondition], *, order: int) -> Attribute:
    values = tuple(
        Value(str(n), f"{c.condition} ({limit_words(c)})")
        for n, c in enumerate(conditions, start=1)
    )
    listed = "; ".join(f"{v.key}: {v.name}" for v in values)
    return Attribute(
        code=CONDITION,
        datatype="singlevaluelist",
        description=_(
            "Filing condition (立案条件) that fits the problem, with its handling time limit: "
            "%(conditions)s."
        )
        % {"conditions": listed},
        datatype_description=_("The key of one condition"),
        order=order,
        values=values,
    )


def limit_words(condition: FilingCondition) -> str:
    words = f"{condition.limit_value} {condition.get_limit_unit_display()}"
    if condition.urgency == Urgency.URGENT:
        return _("%(limit)s, urgent") % {"limit": words}
    return words


@dataclass(frozen=True)
class Chosen:
    """Attribute values checked against a service's definition: what is stored with the
    request, and the component the case names."""

    values: dict[str, str]
    component: Component | None = None


def check_attributes(service: Service, given: dict[str, str]) -> Chosen:
    """The posted attribute[...] values, each checked against the definition; a refusal names
    the first wrong one."""
    known = {a.code: a for a in service.attributes}
    for code in given:
        if code not in known:
            raise Refusal(
                "unknown_attribute",
                _("Service %(service)s has no attribute %(code)s.")
                % {"service": service.code, "code": code},
            )
    values: dict[str, str] = {}
    component = None
    for attribute in service.attributes:
        value = given.get(attribute.code, "").strip()
        if not value:
            if attribute.required:
                raise Refusal(
                    "attribute_required",
                    _("Attribute %(code)s is required.") % {"code": attribute.code},
                )
            continue
        if len(value) > ATTRIBUTE_MAX:
            raise _bad_value(attribute, value)
        if attribute.values and value not in {v.key for v in attribute.values}:
            raise _bad_value(attribute, value)
        if attribute.code == COMPONENT_ID:
            component = _component(service.case_type, value)
        values[attribute.code] = value
        if attribute.code == CONDITION:
            values["condition_text"] = next(v.name for v in attribute.values if v.key == value)
    return Chosen(values, component)


def _bad_value(attribute: Attribute, value: str) -> Refusal:
    keys = ", ".join(v.key for v in attribute.values)
    message = _("Attribute %(code)s cannot be %(value)s.") % {
        "code": attribute.code,
        "value": repr(value[:40]),
    }
    if keys:
        message += " " + _("Choose one of: %(keys)s.") % {"keys": keys}
    return Refusal("bad_attribute", message)


def _component(case_type: CaseType, identifier: str) -> Component:
    found = Component.objects.filter(identifier=identifier).select_related("case_type").first()
    if found is None or found.case_type_id != case_type.pk:
        raise Refusal(
            "unknown_component",
            _("There is no %(type)s with the identifier %(identifier)s.")
            % {"type": case_type.name, "identifier": identifier},
        )
    return found
