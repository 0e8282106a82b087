"""Each desk opens on what waits for its post: queues of the cases the post may see, with
counts, lights and links, at a query count that does not grow with the cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import workflow as wf
from org.roles import Role, Scope
from tests.cases.conftest import EAST, World
from tests.cases.making import dispatched, filed, handling, reported
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def queue_on(page: str, key: str) -> tuple[int, str]:
    """The count a desk shows for a queue, and the queue's rows."""
    section = page.split(f'data-queue="{key}"')[1].split("</section>")[0]
    count = int(section.split(f'data-testid="count-{key}">')[1].split("<")[0])
    return count, section


def desk(world: World, who: str, role: str) -> str:
    response = client_for(getattr(world, who)).get(reverse("workspace", args=[role]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_center_desk_shows_the_cases_waiting_for_it(world: World) -> None:
    new = reported(world).number
    accepted = reported(world, where=EAST)
    wf.accept_case(accepted, actor=world.actors.acceptor)
    to_dispatch = filed(world).number
    count, rows = queue_on(desk(world, "acceptor", "acceptor"), "new")
    assert count == 1 and new in rows
    count, rows = queue_on(desk(world, "shift_leader", "shift_leader"), "to_file")
    assert count == 1 and accepted.number in rows and new not in rows
    count, rows = queue_on(desk(world, "dispatcher", "dispatcher"), "to_dispatch")
    assert count == 1 and to_dispatch in rows


def test_a_unit_desk_shows_only_what_its_unit_leads_or_co_handles(world: World) -> None:
    ours = dispatched(world, unit=world.org.department_a).number
    theirs = dispatched(world, where=EAST, unit=world.org.department_b)
    count, rows = queue_on(desk(world, "handler_a", "handler"), "to_sign")
    assert count == 1 and ours in rows and theirs.number not in rows
    count, _rows = queue_on(desk(world, "handler_b", "handler"), "to_sign")
    assert count == 1
    refiled = filed(world, where=EAST)
    wf.dispatch_case(
        refiled, actor=world.actors.dispatcher, unit=world.org.department_b,
        co_units=[world.org.department_a], reason="协同",
    )  # fmt: skip
    count, rows = queue_on(desk(world, "handler_a", "handler"), "co_handling")
    assert count == 1 and refiled.number in rows
    wf.co_feedback(refiled, actor=world.actors.handler_a, reply="已配合")
    assert queue_on(desk(world, "handler_a", "handler"), "co_handling")[0] == 0


def test_requests_wait_on_the_desk_that_decides_them(world: World) -> None:
    case = handling(world)  # reported days ago: overdue by now
    wf.request_extension(case, actor=world.actors.handler_a, minutes=60, reason="材料未到")
    count, rows = queue_on(desk(world, "dispatcher", "dispatcher"), "requests")
    assert count == 1 and "延期申请" in rows
    wf.decide_extension(case, actor=world.actors.dispatcher, approve=False)
    wf.appeal_overdue(case, actor=world.actors.handler_a, reason="暴雨")
    wf.decide_appeal(case, actor=world.actors.dispatcher, approve=True)
    count, rows = queue_on(desk(world, "leader", "leader"), "appeals")
    assert count == 1 and case.number in rows
    assert queue_on(desk(world, "dispatcher", "dispatcher"), "requests")[0] == 0


def test_all_of_a_queue_opens_in_the_case_list(world: World) -> None:
    waiting = [dispatched(world, unit=world.org.department_a).number for _ in range(3)]
    other = handling(world).number
    page = client_for(world.handler_a).get(reverse("case_list"), {"queue": "to_sign"})
    text = page.content.decode()
    assert all(number in text for number in waiting) and other not in text
    assert 'view=to_sign" aria-current="page"' in text  # its view is the one chosen


def test_a_desk_costs_the_same_queries_for_one_case_or_many(world: World) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            desk(world, "dispatcher", "dispatcher")
        return len(captured.captured_queries)

    filed(world)
    one = queries()
    for _ in range(6):
        filed(world, where=EAST)
    assert queries() == one


def test_a_desk_without_queues_yet_says_so_and_shows_no_made_up_rows(world: World) -> None:
    analyst = make_person("analyst", Role.ANALYST, world.org.center, Scope.DISTRICT)
    page = client_for(analyst).get(reverse("workspace", args=["analyst"])).content.decode()
    assert 'data-testid="queues"' not in page
    assert "尚未建成" in page.split('data-testid="not-yet">')[1]
