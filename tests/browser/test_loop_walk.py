"""The whole loop in Chromium, each post signing in on the login page and working only through
the pages, as a person would: an inspector's report is accepted, filed, dispatched, signed for
and handled with an after-photo, checked on site and closed. Each step's page is kept as a
full-page screenshot when $URBANGRID_ARTIFACTS names a folder. Then the unit
terminal's part again on a phone, where nothing may overflow sideways."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    FilePayload,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from cases.models import Case, PhotoStage, Status
from tests.browser.conftest import Screenshot
from tests.browser.test_login import sign_in
from tests.cases.conftest import World
from tests.cases.making import dispatched, reported
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = ViewportSize(width=1366, height=768)
PHONE = ViewportSize(width=390, height=844)


class Walk:
    """Each person in a browser of their own, signed in through the login page; every page
    kept as a numbered screenshot; console errors and uncaught exceptions collected."""

    def __init__(
        self, browser: Browser, base: str, screenshot: Screenshot, viewport: ViewportSize
    ) -> None:
        self.browser, self.base, self.viewport = browser, base, viewport
        self.screenshot = screenshot
        self.step = 0
        self.errors: list[str] = []
        self.widths: dict[str, int] = {}  # each screenshot's page width, scrolled sideways
        self.contexts: list[BrowserContext] = []

    def sign_in(self, username: str) -> Page:
        context = self.browser.new_context(locale="zh-CN", viewport=self.viewport)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        sign_in(page, self.base, username, PASSWORD)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium asks for /favicon.ico on its own; the product has none yet.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            self.errors.append(f"{message.text} at {message.location['url']}")

    def shoot(self, page: Page, name: str) -> None:
        self.step += 1
        self.screenshot(page, f"{self.step:02d}-{name}")
        self.widths[name] = page.evaluate("document.documentElement.scrollWidth")

    def usable(self, control: Locator) -> Locator:
        """A control a person can reach: shown, and not cut off at the screen's right edge."""
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= self.viewport["width"], control
        return control

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def walk(browser: Browser, live_server: Any, screenshot: Screenshot, media: Path) -> Iterator[Walk]:
    walk = Walk(browser, live_server.url, screenshot, DESKTOP)
    yield walk
    walk.close()
    assert walk.errors == []


def open_from_queue(page: Page, queue: str, number: str) -> None:
    """On a desk, open the case from one of its queues."""
    page.locator(f'[data-queue="{queue}"]').get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def verb_form(page: Page, verb: str) -> Locator:
    """The form of a verb on the case page, unfolded as a person would."""
    details = page.locator(f'details[data-verb="{verb}"]')
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def status_is(page: Page, status: str) -> None:
    expect(page.locator(".message")).to_contain_text("已完成")
    expect(page.locator("h1 small")).to_have_text(status)


def after_photo() -> FilePayload:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(buffer, "JPEG")
    return FilePayload(name="after.jpg", mimeType="image/jpeg", buffer=buffer.getvalue())


def sign_and_feed_back(page: Page, number: str, walk: Walk) -> None:
    """The unit terminal's part: sign for the case, add the after-photo, report it handled."""
    walk.shoot(page, "handler-desk")
    open_from_queue(page, "to_sign", number)
    walk.usable(verb_form(page, "sign").get_by_role("button", name="签收")).click()
    status_is(page, "处置中")
    walk.shoot(page, "handler-signed")
    photo = verb_form(page, "photo")
    walk.usable(photo.get_by_label("环节")).select_option(label="处置")
    walk.usable(photo.get_by_label("照片")).set_input_files(after_photo())
    walk.usable(photo.get_by_role("button", name="上传")).click()
    expect(page.locator(".message")).to_have_text("照片已添加。")
    expect(page.locator(".photos img")).to_have_count(1)
    # Waited for: the page's other files (the mini-map's Leaflet) may come before it.
    loaded = "() => [...document.querySelectorAll('.photos img')].every(i => i.naturalWidth > 0)"
    page.wait_for_function(loaded, timeout=5000)  # times out if the thumbnail does not load
    walk.shoot(page, "handler-after-photo")
    form = verb_form(page, "feedback")
    walk.usable(form.get_by_label("理由或备注")).fill("垃圾已清运，现场已冲洗")
    walk.usable(form.get_by_role("button", name="处置反馈")).click()
    status_is(page, "已反馈")
    walk.shoot(page, "handler-fed-back")


