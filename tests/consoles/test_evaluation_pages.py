"""The evaluation pages: who may open them, what a street's leader is shown, the drill-down
behind a figure, the printable report with the audit chain's verdict (its XLSX:
test_evaluation_runs.py)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from evaluation.periods import Period
from evaluation.settlement import settle
from org.roles import Role, Scope
from tests.cases.conftest import EAST, MONDAY_10, WEST, World
from tests.cases.making import dispatched
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db
NOVEMBER = {"period": "2026-11"}


def test_leaders_and_analysts_open_it_and_a_unit_handler_is_refused(world: World) -> None:
    dispatched(world)
    page = client_for(world.leader).get(reverse("evaluation"), NOVEMBER)
    assert page.status_code == 200
    assert world.org.department_a.name in page.content.decode()
    assert client_for(world.handler_a).get(reverse("evaluation"), NOVEMBER).status_code == 403
    assert client_for(world.handler_a).get(reverse("evaluation_runs"), NOVEMBER).status_code == 403


def test_a_bad_period_or_kind_is_refused_in_plain_words(world: World) -> None:
    client = client_for(world.leader)
    assert client.get(reverse("evaluation"), {"period": "十月"}).status_code == 400
    assert client.get(reverse("evaluation"), {"kind": "mayor"}).status_code == 400
    figure = {"period": "2026-11", "kind": "unit", "key": "x", "count": "handled"}
    assert client.get(reverse("evaluation_drill"), figure).status_code == 400


def test_a_figure_links_to_the_cases_behind_it(world: World) -> None:
    first = dispatched(world)
    second = dispatched(world)
    page = client_for(world.leader).get(reverse("evaluation"), NOVEMBER).content.decode()
    unit = world.org.department_a.pk
    link = re.search(
        rf'<tr data-key="{unit}">.*?data-count="dispatched"><a href="([^"]+)">2<', page, re.S
    )
    assert link is not None
    drill = client_for(world.leader).get(link.group(1).replace("&amp;", "&")).content.decode()
    assert first.number in drill and second.number in drill


def test_a_street_leader_is_shown_only_its_streets_cases(world: World) -> None:
    dispatched(world, where=WEST, unit=world.org.department_a)
    dispatched(world, where=EAST, unit=world.org.department_b)
    street_leader = make_person("street_leader", Role.LEADER, world.org.street, Scope.TERRITORY)
    page = client_for(street_leader).get(reverse("evaluation"), NOVEMBER).content.decode()
    assert world.org.department_a.name in page and world.org.department_b.name not in page
    district = client_for(world.leader).get(reverse("evaluation"), NOVEMBER).content.decode()
    assert world.org.department_b.name in district


def test_the_report_checks_the_chain_and_says_when_it_is_broken(world: World) -> None:
    case = dispatched(world)
    client = client_for(world.leader)
    report = client.get(reverse("evaluation_report"), NOVEMBER).content.decode()
    assert reverse("evaluation_chain") in report and world.org.department_a.name in report
    chain = client.get(reverse("evaluation_chain"), NOVEMBER)
    assert chain.context["chain"].verifies and chain.context["chain"].cases == 1
    CaseEvent.objects.filter(case=case, verb="dispatch").update(reason="改过的")
    broken = client.get(reverse("evaluation_chain"), NOVEMBER)
    assert not broken.context["chain"].verifies
    assert case.number in broken.content.decode()


def test_the_drill_down_lists_cases_and_tasks_too(world: World) -> None:
    case = dispatched(world)  # never handled: overdue at the end of November
    client = client_for(world.leader)
    figure: dict[str, str | int] = {
        "period": "2026-11",
        "kind": "unit",
        "key": world.org.department_a.pk,
    }
    overdue = client.get(reverse("evaluation_drill"), figure | {"count": "overdue_open"})
    assert case.number in overdue.content.decode()
    tasks = client.get(
        reverse("evaluation_drill"),
        {
            "period": "2026-11",
            "kind": "inspector",
            "key": str(world.inspector.pk),
            "count": "verify_due",
        },
    )
    assert tasks.status_code == 200 and tasks.context["total"] == 0


def test_a_settled_month_says_so_and_a_street_led_since_is_counted_live(world: World) -> None:
    dispatched(world, where=WEST, unit=world.org.department_a)
    street_leader = make_person("street_leader", Role.LEADER, world.org.street, Scope.TERRITORY)
    settle(Period.parse("2026-11"), now=datetime(2026, 12, 10, tzinfo=MONDAY_10.tzinfo))
    dispatched(world, where=WEST, unit=world.org.department_a)  # after the settlement
    unit = world.org.department_a.pk
    led_since = make_person("led_since", Role.LEADER, world.org.other_street, Scope.TERRITORY)
    for name in ("evaluation", "evaluation_report"):  # its street was not settled: live
        page = client_for(led_since).get(reverse(name), NOVEMBER).content.decode()
        assert 'data-testid="evaluation-settled"' not in page
    for user in (world.leader, street_leader):
        for name in ("evaluation", "evaluation_report"):
            page = client_for(user).get(reverse(name), NOVEMBER).content.decode()
            assert 'data-testid="evaluation-settled"' in page and "2026-12-10" in page
        page = client_for(user).get(reverse("evaluation"), NOVEMBER).content.decode()
        cell = re.search(
            rf'<tr data-key="{unit}">.*?data-count="dispatched"><a[^>]*>(\d+)<', page, re.S
        )
        assert cell is not None and int(cell.group(1)) == 1  # as settled
