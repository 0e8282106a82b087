"""Each event keeps the responsible unit after it in a column of its own (what a unit's
evaluation groups by), equal to its sealed state: written with the event, filled from the
state for events written before, and checked by the audit."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, CaseEvent
from tests.cases.conftest import MONDAY_10, World
from tests.cases.making import dispatched, handling

pytestmark = pytest.mark.django_db


def returned_and_redispatched(world: World) -> Case:
    a = world.actors
    case = dispatched(world)
    wf.return_case(case, actor=a.handler_a, reason="不属于本单位", now=MONDAY_10)
    wf.decide_return(case, actor=a.dispatcher, approve=True, now=MONDAY_10)
    return wf.dispatch_case(
        case, actor=a.dispatcher, unit=world.org.department_b, reason="改派", now=MONDAY_10
    )


def units_by_verb(case: Case) -> list[tuple[str, int | None]]:
    rows = case.events.order_by("sequence").values_list("verb", "responsible_unit_id")
    return list(rows)


def test_each_event_records_the_responsible_unit_after_it(world: World) -> None:
    case = returned_and_redispatched(world)
    a, b = world.org.department_a.pk, world.org.department_b.pk
    assert units_by_verb(case) == [
        ("report", None),
        ("accept", None),
        ("file", None),
        ("dispatch", a),
        ("return_case", a),  # the unit that asked to return it
        ("decide_return", None),
        ("dispatch", b),
    ]
    for event in case.events.all():
        assert event.responsible_unit_id == event.state["responsible_unit_id"]


def test_the_migration_fills_the_column_from_each_events_state(world: World) -> None:
    case = returned_and_redispatched(world)
    written = units_by_verb(case)
    CaseEvent.objects.update(responsible_unit=None)  # as the events written before it were
    migration = importlib.import_module("cases.migrations.0015_event_responsible_unit")
    migration.copy_from_state(apps, SimpleNamespace(connection=connection))
    assert units_by_verb(case) == written


def test_a_responsible_unit_changed_by_hand_is_found_by_the_audit(world: World) -> None:
    case = returned_and_redispatched(world)
    CaseEvent.objects.filter(case=case, sequence=4).update(responsible_unit=world.org.department_b)
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert [(p.sequence, p.problem) for p in problems] == [
        (4, "responsible unit differs from its state")
    ]


def outcomes(case: Case) -> list[tuple[str, str]]:
    return list(case.events.order_by("sequence").values_list("verb", "outcome"))


def test_each_event_records_what_it_decided(world: World) -> None:
    case = returned_and_redispatched(world)
    decided = [(verb, outcome) for verb, outcome in outcomes(case) if outcome]
    assert decided == [("decide_return", "approved")]
    case = handling(world)
    wf.feedback_case(case, actor=world.actors.handler_a, reason="已清理", now=MONDAY_10)
    wf.send_check(
        case, actor=world.actors.acceptor, inspector=world.person(world.inspector), now=MONDAY_10
    )
    wf.check_case(case, actor=world.actors.inspector, passed=True, now=MONDAY_10)
    wf.close_case(case, actor=world.actors.shift_leader, now=MONDAY_10)
    decided = [(verb, outcome) for verb, outcome in outcomes(case) if outcome]
    assert decided == [("check", "passed"), ("close", "normal")]


def test_the_migration_fills_the_outcome_from_each_events_details(world: World) -> None:
    case = returned_and_redispatched(world)
    written = outcomes(case)
    CaseEvent.objects.update(outcome="")
    migration = importlib.import_module("cases.migrations.0016_event_outcome")
    migration.copy_from_details(apps, SimpleNamespace(connection=connection))
    assert outcomes(case) == written


def test_an_outcome_changed_by_hand_is_found_by_the_audit(world: World) -> None:
    case = returned_and_redispatched(world)
    CaseEvent.objects.filter(case=case, verb="decide_return").update(outcome="refused")
    problems = list(verify_case(case, case.events.order_by("sequence")))
    assert [(p.sequence, p.problem) for p in problems] == [(6, "outcome differs from its details")]
