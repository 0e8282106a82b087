"""Components for the API, page and map-layer tests, on the small territory of tests/geo."""

from __future__ import annotations

import random

from django.contrib.auth.models import User
from shapely.geometry import Point

from cases.models import Case
from cases.reporting import report_case
from catalog.models import CaseType
from components.models import Component
from org.access import Actor
from tests.components.conftest import Catalog
from tests.conftest import Org
from tests.geo.territory import STEP, X0, Y0


def make(case_type: CaseType, at: tuple[float, float], **fields: object) -> Component:
    component = Component(case_type=case_type, point=Point(*at), **fields)
    component.save()
    return component


def scatter(catalog: Catalog, org: Org, count: int, seed: int = 7) -> list[Component]:
    """`count` components at seeded random places over the 16 grids, of three types."""
    chance = random.Random(seed)
    kinds = [
        (catalog.cover, {}),
        (catalog.lamp, {"department": org.department_b, "owner": org.department_b}),
        (catalog.supply_cover, {"department": org.department_a}),
    ]
    made = []
    for _ in range(count):
        case_type, fields = chance.choice(kinds)
        at = (X0 + chance.uniform(0, 4 * STEP), Y0 + chance.uniform(0, 4 * STEP))
        made.append(make(case_type, at, **fields))
    return made


def reported_on(component: Component, inspector: User) -> Case:
    return report_case(
        actor=Actor.of(inspector),
        channel="inspector",
        description="井盖破损",
        lon=component.point.x,
        lat=component.point.y,
        component=component,
    )
