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


def reported(
    world: World,
    *,
    at: datetime = MONDAY_10,
    where: Where = WEST,
    observed_at: datetime | None = None,
) -> Case:
    return report_case(
        actor=world.actors.inspector,
        channel=Channel.INSPECTOR,
        description="路边有成堆垃圾",
        lon=where[0],
        lat=where[1],
        case_type=world.garbage,
        observed_at=observed_at,
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
    """A manhole cover (上水井盖) at `where`, governed by department A, owned by department B."""
    return make_component(world, "0101", "上水井盖", where=where, owner=world.org.department_b)


def make_component(
    world: World, code: str, name: str, *, where: Where = WEST, owner: Unit | None = None
) -> Component:
    """A component of type `code` (made with one urgent filing condition if new), governed by
    department A."""
    major, _ = MajorClass.objects.get_or_create(
        edition=world.garbage.major.edition, kind="component", code="01", name="公用设施"
    )
    case_type, new = CaseType.objects.get_or_create(major=major, code=code, name=name)
    if new:
        FilingCondition.objects.create(
            case_type=case_type, condition=f"{name}损坏", urgency="urgent", limit_value=2,
            limit_unit="natural_hour", closing_condition="恢复",
        )  # fmt: skip
    component = Component(
        case_type=case_type, point=Point(*where), department=world.org.department_a, owner=owner
    )
    component.save()
    return component


def report_on(
    world: World, component: Component, *, public: bool = False, at: datetime = MONDAY_10
) -> Case:
    """A report on the component, at its position, by an inspector or the public."""
    actor, channel = (
        (Actor.public(), Channel.APP) if public else (world.actors.inspector, Channel.INSPECTOR)
    )
    return report_case(
        actor=actor, channel=channel, description="部件损坏", lon=component.point.x,
        lat=component.point.y, component=component, now=at,
    )  # fmt: skip


def filed_on(world: World, component: Component, at: datetime = MONDAY_10) -> Case:
    """A report on the component, accepted and filed (立案) at `at`."""
    case = report_on(world, component, at=at)
    wf.accept_case(case, actor=world.actors.acceptor, now=at)
    condition = component.case_type.conditions.get()
    return wf.file_case(case, actor=world.actors.shift_leader, condition=condition, now=at)
