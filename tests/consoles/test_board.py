"""The overdue board: each unit's cases in hand counted by light, overdue and since when, the
worst unit first, for the posts that watch the command center, within what they may see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import workflow as wf
from cases.models import Case
from org.models import Unit
from org.roles import Role, Scope
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import Where, filed, reported
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def in_hand(
    world: World, unit: Unit, ago: timedelta, *, signed: bool = True, where: Where = WEST
) -> Case:
    """A case dispatched `ago` to `unit` under the urgent condition: 2 natural hours to handle
    and 15 natural minutes to sign, so its light does not depend on the working calendar."""
    at = timezone.now() - ago
    case = reported(world, at=at, where=where)
    wf.accept_case(case, actor=world.actors.acceptor, now=at)
    wf.file_case(case, actor=world.actors.shift_leader, condition=world.urgent, now=at)
    wf.dispatch_case(case, actor=world.actors.dispatcher, unit=unit, reason="测试", now=at)
    if signed:
        handlers = {
            world.org.department_a: world.actors.handler_a,
            world.org.department_b: world.actors.handler_b,
            world.org.street: world.actors.street_handler,
        }
        wf.sign_case(case, actor=handlers[unit], now=at)
    case.refresh_from_db()
    return case


def board(user: object) -> str:
    response = client_for(user).get(reverse("overdue_board"))
    assert response.status_code == 200
    return response.content.decode()


def rows(page: str) -> list[dict[str, str]]:
    """The board's unit rows in order: the unit's code and each count shown."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    found = []
    for chunk in body.split('<tr data-unit="')[1:]:
        row = {"unit": chunk.split('"')[0]}
        for cell in chunk.split('data-count="')[1:]:
            key, rest = cell.split('"', 1)
            row[key] = re.sub(r"<[^>]*>", "", rest.split(">", 1)[1].split("</td>")[0])
        row["oldest"] = chunk.split('data-testid="oldest">')[1].split("<")[0]
        found.append(row)
    return found


def test_each_unit_shows_its_cases_in_hand_by_light_the_worst_first(world: World) -> None:
    org = world.org
    in_hand(world, org.street, timedelta(hours=1))  # green, 50 % of 2 hours used
    in_hand(world, org.department_b, timedelta(hours=1), signed=False)  # not signed in 15 min
    in_hand(world, org.department_a, timedelta(hours=1))
    in_hand(world, org.department_a, timedelta(minutes=105))  # 87.5 %: yellow
    late = in_hand(world, org.department_a, timedelta(hours=3))  # overdue by an hour
    filed(world)  # not in any unit's hands yet
    page = board(world.dispatcher)
    assert [row["unit"] for row in rows(page)] == ["DA", "DB", "S01"]
    da, db, street = rows(page)
    assert (da["total"], da["green"], da["yellow"], da["red"], da["overdue"]) == (
        "3", "1", "1", "1", "1",
    )  # fmt: skip
    assert da["oldest"] == timezone.localtime(late.handling_due_at).strftime("%Y-%m-%d %H:%M")
    # Late to sign for is red, but its handling time has not run out: not overdue.
    assert (db["red"], db["overdue"], db["oldest"]) == ("1", "0", "—")
    assert (street["green"], street["red"]) == ("1", "0")
    totals = page.split("<tfoot>")[1]
    assert 'data-count="total">5<' in totals and 'data-count="overdue">1<' in totals


def test_each_count_opens_the_case_list_of_that_unit_and_light(world: World) -> None:
    in_hand(world, world.org.department_a, timedelta(minutes=105))
    page = board(world.leader)
    unit = world.org.department_a.pk
    assert f'href="/cases/?unit={unit}&amp;light=yellow">1</a>' in page
    assert f"unit={unit}&amp;light=green" not in page  # none to show: no link


def test_a_street_leader_sees_only_the_cases_of_its_territory(world: World) -> None:
    street_leader = make_person("street_leader", Role.LEADER, world.org.street, Scope.TERRITORY)
    in_hand(world, world.org.department_a, timedelta(hours=1), where=WEST)  # street 001
    in_hand(world, world.org.department_b, timedelta(hours=1), where=EAST)  # street 002
    assert [row["unit"] for row in rows(board(street_leader))] == ["DA"]
    assert [row["unit"] for row in rows(board(world.dispatcher))] == ["DA", "DB"]


def test_the_watching_posts_may_open_it_and_the_others_are_told_why_not(world: World) -> None:
    shift_leader, analyst = (
        world.shift_leader,
        make_person("analyst", Role.ANALYST, world.org.center, Scope.DISTRICT),
    )
    for user in (world.dispatcher, world.leader, shift_leader, analyst):
        assert client_for(user).get(reverse("overdue_board")).status_code == 200
    for user in (world.handler_a, world.acceptor, world.inspector):
        response = client_for(user).get(reverse("overdue_board"))
        assert response.status_code == 403
        assert "超期看板仅供派遣员、值班长、领导和分析员使用" in response.content.decode()


def test_the_top_bar_links_the_board_for_the_watching_posts_only(world: World) -> None:
    link = f'href="{reverse("overdue_board")}"'
    assert link in client_for(world.dispatcher).get(reverse("home"), follow=True).content.decode()
    assert link not in client_for(world.handler_a).get(reverse("case_list")).content.decode()


def test_the_board_costs_the_same_queries_for_no_case_a_few_or_many(world: World) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            board(world.dispatcher)
        return len(captured.captured_queries)

    empty = queries()
    in_hand(world, world.org.department_a, timedelta(hours=1))
    few = queries()
    for unit in (world.org.department_b, world.org.street, world.org.department_a) * 3:
        in_hand(world, unit, timedelta(hours=3))
    assert few == queries() and empty <= few  # no unit to look up when no case is in hand
