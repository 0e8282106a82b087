"""What every router of the JSON API shares (the error body, references to units) and the
organisation's own endpoints: the units a case can be dispatched to and the inspectors on duty,
so that a device can fill in a verb's body."""

from __future__ import annotations

from typing import Any, Final

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from lib.text import has_control_characters
from org.access import actor_for
from org.models import Membership, Unit, UnitKind
from org.roles import Role

STATUS_CODES: Final = (400, 401, 403, 404, 409, 413, 415, 422)


class Clean(Schema):
    """Input whose every text is free of control characters (a NUL cannot even be stored)."""

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and has_control_characters(text) for text in texts):
            raise PydanticCustomError("control_characters", "text holds control characters")
        return value


class In(Clean):
    """A request body: unknown fields are refused, so a misspelt optional field ("reasn") is
    an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Schema):
    field: str = Field(description="dotted path of the field, e.g. body.minutes")
    code: str = Field(description="pydantic's error type, e.g. missing, int_parsing")
    message: str = Field(description="in the language of the request")


class ErrorBody(Schema):
    code: str = Field(description="stable, for machines: e.g. wrong_role, invalid_transition")
    message: str = Field(description="for people, in the language of the request")
    fields: list[FieldError] | None = None
    case: str | None = Field(None, description="request_id_reused: the case the id made first")


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(STATUS_CODES, ErrorOut)


class Named(Schema):
    code: str
    name: str


def named(unit: Unit | None) -> Named | None:
    return Named(code=unit.code, name=unit.name) if unit is not None else None


router = Router(tags=["organisation"])


class UnitOut(Named):
    kind: str
    kind_label: str
    parent: str | None = Field(description="code of the parent unit (a team's unit)")


class UnitFilters(Clean):
    kind: list[UnitKind] | None = Field(None, description="one or more kinds of unit")


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="Units")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> list[UnitOut]:
    """The active units, by kind: departments and street offices receive dispatched cases,
    teams are assigned by their unit."""
    actor_for(request)
    units = Unit.objects.active().select_related("parent").order_by("kind", "code")
    if filters.kind:
        units = units.filter(kind__in=filters.kind)
    return [
        UnitOut(
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            kind_label=str(unit.get_kind_display()),
            parent=unit.parent.code if unit.parent else None,
        )
        for unit in units
    ]


class InspectorOut(Schema):
    username: str
    name: str
    unit: Named


@router.get("/inspectors", response={200: list[InspectorOut], **ERRORS}, summary="Inspectors")
def list_inspectors(request: HttpRequest) -> list[InspectorOut]:
    """The inspectors on duty, who can be sent verify (核实) and check (核查) tasks."""
    actor_for(request)
    posts = (
        Membership.objects.active()
        .filter(role=Role.INSPECTOR)
        .select_related("person__user", "unit")
        .order_by("person__user__username")
    )
    return [
        InspectorOut(
            username=post.person.user.username,
            name=post.person.name,
            unit=Named(code=post.unit.code, name=post.unit.name),
        )
        for post in posts
    ]
