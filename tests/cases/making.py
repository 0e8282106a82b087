"""Cases at each step of the loop, made through the workflow, for the tests of cases/, the
consoles and the API."""

from __future__ import annotations

from datetime import datetime

from shapely.geometry import Point

from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, Channel
from cases.reporting import report_case
from catalog.models import CaseType, FilingCondition, MajorClass
from components.models import Component
from org.access import Actor
from org.models import Unit
from tests.cases.conftest import MONDAY_10, WEST, World

type Where = tuple[float, float]


def reported(world: World, *, at: datetime = MONDAY_10, where: Where = WEST) -> Case:
    return report_case(
        actor=world.actors.inspector,
        channel=Channel.INSPECTOR,
        description="路边有成堆垃圾",
        lon=where[0],
        lat=where[1],
        case_type=world.garbage,
        now=at,
    )


def filed(world: World, at: datetime = MONDAY_10, *, where: Where = WEST) -> Case:
    case = reported(world, at=at, where=where)
    wf.accept_case(case, actor=world.actors.acceptor, now=at)
    return wf.file_case(case, actor=world.actors.shift_leader, condition=world.normal, now=at)


def dispatched(
    world: World, at: datetime = MONDAY_10, *, where: Where = WEST, unit: Unit | None = None
) -> Case:
    case = filed(world, at, where=where)
    unit = unit or world.org.department_a
    return wf.dispatch_case(case, actor=world.actors.dispatcher, unit=unit, reason="测试", now=at)


def handling(world: World, at: datetime = MONDAY_10) -> Case:
    return wf.sign_case(dispatched(world, at), actor=world.actors.handler_a, now=at)


def public_report(world: World, channel: str = Channel.APP) -> Case:
    return report_case(
        actor=Actor.public(), channel=channel, description="小区门口垃圾没人管",
        lon=WEST[0], lat=WEST[1], contact_name="张三丰", contact_phone="13812345678",
        now=MONDAY_10,
    )  # fmt: skip


def events(case: Case) -> list[str]:
    return list(case.events.order_by("sequence").values_list("verb", flat=True))


def chain_is_intact(case: Case) -> bool:
    case.refresh_from_db()
    return not list(verify_case(case, case.events.order_by("sequence")))


def make_cover(world: World, *, where: Where = WEST) -> Component:
    """A manhole cover (上水井盖, a component type with one urgent filing condition) at `where`,
    governed by department A and owned by department B."""
    cover_type, _ = CaseType.objects.get_or_create(
        major=MajorClass.objects.get_or_create(
            edition=world.garbage.major.edition, kind="component", code="01", name="公用设施"
        )[0],
        code="0101",
        name="上水井盖",
    )
    FilingCondition.objects.get_or_create(
        case_type=cover_type, condition="井盖缺失", urgency="urgent", limit_value=2,
        limit_unit="natural_hour", closing_condition="恢复",
    )  # fmt: skip
    cover = Component(
        case_type=cover_type, point=Point(*where), department=world.org.department_a,
        owner=world.org.department_b,
    )  # fmt: skip
    cover.save()
    return cover
