"""A server process builds the territory's point index when it starts (config/warm.py), so its
first report does not wait seconds for it; with an empty or unreachable database that is no
harm."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from config.warm import warm
from geo import lookup
from tests.cases.conftest import WEST, World


@pytest.fixture
def connections_kept() -> Iterator[None]:
    # warm() closes its connections; here that would end the test's transaction.
    with mock.patch.object(connections, "close_all") as close_all:
        yield
    close_all.assert_called()


@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept")
def test_warming_builds_the_territory_index(world: World) -> None:
    assert lookup._index is None
    warm()
    assert lookup._index is not None
    assert lookup._index.locate(*WEST) == lookup.locate(*WEST)  # the index reports use


@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept")
def test_warming_an_empty_database_does_no_harm() -> None:
    warm()
    assert lookup._index is not None and lookup._index.locations == []


@pytest.mark.usefixtures("connections_kept")
def test_warming_without_a_database_does_no_harm() -> None:
    away = OperationalError("connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=away):
        warm()
    assert lookup._index is None  # built by the first request that needs it


def test_the_wsgi_application_warms_its_process() -> None:
    sys.modules.pop("config.wsgi", None)  # imported afresh, as a new worker does
    with mock.patch("config.warm.warm") as warming:
        importlib.import_module("config.wsgi")
    warming.assert_called_once_with()