def test_a_report_goes_round_the_loop_through_the_pages_of_every_post(
    walk: Walk, world: World
) -> None:
    number = reported(world, at=timezone.now()).number  # the inspector's report (app: step 7)

    acceptor = walk.sign_in("acceptor")
    walk.shoot(acceptor, "acceptor-desk")
    open_from_queue(acceptor, "new", number)
    expect(acceptor.locator("h1 small")).to_have_text("待受理")
    verb_form(acceptor, "accept").get_by_role("button", name="受理").click()
    status_is(acceptor, "已受理，待立案")
    walk.shoot(acceptor, "acceptor-accepted")

    shift_leader = walk.sign_in("shift_leader")
    open_from_queue(shift_leader, "to_file", number)
    form = verb_form(shift_leader, "file")
    form.get_by_role("radio", name="堵塞道路").check()  # the urgent condition
    form.get_by_role("button", name="立案").click()
    status_is(shift_leader, "已立案")
    walk.shoot(shift_leader, "shift-leader-filed")

    dispatcher = walk.sign_in("dispatcher")
    open_from_queue(dispatcher, "to_dispatch", number)
    form = verb_form(dispatcher, "dispatch")
    form.get_by_label("主办单位").select_option("DA")
    form.get_by_label("理由或备注").fill("属市政设施")
    form.get_by_role("button", name="派遣").click()
    status_is(dispatcher, "已派遣")
    walk.shoot(dispatcher, "dispatcher-dispatched")

    sign_and_feed_back(walk.sign_in("handler_a"), number, walk)

    acceptor.goto(f"{walk.base}/")
    open_from_queue(acceptor, "to_check", number)
    form = verb_form(acceptor, "send_check")
    form.get_by_label("监督员").select_option("inspector")
    form.get_by_role("button", name="发核查").click()
    status_is(acceptor, "核查中")
    walk.shoot(acceptor, "acceptor-sent-check")

    inspector = walk.sign_in("inspector")
    inspector.get_by_role("navigation").get_by_role("link", name="案卷").click()
    inspector.get_by_test_id("case-list").get_by_role("link", name=number).click()
    verb_form(inspector, "check").get_by_role("button", name="处置到位", exact=True).click()
    status_is(inspector, "核查通过")
    walk.shoot(inspector, "inspector-checked")

    shift_leader.goto(f"{walk.base}/")
    open_from_queue(shift_leader, "to_close", number)
    verb_form(shift_leader, "close").get_by_role("button", name="结案").click()
    status_is(shift_leader, "已结案")
    walk.shoot(shift_leader, "shift-leader-closed")

    case = Case.objects.get(number=number)
    assert case.status == Status.CLOSED and case.responsible_unit == world.org.department_a
    assert case.photos.filter(stage=PhotoStage.HANDLING).count() == 1
    assert case.condition == world.urgent
    assert walk.step == 11  # every page of the loop was reached


def test_the_unit_terminal_works_on_a_phone_without_sideways_scrolling(
    walk: Walk, world: World
) -> None:
    walk.viewport = PHONE
    number = dispatched(world, at=timezone.now()).number
    sign_and_feed_back(walk.sign_in("handler_a"), number, walk)
    assert Case.objects.get(number=number).status == Status.HANDLED
    assert len(walk.widths) == 4
    assert {name: width for name, width in walk.widths.items() if width > PHONE["width"]} == {}
