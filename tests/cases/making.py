"""Cases at each step of the loop, made through the workflow, for the tests of cases/, the
consoles and the API."""

from __future__ import annotations

from datetime import datetime

from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, Channel
from cases.reporting import report_case
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
