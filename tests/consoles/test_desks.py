"""Each desk opens on what waits for its post: queues of the cases the post may see, with
counts, lights and links, at a query count that does not grow with the cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import workflow as wf
from org.roles import Role, Scope
from tests.cases.conftest import EAST, World
from tests.cases.making import dispatched, filed, handling, public_report, reported
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def queue_on(page: str, key: str) -> tuple[int, str]:
    """The count a desk shows for a queue, and the queue's rows."""
    section = page.split(f'data-queue="{key}"')[1].split("</section>")[0]
    count = int(section.split(f'data-testid="count-{key}"')[1].split(">")[1].split("<")[0])
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


def figure(page: str, key: str) -> int:
    """One of today's figures as a desk shows it."""
    return int(page.split(f'data-testid="today-{key}">')[1].split("<")[0])


def test_every_desk_opens_on_its_posts_figures_of_today(world: World) -> None:
    now = timezone.now()
    ours = dispatched(world, now, unit=world.org.department_a)
    dispatched(world, now, where=EAST, unit=world.org.department_b)
    reported(world, at=now - timedelta(days=1))  # yesterday's: not counted
    center = desk(world, "dispatcher", "dispatcher")
    assert (figure(center, "reported"), figure(center, "dispatched")) == (2, 2)
    unit = desk(world, "handler_a", "handler")
    assert (figure(unit, "reported"), figure(unit, "dispatched")) == (1, 1)
    wf.sign_case(ours, actor=world.actors.handler_a, now=now)
    wf.feedback_case(ours, actor=world.actors.handler_a, reason="已清理", now=now)
    assert figure(desk(world, "handler_a", "handler"), "handled") == 1
    assert figure(desk(world, "handler_b", "handler"), "handled") == 0


def test_the_analysis_desk_shows_today_per_street_and_no_placeholder(world: World) -> None:
    now = timezone.now()
    reported(world, at=now)
    reported(world, at=now, where=EAST)
    reported(world, at=now, where=EAST)
    analyst = make_person("analyst", Role.ANALYST, world.org.center, Scope.DISTRICT)
    page = client_for(analyst).get(reverse("workspace", args=["analyst"])).content.decode()
    assert figure(page, "reported") == 3
    streets = page.split('data-testid="streets"')[1].split("</table>")[0]
    west, east = streets.split('data-street="')[1:3]
    assert "<td>1</td>" in west and "<td>2</td>" in east
    assert 'data-testid="not-yet"' not in page and "即将推出" not in page


def test_the_inspector_desk_shows_the_tasks_sent_to_them_and_their_own_reports(
    world: World,
) -> None:
    now = timezone.now()
    own = reported(world, at=now)  # reported by world.inspector
    public = public_report(world)
    wf.send_verify(public, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    other = public_report(world)
    wf.send_verify(other, actor=world.actors.acceptor, inspector=world.person(world.inspector_2))
    page = desk(world, "inspector", "inspector")
    count, rows = queue_on(page, "tasks")
    assert count == 1 and public.number in rows and other.number not in rows
    count, rows = queue_on(page, "my_reports")
    assert count == 1 and own.number in rows
    assert queue_on(desk(world, "inspector_2", "inspector"), "tasks")[0] == 1


@pytest.mark.parametrize("role", list(Role.values))
def test_no_desk_promises_what_is_not_built(world: World, role: str) -> None:
    in_unit = role in {Role.HANDLER, Role.UNIT_ADMIN}
    unit, scope = (world.org.department_a, Scope.UNIT) if in_unit else (world.org.center, None)
    user = make_person(f"someone_{role}", role, unit, scope or Scope.DISTRICT)
    page = client_for(user).get(reverse("workspace", args=[role]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and '<h2 id="today-title">Today</h2>' in text
    for placeholder in ("Still to come", "Not built yet", "Arrives with", "Step 7", "Step 8"):
        assert placeholder not in text


def test_a_superuser_without_a_post_opens_system_administration_on_zeros(world: World) -> None:
    reported(world, at=timezone.now())
    admin = get_user_model().objects.create_superuser("root", password="x-long-password")
    page = client_for(admin).get(reverse("workspace", args=["sysadmin"]))
    text = page.content.decode()
    assert page.status_code == 200 and figure(text, "reported") == 0
    assert 'data-testid="queues"' not in text


def test_a_very_long_queue_is_counted_up_to_the_cap(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("consoles.queues.COUNT_CAP", 2)
    numbers = [filed(world).number for _ in range(3)]
    page = client_for(world.dispatcher).get(reverse("workspace", args=["dispatcher"]))
    text = page.content.decode()
    assert all(number in text for number in numbers)  # the first rows are all there
    assert 'data-testid="count-to_dispatch" aria-live="polite">2+<' in text
