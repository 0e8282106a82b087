"""lib.bulk.insert_new: the same rows as bulk_create would store, on either database."""

from __future__ import annotations

from datetime import date

import pytest
from shapely import Point

from components.models import Component, ComponentStatus
from lib.bulk import insert_new
from tests.components.conftest import WEST, Catalog
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def new_component(catalog: Catalog, org: Org, serial: int, **fields: object) -> Component:
    return Component(
        department=org.department_a,
        identifier=f"52019901001{serial:06d}", case_type=catalog.supply_cover, name="供水井盖",
        point=Point(*WEST), status=ComponentStatus.INTACT, **fields,
    )  # fmt: skip


def test_the_rows_are_stored_as_bulk_create_would_store_them(catalog: Catalog, org: Org) -> None:
    attributes = {"材质": "铸铁", "quote": 'it\'s "quoted"\ttabbed\nnewline\\'}
    made = [
        new_component(catalog, org, 1, attributes=attributes, initial_date=date(2026, 1, 2)),
        new_component(catalog, org, 2, notes="", location_text="中山路 12 号"),
    ]
    assert insert_new(Component, (c for c in made), batch_size=1) == 2
    stored = {c.identifier: c for c in Component.objects.all()}
    first, second = stored["52019901001000001"], stored["52019901001000002"]
    assert first.attributes == attributes and first.initial_date == date(2026, 1, 2)
    assert first.point.equals(Point(*WEST)) and first.case_type == catalog.supply_cover
    assert second.location_text == "中山路 12 号" and second.attributes == {}
    assert second.initial_date is not None  # the field's default, as on save
    assert first.pk != second.pk


def test_nothing_to_insert_inserts_nothing(catalog: Catalog, org: Org) -> None:
    assert insert_new(Component, [], batch_size=10) == 0
    assert not Component.objects.exists()
