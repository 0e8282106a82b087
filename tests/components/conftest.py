"""A small catalogue (one type or two of each edition), the 16-grid territory of tests/geo and
the personas' units."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from catalog.models import CaseType, Edition, MajorClass, TypeKind
from geo.models import UnitGrid
from geo.territory_import import import_territory
from tests.conftest import Org
from tests.geo.territory import small_territory

# Inside the small territory: street 001 / community 001 / grid 003, and street 002's east.
WEST = (106.3005, 26.6005)
EAST = (106.3035, 26.6035)
OUTSIDE = (106.31, 26.61)


@dataclass
class Catalog:
    legacy: Edition
    current: Edition
    cover: CaseType  # legacy 0101 上水井盖, competent department: department A
    lamp: CaseType  # legacy 0118 路灯, no competent department
    supply_cover: CaseType  # GB/T 47678.5 01001 供水井盖
    event: CaseType  # legacy event 0101 私搭乱建


def _major(edition: Edition, kind: str, code: str, name: str) -> MajorClass:
    return MajorClass.objects.create(edition=edition, kind=kind, code=code, name=name)


@pytest.fixture
def catalog(org: Org) -> Catalog:
    legacy = Edition.objects.create(code="cjt214-2007", name="CJ/T 214-2007", type_code_length=4)
    current = Edition.objects.create(
        code="gbt47678-2026", name="GB/T 47678.5-2026", type_code_length=5, is_current=True
    )
    public = _major(legacy, TypeKind.COMPONENT, "01", "公用设施类")
    supply = _major(current, TypeKind.COMPONENT, "01", "市政公用设施")
    events = _major(legacy, TypeKind.EVENT, "01", "市容环境")
    return Catalog(
        legacy,
        current,
        CaseType.objects.create(
            major=public, code="0101", name="上水井盖", default_department=org.department_a
        ),
        CaseType.objects.create(major=public, code="0118", name="路灯"),
        CaseType.objects.create(major=supply, code="01001", name="供水井盖"),
        CaseType.objects.create(major=events, code="0101", name="私搭乱建"),
    )


@pytest.fixture
def territory(db: None) -> None:
    assert import_territory(small_territory()).ok
    assert UnitGrid.objects.count() == 16
