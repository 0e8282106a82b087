"""The shipped catalogue: `loaded` once per test that asks for it; `catalog_once` once per
module, for modules whose tests only read it or change it inside their own savepoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Case, Channel, Status
from catalog.loading import CURRENT_EDITION, LEGACY_EDITION, load_catalog
from catalog.models import CaseType, FilingCondition
from geo.models import UnitGrid
from geo.territory_import import import_territory
from tests.conftest import rolled_back_at_the_end, settled
from tests.geo.territory import small_territory


@pytest.fixture
def loaded(db: None) -> dict[str, int]:
    return load_catalog()


@pytest.fixture(scope="module")
def catalog_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    with rolled_back_at_the_end(django_db_blocker):
        yield settled(load_catalog())


def type_in(edition: str, kind: str, code: str) -> CaseType:
    return CaseType.objects.get(major__edition__code=edition, major__kind=kind, code=code)


def current(kind: str, code: str) -> CaseType:
    return type_in(CURRENT_EDITION.code, kind, code)


def legacy(kind: str, code: str) -> CaseType:
    return type_in(LEGACY_EDITION.code, kind, code)


def conditions(case_type: CaseType) -> list[FilingCondition]:
    return list(case_type.conditions.order_by("position", "pk"))


def snapshot(edition: str) -> list[tuple[object, ...]]:
    """Every condition of the edition, as stored."""
    return list(
        FilingCondition.objects.filter(case_type__major__edition__code=edition)
        .order_by("case_type__major__kind", "case_type__code", "position", "pk")
        .values_list(
            "pk", "case_type__code", "position", "condition", "urgency", "limit_value",
            "limit_unit", "closing_condition", "responsible_text", "is_default", "source",
        )
    )  # fmt: skip


def case_under(condition: FilingCondition) -> Case:
    """A case filed under the condition (cases protect the conditions they refer to)."""
    if not UnitGrid.objects.exists():
        assert import_territory(small_territory()).ok
    grid = UnitGrid.objects.select_related("community__street").first()
    assert grid is not None
    now = timezone.now()
    return Case.objects.create(
        number="20260000000001", channel=Channel.INSPECTOR, status=Status.FILED,
        case_type=condition.case_type, condition=condition, description="测试",
        grid=grid, community=grid.community, street=grid.community.street,
        step_started_at=now, created_at=now,
    )  # fmt: skip
