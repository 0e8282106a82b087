"""Types by their code, kept per process: every report names one, and the catalogue changes
seldom (any save of an edition, a major class or a type drops this process's copy). And the
current type of a legacy code, through the crosswalk (catalog.models.Crosswalk)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models.signals import post_delete, post_save

from catalog.models import CaseType, Crosswalk, Edition, MajorClass
from lib.cache import PerProcess

type ByCode = dict[tuple[str, str], list[CaseType]]  # (edition code, type code) → types


def _load() -> tuple[str | None, ByCode]:
    current = Edition.objects.filter(is_current=True).values_list("code", flat=True).first()
    found: ByCode = defaultdict(list)
    for case_type in CaseType.objects.filter(is_active=True).select_related("major__edition"):
        found[(case_type.major.edition.code, case_type.code)].append(case_type)
    return current, dict(found)


_types = PerProcess(_load)
for _model in (Edition, MajorClass, CaseType):
    post_save.connect(_types.forget, sender=_model, dispatch_uid=f"forget-types-{_model.__name__}")
    post_delete.connect(
        _types.forget, sender=_model, dispatch_uid=f"forget-types-d-{_model.__name__}"
    )


def types_with_code(
    code: str, *, edition: str | None = None, kind: str | None = None
) -> list[CaseType]:
    """The active types with this code in `edition` (the current one if None), of `kind` if
    given: one, or two when a code exists for components and for events (GB/T 47678.5)."""
    current, by_code = _types.get()
    found = by_code.get((edition or current or "", code), [])
    return [t for t in found if kind is None or t.major.kind == kind]


def forget_types() -> None:
    _types.forget()


class NoEquivalent(LookupError):
    """The legacy type has no GB/T 47678.5 equivalent (a reviewed "no equivalent" row)."""


def crosswalk_for(kind: str) -> dict[str, CaseType | None]:
    """Legacy code → its current type (None: no equivalent), for one kind."""
    rows = Crosswalk.objects.filter(legacy_type__major__kind=kind).select_related(
        "legacy_type", "current_type__major__edition"
    )
    return {row.legacy_type.code: row.current_type for row in rows}


def current_type_for(legacy_code: str, *, kind: str) -> CaseType | None:
    """The GB/T 47678.5 type a CJ/T 214-2007 code becomes. None when the code is not in the
    crosswalk; NoEquivalent when the crosswalk says the current edition has none. `kind` is
    needed: legacy component and event codes overlap (0101 上水井盖, 0101 私搭乱建)."""
    row = (
        Crosswalk.objects.filter(legacy_type__code=legacy_code, legacy_type__major__kind=kind)
        .select_related("current_type__major__edition")
        .first()
    )
    if row is None:
        return None
    if row.current_type is None:
        raise NoEquivalent(legacy_code)
    return row.current_type
