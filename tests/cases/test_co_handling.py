"""主办 / 协办: a lead unit handles the case, co-handling units report their part to it."""

from __future__ import annotations

import pytest

from cases import workflow as wf
from cases.models import Case, Status
from org.access import Refusal
from tests.cases.conftest import World
from tests.cases.making import events, filed

pytestmark = pytest.mark.django_db


def co_handled(world: World) -> Case:
    a, org = world.actors, world.org
    case = filed(world)
    return wf.dispatch_case(
        case, actor=a.dispatcher, unit=org.department_a, co_units=[org.department_b], reason="协同"
    )


def test_a_co_handling_unit_sees_the_case_and_reports_its_part(world: World) -> None:
    a = world.actors
    case = co_handled(world)
    assert Case.objects.visible_to(a.handler_b).filter(pk=case.pk).exists()
    assert case.events.get(verb="dispatch").data["co_units"] == ["DB"]
    case = wf.co_feedback(case, actor=a.handler_b, reply="已配合排查管线")
    co = case.co_handlings.get()
    assert (co.unit, co.reply, co.replied_at is not None) == (
        world.org.department_b,
        "已配合排查管线",
        True,
    )
    assert case.status == Status.DISPATCHED and events(case)[-1] == "co_feedback"


def test_a_co_handling_unit_cannot_lead_and_the_lead_unit_cannot_co_handle(world: World) -> None:
    a = world.actors
    case = co_handled(world)
    with pytest.raises(Refusal) as sign:
        wf.sign_case(case, actor=a.handler_b)
    assert sign.value.code == "out_of_scope"
    with pytest.raises(Refusal) as co:
        wf.co_feedback(case, actor=a.handler_a, reply="我是主办")
    assert co.value.code == "not_co_handling"
    assert not Case.objects.visible_to(a.street_handler).filter(pk=case.pk).exists()


def test_a_unit_is_named_once(world: World) -> None:
    a, org = world.actors, world.org
    case = filed(world)
    with pytest.raises(Refusal) as refused:
        wf.dispatch_case(
            case, actor=a.dispatcher, unit=org.department_a, co_units=[org.department_a],
            reason="重复",
        )  # fmt: skip
    assert refused.value.code == "repeated_unit"
    with pytest.raises(Refusal) as team:
        wf.dispatch_case(
            case, actor=a.dispatcher, unit=org.department_a, co_units=[org.team_a], reason="队"
        )
    assert team.value.code == "not_a_handling_unit"


def test_an_approved_return_releases_the_co_handling_units_too(world: World) -> None:
    a = world.actors
    case = co_handled(world)
    wf.return_case(case, actor=a.handler_a, reason="非本单位职责")
    case = wf.decide_return(case, actor=a.dispatcher, approve=True)
    assert case.status == Status.FILED and not case.co_handlings.exists()
    assert not Case.objects.visible_to(a.handler_b).filter(pk=case.pk).exists()
