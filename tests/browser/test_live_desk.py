"""The acceptor's desk in Chromium shows a report made meanwhile without a reload: the new
row and count appear at the next poll (every 4 s, shortened here), the link in focus keeps it,
and htmx runs under the CSP without an error."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import OneRequestAtATime, signed_in
from tests.cases.conftest import World
from tests.cases.making import reported

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_new_report_appears_on_the_open_desk_without_a_reload(
    page: Page,
    live_server: object,
    world: World,
    errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("consoles.desk.POLL_SECONDS", 1)  # the desk's 4 s, shortened
    first = reported(world, at=timezone.now()).number
    base = live_server.url  # type: ignore[attr-defined]
    signed_in(page, base, "acceptor")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/work/acceptor/")
    expect(page.get_by_test_id("count-new")).to_have_text("1")
    page.locator(f"#new-{first}").focus()  # someone working through the queue by keyboard
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads
    with OneRequestAtATime.lock:  # the live server shares the test's database connection
        number = reported(world, at=timezone.now()).number
    expect(page.get_by_test_id("count-new")).to_have_text("2", timeout=2000)
    expect(page.locator("#rows-new").get_by_role("link", name=number)).to_be_visible()
    expect(page.get_by_test_id("today-reported")).to_have_text("2")
    expect(page.locator(f"#new-{first}")).to_be_focused()
    assert page.evaluate("window.loadedOnce") is True
    # Stop polling and let a poll in flight finish before the database is emptied.
    page.goto("about:blank")
    with OneRequestAtATime.lock:
        pass
