"""The component page (/components/<identifier>/): its failures and MTBF, the status changes its
cases made, and its cases, each marked when it counts as a failure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import workflow as wf
from components.models import Component
from tests.cases.conftest import MONDAY_10, World
from tests.cases.making import filed_on, make_cover, report_on

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def page_of(user: User, component: Component) -> str:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    response = client.get(f"/components/{component.identifier}/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</(section|ol|table)>', page, re.S)
    assert found, testid
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


def test_the_page_shows_the_failures_and_the_mean_time_between_them(world: World) -> None:
    cover = make_cover(world)
    for days in (0, 3, 9):
        filed_on(world, cover, MONDAY_10 + days * DAY)
    declined = report_on(world, cover, at=MONDAY_10 + 10 * DAY)
    wf.decline_case(declined, actor=world.actors.acceptor, reason="不属实")
    figures = section(page_of(world.acceptor, cover), "component-failures")
    # gaps of 72 h and 144 h
    assert "Failures 3 First failure 2026-11-23 10:00 Last failure 2026-12-02 10:00" in figures
    assert "Mean time between failures (MTBF) 108.0 hours" in figures
    rows = section(page_of(world.acceptor, cover), "component-cases")
    assert rows.count(" yes") == 3
    assert f"{declined.number} 上水井盖 Not accepted (不予受理) 2026-12-03 10:00 —" in rows


def test_a_component_without_failures_says_so(world: World) -> None:
    figures = section(page_of(world.acceptor, make_cover(world)), "component-failures")
    assert "Failures 0 First failure — Last failure — Mean time between failures (MTBF) —" in (
        figures
    )


def test_the_status_changes_a_case_made_name_and_link_the_case(world: World) -> None:
    cover = make_cover(world)
    case = report_on(world, cover)
    wf.decline_case(case, actor=world.actors.acceptor, reason="不属实", now=MONDAY_10 + DAY)
    page = page_of(world.acceptor, cover)
    changes = section(page, "status-history")
    assert f"Intact (完好) → Damaged (破损) · inspector · case {case.number}" in changes
    assert f"Damaged (破损) → Intact (完好) · acceptor · case {case.number}" in changes
    assert page.count(f'href="/cases/{case.number}/"') == 3  # two changes and the cases table


def test_a_case_the_viewer_may_not_open_is_not_named_but_still_counts(world: World) -> None:
    cover = make_cover(world)
    case = filed_on(world, cover)
    page = page_of(world.handler_b, cover)  # department B sees no filed, undispatched case
    assert "· a case your post cannot open" in section(page, "status-history")
    assert case.number not in page
    assert "No cases." in section(page, "component-cases")
    assert "Failures 1 " in section(page, "component-failures")


def test_the_page_asks_the_same_number_of_queries_for_one_case_or_many(world: World) -> None:
    cover = make_cover(world)
    filed_on(world, cover)
    client = Client()
    client.force_login(world.acceptor)
    url = f"/components/{cover.identifier}/"
    client.get(url)  # the calendar and the post's scope are cached per process
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for days in (1, 2, 3):
        filed_on(world, cover, MONDAY_10 + days * DAY)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four.captured_queries) == len(one.captured_queries)
