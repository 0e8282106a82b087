"""The hotline console's tests' fixtures (made fixtures by conftest.py) and helpers: on the
small territory and personas of tests/cases, a road with door plates in street 001 for the
gazetteer, and a client signed in as the acceptor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from shapely.geometry import LineString, Point

from geo.gazetteer import forget_gazetteer
from geo.models import DoorPlate, Road, RoadClass
from tests.cases.conftest import WEST, World
from tests.geo.territory import STEP, X0, Y0

OUTSIDE = (X0 - 0.05, Y0 - 0.05)  # south-west of the district
PLATE_12 = WEST  # 中山路12号, in street 001


@pytest.fixture
def gazetteer(world: World) -> None:
    road = Road.objects.create(
        name="中山路",
        aliases=["解放路"],
        road_class=RoadClass.MAIN,
        line=LineString([(X0 + 0.1 * STEP, WEST[1]), (X0 + 3.9 * STEP, WEST[1])]),
    )
    DoorPlate.objects.create(road=road, number="12", point=Point(*PLATE_12))
    DoorPlate.objects.create(road=road, number="40", point=Point(X0 + 3.5 * STEP, WEST[1]))
    forget_gazetteer()  # each test database starts again at revision 1


@pytest.fixture(autouse=True)
def _fresh_gazetteer() -> None:
    forget_gazetteer()


@pytest.fixture
def acceptor_client(world: World) -> Client:
    client = Client()
    client.force_login(world.acceptor)
    return client


def call_form(world: World, **changes: Any) -> dict[str, Any]:
    """What an acceptor sends for a call about garbage at 中山路12号."""
    return {
        "request_id": "hotline-test-0001",
        "caller": "李女士",
        "phone": "138 1234 5678",
        "callback_wanted": "on",
        "callback_note": "下午六点后",
        "case_type": str(world.garbage.pk),
        "description": "中山路12号门口垃圾堆了三天",
        "address": "中山路12号",
        "lon": f"{PLATE_12[0]:.7f}",
        "lat": f"{PLATE_12[1]:.7f}",
    } | changes
