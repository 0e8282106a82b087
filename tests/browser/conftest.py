"""Headless Chromium through Playwright, using Debian's /usr/bin/chromium (never a download).

Without Chromium the browser tests are skipped on a laptop, but CI sets
URBANGRID_REQUIRE_BROWSER=1 so that a missing browser fails the run instead of hiding it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread

from tests.cases.conftest import media, world  # noqa: F401  (fixtures of the case pages)

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = Path(os.environ.get("URBANGRID_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = os.environ.get("URBANGRID_ARTIFACTS", "")  # where screenshots go, if anywhere
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, running one request at a time. With SQLite in memory every request
    thread shares the test's one connection, and two requests using it at once fail
    ("bad parameter or other API misuse") when a page loads two layers together."""

    lock = threading.Lock()

    def set_app(self, application: Any) -> None:
        def serially(environ: Any, start_response: Any) -> list[bytes]:
            with self.lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(serially)


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server() -> None:
    LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("URBANGRID_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required but missing at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls the tests make are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Between its calls Playwright leaves that loop marked as running, and Django then looks
    # connections up per async context instead of per thread: without this, later tests in
    # the worker get a second connection that lacks the test database's serialized data.
    connections_before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in connections_before.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """Console errors (a CSP violation is one) and uncaught exceptions; none may occur."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium asks for /favicon.ico on its own; the product has none yet.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            found.append(f"{message.text} at {message.location['url']}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(str(error)))
    yield found
    assert found == []


type Screenshot = Callable[["Page", str], None]


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """Keeps a full-page screenshot for people to look at, as
    $URBANGRID_ARTIFACTS/<test>/<name>.png. Without that folder (CI) it keeps none: no test
    reads them, and each costs Chromium about 0.15 s."""

    def take(page: Page, name: str) -> None:
        if ARTIFACTS:
            folder = Path(ARTIFACTS) / request.node.name
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{name}.png", full_page=True)

    return take


def signed_in(page: Page, base: str, username: str) -> None:
    """The page's browser signed in as `username` without the login page, which test_login and
    the loop walk go through: a session made as Django's test client makes one, its cookie
    handed to the browser (a form sign-in costs a test about half a second)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
