"""Types by their code, kept per process: every report names one, and the catalogue changes
seldom (any save of an edition, a major class or a type drops this process's copy)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models.signals import post_delete, post_save

from catalog.models import CaseType, Edition, MajorClass
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
