"""A desk refreshes itself: the page polls its live parts (htmx), which answer with the
counts, rows and figures as out-of-band swaps, or 204 when nothing changed, at a query count
that does not grow with the cases."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from org.access import SESSION_POST
from org.roles import Role, Scope
from tests.cases.conftest import EAST, World
from tests.cases.making import filed, reported
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def poll_url(page: str) -> str:
    """Where the page (or the last answer) polls next."""
    found = re.search(r'id="desk-poll"[^>]*hx-get="([^"]+)"', page)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_the_desk_page_polls_its_live_parts_every_four_seconds(world: World) -> None:
    page = client_for(world.acceptor).get(reverse("workspace", args=["acceptor"])).content.decode()
    assert poll_url(page).startswith(reverse("workspace_live", args=["acceptor"]) + "?seen=")
    assert 'hx-trigger="every 4s"' in page
    # htmx comes from django-htmx's static files, with the page's CSP nonce.
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"[^>]* nonce="[\w-]', page)
    assert 'id="count-new" data-testid="count-new" aria-live="polite"' in page


def test_a_poll_answers_204_until_something_changes_then_the_new_counts(world: World) -> None:
    client = client_for(world.acceptor)
    page = client.get(reverse("workspace", args=["acceptor"])).content.decode()
    unchanged = client.get(poll_url(page), headers=HTMX)
    assert unchanged.status_code == 204 and unchanged.content == b""
    new = reported(world, at=timezone.now()).number
    answer = client.get(poll_url(page), headers=HTMX)
    text = answer.content.decode()
    assert answer.status_code == 200
    assert '<span id="count-new" hx-swap-oob="innerHTML">1</span>' in text
    assert new in text.split('id="rows-new"')[1].split("</div>")[0]
    assert 'data-testid="today-reported">1<' in text
    # The answer carries the next poll, which finds nothing new again.
    assert client.get(poll_url(text), headers=HTMX).status_code == 204


def test_a_poll_costs_the_same_queries_for_one_case_or_many(world: World) -> None:
    client = client_for(world.dispatcher)
    url = reverse("workspace_live", args=["dispatcher"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, headers=HTMX).status_code == 200
        return len(captured.captured_queries)

    filed(world, timezone.now())
    one = queries()
    for _ in range(6):
        filed(world, timezone.now(), where=EAST)
    assert queries() == one


def test_the_analysis_desk_costs_the_same_queries_for_one_case_or_many(world: World) -> None:
    analyst = make_person("analyst", Role.ANALYST, world.org.center, Scope.DISTRICT)
    client = client_for(analyst)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("workspace", args=["analyst"]))
        return len(captured.captured_queries)

    reported(world, at=timezone.now())
    one = queries()
    for _ in range(5):
        reported(world, at=timezone.now(), where=EAST)
    assert queries() == one


def test_polling_a_desk_does_not_choose_the_post_of_the_browser(world: World) -> None:
    user = world.handler_a
    user.person.memberships.create(role=Role.LEADER, unit=world.org.center, scope=Scope.DISTRICT)
    client = client_for(user)
    client.get(reverse("workspace", args=["leader"]))
    client.get(reverse("workspace_live", args=["handler"]), headers=HTMX)
    assert client.session[SESSION_POST] == Role.LEADER


def test_a_poll_after_signing_out_sends_the_page_to_sign_in(world: World) -> None:
    answer = Client().get(reverse("workspace_live", args=["acceptor"]), headers=HTMX)
    assert answer.status_code == 204
    assert answer["HX-Redirect"].startswith(reverse("login"))


def test_a_poll_of_a_desk_no_longer_held_reloads_the_page(world: World) -> None:
    answer = client_for(world.handler_a).get(
        reverse("workspace_live", args=["dispatcher"]), headers=HTMX
    )
    assert answer.status_code == 204 and answer["HX-Refresh"] == "true"
