"""A small world for workflow tests: the 16-grid territory, a center, two departments, two
street offices, one catalog type with a normal and an urgent filing condition, and a person
for every post."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from catalog.models import CaseType, Edition, FilingCondition, LimitUnit, MajorClass, Urgency
from geo.territory_import import import_territory
from org.access import Actor
from org.models import Person
from org.roles import Role, Scope
from tests.conftest import Org, make_people
from tests.geo.territory import DISTRICT, STEP, X0, Y0, small_territory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
WEST = (X0 + 0.5 * STEP, Y0 + 0.5 * STEP)  # in street 001
EAST = (X0 + 3.5 * STEP, Y0 + 0.5 * STEP)  # in street 002


@dataclass
class World:
    org: Org
    inspector: User
    inspector_2: User
    acceptor: User
    shift_leader: User
    dispatcher: User
    handler_a: User
    admin_a: User
    handler_b: User
    leader: User
    street_handler: User
    garbage: CaseType
    normal: FilingCondition
    urgent: FilingCondition

    def person(self, user: User) -> Person:
        return Person.objects.get(user=user)

    @cached_property
    def actors(self) -> Actors:
        """Each persona acting in its post, for calling the workflow."""
        users = {f.name: getattr(self, f.name) for f in fields(Actors)}
        return Actors(**{name: Actor.of(user) for name, user in users.items()})


@dataclass(frozen=True)
class Actors:
    inspector: Actor
    inspector_2: Actor
    acceptor: Actor
    shift_leader: Actor
    dispatcher: Actor
    handler_a: Actor
    admin_a: Actor
    handler_b: Actor
    leader: Actor
    street_handler: Actor


@pytest.fixture
def world(org: Org) -> World:
    offices = {DISTRICT + "001": org.street, DISTRICT + "002": org.other_street}
    assert import_territory(small_territory(), offices=offices).ok
    edition = Edition.objects.create(code="t", name="测试", type_code_length=4, is_current=True)
    major = MajorClass.objects.create(edition=edition, kind="event", code="01", name="市容环境")
    garbage = CaseType.objects.create(major=major, code="0110", name="暴露垃圾")
    normal = FilingCondition.objects.create(
        case_type=garbage,
        condition="成堆垃圾",
        limit_value=4,
        limit_unit=LimitUnit.WORKING_HOUR,
        closing_condition="清理干净",
    )
    urgent = FilingCondition.objects.create(
        case_type=garbage,
        position=2,
        condition="堵塞道路",
        urgency=Urgency.URGENT,
        limit_value=2,
        limit_unit=LimitUnit.NATURAL_HOUR,
        closing_condition="恢复通行",
    )

    D, U = Scope.DISTRICT, Scope.UNIT
    posts = [
        ("inspector", Role.INSPECTOR, org.center, D),
        ("inspector_2", Role.INSPECTOR, org.center, D),
        ("acceptor", Role.ACCEPTOR, org.center, D),
        ("shift_leader", Role.SHIFT_LEADER, org.center, D),
        ("dispatcher", Role.DISPATCHER, org.center, D),
        ("handler_a", Role.HANDLER, org.department_a, U),
        ("admin_a", Role.UNIT_ADMIN, org.department_a, U),
        ("handler_b", Role.HANDLER, org.department_b, U),
        ("leader", Role.LEADER, org.center, D),
        ("street_handler", Role.HANDLER, org.street, U),
    ]
    people = {user.username: user for user in make_people(posts)}
    return World(
        org=org,
        inspector=people["inspector"],
        inspector_2=people["inspector_2"],
        acceptor=people["acceptor"],
        shift_leader=people["shift_leader"],
        dispatcher=people["dispatcher"],
        handler_a=people["handler_a"],
        admin_a=people["admin_a"],
        handler_b=people["handler_b"],
        leader=people["leader"],
        street_handler=people["street_handler"],
        garbage=garbage,
        normal=normal,
        urgent=urgent,
    )


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
