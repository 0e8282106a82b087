"""An Open311 client (a partner with its key) on the workflow tests' small world, with a
component type that shares its code with the world's event type, a component of it, and a
park the gazetteer can find."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client
from shapely import Point

from catalog.models import CaseType, MajorClass, TypeKind
from components.models import Component
from geo.gazetteer import forget_gazetteer
from geo.models import PointOfInterest
from intake.partners.keys import new_partner
from intake.partners.models import Partner
from tests.cases.conftest import WEST, World, media, world  # noqa: F401  (fixtures)

GARBAGE = "event-0110"
COVER = "component-0110"


@dataclass
class Open311:
    world: World
    partner: Partner
    key: str
    cover: CaseType
    component: Component
    client: Client

    def post(self, fmt: str = "json", *, language: str = "", **fields: Any) -> Any:
        """POST requests.{fmt} as a form, the api_key included unless given as None."""
        data = {"api_key": self.key, "service_code": GARBAGE, **fields}
        data = {name: value for name, value in data.items() if value is not None}
        headers = {"Accept-Language": language} if language else {}
        return self.client.post(f"/open311/v2/requests.{fmt}", data, headers=headers)

    def at_west(self, **fields: Any) -> dict[str, Any]:
        return {
            "lat": str(WEST[1]),
            "long": str(WEST[0]),
            "description": "路边有成堆垃圾",
            **fields,
        }


@pytest.fixture(autouse=True)
def _fresh_gazetteer_and_rates() -> None:
    # Each test database starts again at revision 1, so a cached gazetteer could look current;
    # the POST rate limit counts in the cache, which outlives a test.
    forget_gazetteer()
    cache.clear()


@pytest.fixture
def o311(world: World) -> Open311:  # noqa: F811
    partner, key = new_partner("cityapp", "市民通", "open311")
    major = MajorClass.objects.create(
        edition=world.garbage.major.edition, kind=TypeKind.COMPONENT, code="01", name="公用设施"
    )
    cover = CaseType.objects.create(
        major=major, code="0110", name="上水井盖", default_department=world.org.department_a
    )
    component = Component(case_type=cover, point=Point(*WEST))
    component.save()
    PointOfInterest.objects.create(name="翠湖公园", category="park", point=Point(*WEST))
    return Open311(world, partner, key, cover, component, Client(enforce_csrf_checks=True))


def body(response: Any) -> Any:
    return json.loads(response.content)


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)
