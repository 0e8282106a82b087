"""Caps on handling: how often a unit may return a case, how often it may be extended, and the
longest extension. Whatever is asked for, nothing answers 500 or leaves a case stuck."""

from __future__ import annotations

from typing import Any

import pytest

from cases import workflow as wf
from cases.models import Case, Status
from org.access import Refusal
from tests.cases.conftest import World
from tests.cases.making import handling

pytestmark = pytest.mark.django_db


def test_a_case_is_returned_at_most_max_returns_times(world: World, settings: Any) -> None:
    settings.MAX_RETURNS = 1
    a = world.actors
    case = handling(world)
    wf.return_case(case, actor=a.handler_a, reason="非本单位")
    wf.decide_return(case, actor=a.dispatcher, approve=True)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="仍属你单位")
    with pytest.raises(Refusal) as refused:
        wf.return_case(case, actor=a.handler_a, reason="还是非本单位")
    assert (refused.value.code, refused.value.status) == ("return_limit", 409)
    assert Case.objects.get(pk=case.pk).pending_request == ""


def test_a_case_is_extended_at_most_max_extensions_times(world: World, settings: Any) -> None:
    settings.MAX_EXTENSIONS = 1
    a = world.actors
    case = handling(world)
    wf.request_extension(case, actor=a.handler_a, minutes=60, reason="雨天")
    wf.decide_extension(case, actor=a.dispatcher, approve=True)
    with pytest.raises(Refusal) as refused:
        wf.request_extension(case, actor=a.handler_a, minutes=60, reason="又下雨")
    assert refused.value.code == "extension_limit"


@pytest.mark.parametrize("minutes", [0, -5, 4201, 10**9, 2**31, True])
def test_an_extension_out_of_bounds_is_refused_and_nothing_waits(
    world: World, minutes: int
) -> None:
    case = handling(world)
    with pytest.raises(Refusal) as refused:
        wf.request_extension(case, actor=world.actors.handler_a, minutes=minutes, reason="久")
    assert refused.value.code == "bad_minutes"
    case.refresh_from_db()
    assert (case.status, case.pending_request) == (Status.HANDLING, "")


def test_the_longest_extension_is_granted_and_the_case_moves_on(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.request_extension(case, actor=a.handler_a, minutes=4200, reason="工程量大")
    case = wf.decide_extension(case, actor=a.dispatcher, approve=True)
    assert case.extension_count == 1 and case.pending_request == ""
    assert wf.feedback_case(case, actor=a.handler_a, reason="完成").status == Status.HANDLED
