"""The catalogue in the JSON API (mounted by config/api.py under /api/v1/catalog): editions, types
and their filing conditions, so that a device can classify a report and find the condition id
that filing (立案) takes."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from catalog.models import CaseType, Edition, FilingCondition, TypeKind
from org.access import actor_for
from org.api import ERRORS, Clean, Named

router = Router(tags=["catalog"])


class EditionOut(Schema):
    code: str
    name: str
    is_current: bool


class TypeFilters(Clean):
    edition: str | None = Field(None, description="edition code; the current edition if empty")
    kind: TypeKind | None = None
    major: str | None = Field(None, description="major class code (大类)")
    q: str | None = Field(None, description="part of the code or the name", max_length=50)


class TypeOut(Schema):
    code: str
    name: str
    kind: str
    major: Named
    edition: str
    is_extension: bool


class ConditionFilters(Clean):
    type: str = Field(description="type code (小类代码)")
    kind: TypeKind | None = Field(None, description="when a code exists for both kinds")
    edition: str | None = Field(None, description="edition code; the current edition if empty")


class ConditionOut(Schema):
    id: int = Field(description="what the file verb takes as `condition`")
    type: str
    kind: str
    condition: str
    area_class: str
    urgency: str
    limit_value: int
    limit_unit: str
    limit: str = Field(description="the limit in words, in the language of the request")
    closing_condition: str


@router.get("/editions", response={200: list[EditionOut], **ERRORS}, summary="Editions")
def list_editions(request: HttpRequest) -> list[EditionOut]:
    actor_for(request)
    return [
        EditionOut(code=e.code, name=e.name, is_current=e.is_current) for e in Edition.objects.all()
    ]


def _in_edition(edition: str | None, prefix: str = "") -> Q:
    if edition:
        return Q(**{f"{prefix}major__edition__code": edition})
    return Q(**{f"{prefix}major__edition__is_current": True})


@router.get("/types", response={200: list[TypeOut], **ERRORS}, summary="Types")
def list_types(request: HttpRequest, filters: Query[TypeFilters]) -> list[TypeOut]:
    """The active types (小类) of an edition, by kind, major class or part of code or name."""
    actor_for(request)
    types = CaseType.objects.filter(_in_edition(filters.edition), is_active=True)
    if filters.kind:
        types = types.filter(major__kind=filters.kind)
    if filters.major:
        types = types.filter(major__code=filters.major)
    if filters.q:
        types = types.filter(Q(code__contains=filters.q) | Q(name__contains=filters.q))
    types = types.select_related("major__edition").order_by("major__kind", "code")
    return [
        TypeOut(
            code=t.code,
            name=t.name,
            kind=t.major.kind,
            major=Named(code=t.major.code, name=t.major.name),
            edition=t.major.edition.code,
            is_extension=t.is_extension,
        )
        for t in types
    ]


@router.get("/conditions", response={200: list[ConditionOut], **ERRORS}, summary="Conditions")
def list_conditions(request: HttpRequest, filters: Query[ConditionFilters]) -> list[ConditionOut]:
    """The filing conditions (立案条件) of a type, with their limits and closing conditions."""
    actor_for(request)
    conditions = FilingCondition.objects.filter(
        _in_edition(filters.edition, "case_type__"),
        case_type__code=filters.type,
        case_type__is_active=True,
    )
    if filters.kind:
        conditions = conditions.filter(case_type__major__kind=filters.kind)
    conditions = conditions.select_related("case_type__major").order_by("case_type", "position")
    return [
        ConditionOut(
            id=c.pk,
            type=c.case_type.code,
            kind=c.case_type.major.kind,
            condition=c.condition,
            area_class=c.area_class,
            urgency=c.urgency,
            limit_value=c.limit_value,
            limit_unit=c.limit_unit,
            limit=f"{c.limit_value} {c.get_limit_unit_display()}",
            closing_condition=c.closing_condition,
        )
        for c in conditions
    ]
