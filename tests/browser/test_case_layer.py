"""The map's cases layer and its search in headless Chromium, on the small world of the
workflow tests: circles coloured by light, only the viewer's cases, a popup linking to the
case page, and search by case number."""

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from geo.map_layers import forget_map_layers
from tests.browser.conftest import signed_in
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import dispatched, reported

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cases(world: World) -> tuple[str, str]:
    """A long-overdue case of department A in the west, a fresh report in the east."""
    forget_map_layers()
    late = dispatched(world, where=WEST, unit=world.org.department_a).number
    fresh = reported(world, where=EAST, at=timezone.now()).number
    return late, fresh


def open_map_as(page: Page, base: str, username: str) -> None:
    signed_in(page, base, username)
    page.goto(f"{base}/map/")


def drawn(page: Page, count: int) -> None:
    expect(page.get_by_test_id("map")).to_have_attribute("data-cases", str(count))


def test_the_cases_are_drawn_by_light_and_open_a_popup_linking_to_the_case(
    page: Page, live_server: Any, cases: tuple[str, str], errors: list[str]
) -> None:
    late, _fresh = cases
    open_map_as(page, live_server.url, "dispatcher")
    drawn(page, 2)
    expect(page.locator("path.ug-case-red")).to_have_count(1)
    expect(page.locator("path.ug-case-green")).to_have_count(1)
    page.locator("path.ug-case-red").click()
    popup = page.get_by_test_id("case-popup")
    expect(popup).to_contain_text(late)
    expect(popup).to_contain_text("红灯")
    popup.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{late}/")


def test_the_filters_narrow_the_cases_and_a_handler_sees_only_its_own(
    page: Page, live_server: Any, cases: tuple[str, str], errors: list[str]
) -> None:
    open_map_as(page, live_server.url, "dispatcher")
    drawn(page, 2)
    page.locator("#case-light").select_option("red")
    drawn(page, 1)
    page.locator("#case-light").select_option("")
    # Its count equals the red filter's: wait for its answer, so that no request is still
    # out when the next user signs in (it would be answered 401).
    with page.expect_response(lambda answer: "status=reported" in answer.url):
        page.locator("#case-status").select_option("reported")
    drawn(page, 1)
    page.context.clear_cookies()
    open_map_as(page, live_server.url, "handler_a")
    drawn(page, 1)
    expect(page.locator("path.ug-case-red")).to_have_count(1)


def test_a_case_number_search_jumps_to_the_case_and_opens_its_popup(
    page: Page, live_server: Any, cases: tuple[str, str], errors: list[str]
) -> None:
    late, _fresh = cases
    open_map_as(page, live_server.url, "dispatcher")
    drawn(page, 2)
    page.locator("#map-q").fill(late)
    page.locator("#map-q").press("Enter")
    popup = page.get_by_test_id("case-popup")
    expect(popup).to_contain_text(late)
    expect(popup.get_by_role("link")).to_have_attribute("href", re.compile(f"/cases/{late}/$"))
    expect(page.get_by_test_id("map")).to_have_attribute("data-zoom", "18")
