"""Components created at the same moment get distinct serials (PostgreSQL, real transactions)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from shapely.geometry import Point

from components.models import Component, reserve_serials
from tests.components.conftest import WEST, Catalog

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.usefixtures("territory"),
]


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together, each on its own connection."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(k: int) -> None:
        barrier.wait()
        try:
            results[k] = actions[k]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_components_get_distinct_serials(catalog: Catalog) -> None:
    def create() -> list[str]:
        made = []
        for _ in range(5):
            with transaction.atomic():
                component = Component(case_type=catalog.cover, point=Point(*WEST))
                component.save()
                time.sleep(0.01)  # hold the counter's lock while the others wait
            made.append(component.identifier)
        return made

    results = race(*(create for _ in range(6)))
    identifiers = [identifier for made in results for identifier in made]
    assert len(set(identifiers)) == 30
    assert sorted(identifiers) == [f"5201990101{n:06d}" for n in range(1, 31)]


def test_simultaneous_imports_reserve_disjoint_blocks(catalog: Catalog) -> None:
    def reserve() -> range:
        with transaction.atomic():
            block = reserve_serials("5201990101", 100)
            time.sleep(0.02)
        return block

    blocks = race(*(reserve for _ in range(4)))
    taken = sorted(serial for block in blocks for serial in block)
    assert taken == list(range(1, 401))
