"""A stand-in for catalog.loading in the demo tests: the legacy types the demo uses, made with
the ORM, so these tests do not depend on the catalogue files."""

from __future__ import annotations

import sys
import types

import pytest

from catalog.models import CaseType, Edition, MajorClass, TypeKind
from simulate.demo_components import LEGACY_EDITION, RULES


def load_legacy_catalogue() -> None:
    edition, _ = Edition.objects.get_or_create(
        code=LEGACY_EDITION, defaults={"name": "CJ/T 214-2007", "type_code_length": 4}
    )
    for rule in RULES:
        major, _ = MajorClass.objects.get_or_create(
            edition=edition, kind=TypeKind.COMPONENT, code=rule.code[:2],
            defaults={"name": f"大类{rule.code[:2]}"},
        )  # fmt: skip
        CaseType.objects.get_or_create(major=major, code=rule.code, defaults={"name": rule.name})


def use_stand_in_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("catalog.loading")
    module.load_catalog = load_legacy_catalogue  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "catalog.loading", module)
