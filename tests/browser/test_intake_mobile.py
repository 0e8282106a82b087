"""The inspector app at phone size in Chromium: a report made with no network waits on the
phone and is sent exactly once when the network returns; a verify task answered with a photo;
the installed app (its service worker's shell) opens with no network."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from cases import deadlines
from cases import workflow as wf
from cases.models import Case, Channel
from cases.reporting import report_case
from org.access import Actor
from tests.browser.conftest import Screenshot, signed_in
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import public_report

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(out, "JPEG")
    return out.getvalue()


def phone(browser: Browser) -> BrowserContext:
    """A phone at the district's west point. The service worker is blocked: the outbox is
    under test, not the shell's cache (which has a test of its own)."""
    return browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        geolocation={"longitude": WEST[0], "latitude": WEST[1], "accuracy": 8},
        permissions=["geolocation"],
        service_workers="block",
    )


def idle(page: Page) -> None:
    """Wait until the page has no request open: the test's queries and the live server's
    share SQLite's one in-memory connection."""
    for _ in range(100):  # wait_for_function would need eval, which the CSP forbids
        if not page.evaluate("window.urbangridMobileBusy || 0"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page kept a request open")


def lose_answer(route: Route, lost: list[str]) -> None:
    """The first POST to this address reaches the server; its answer never reaches the page."""
    name = "photos" if route.request.url.endswith("/photos") else "/api/v1/cases"
    if route.request.method != "POST" or name in lost:
        route.continue_()
        return
    route.fetch()
    lost.append(name)
    route.abort("connectionreset")


def test_a_report_made_offline_is_sent_once_when_the_network_returns(
    browser: Browser, live_server: object, world: World, media: Path, screenshot: Screenshot
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error"
            and "ERR_INTERNET_DISCONNECTED" not in m.text
            and "ERR_CONNECTION_RESET" not in m.text
            else None
        ),
    )
    try:
        signed_in(page, base, "inspector")
        page.goto(f"{base}/m/")
        expect(page.get_by_test_id("where")).to_contain_text(f"{WEST[0]:.6f}")
        expect(page.locator("#type option[value='0110']")).to_have_count(1)

        context.set_offline(True)
        expect(page.get_by_test_id("network")).to_have_text("离线")
        page.locator("#map").click(position={"x": 200, "y": 120})  # the pin, moved by hand
        page.get_by_label("问题描述").fill("人行道上堆了建筑垃圾")
        page.get_by_label("小类").select_option("0110")
        page.locator("#photos").set_input_files(
            {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
        )
        expect(page.locator("#thumbs img")).to_have_count(1)
        page.locator("#report").get_by_role("button", name="上报").click()
        expect(page.get_by_test_id("pending-count")).to_have_text("1")
        expect(page.get_by_test_id("outbox")).to_contain_text("人行道上堆了建筑垃圾")
        assert Case.objects.count() == 0

        # Back online, the report and then its photo reach the server but their answers are
        # lost on the way back: each is sent again ("send now") and stored only once.
        lost: list[str] = []
        page.route("**/api/v1/cases", lambda route: lose_answer(route, lost))
        page.route("**/api/v1/cases/*/photos", lambda route: lose_answer(route, lost))
        outbox = page.get_by_test_id("outbox")
        context.set_offline(False)  # the online event sends the outbox
        expect(outbox).to_contain_text("已尝试 1 次 · 无网络连接", timeout=15000)
        outbox.get_by_role("button", name="立即发送").click()
        expect(outbox).to_contain_text("已尝试 2 次 · 无网络连接")
        expect(outbox).to_contain_text("照片已发送 0 / 1 张")
        outbox.get_by_role("button", name="立即发送").click()
        expect(page.get_by_test_id("pending-count")).to_have_text("0", timeout=15000)
        assert lost == ["/api/v1/cases", "photos"]
        page.get_by_role("button", name="我的上报").click()
        expect(page.get_by_test_id("my-reports").locator("li")).to_have_count(1)
        idle(page)
        case = Case.objects.get()
        expect(page.get_by_test_id("my-reports")).to_contain_text(case.number)
        assert case.channel == Channel.INSPECTOR and case.reporter == world.inspector
        assert case.case_type == world.garbage and case.observed_at is not None
        assert case.point.x != WEST[0]  # where the pin was put, not the phone
        assert case.photos.count() == 1
        screenshot(page, "mobile-my-reports")
        assert Case.objects.count() == 1
        assert errors == []
        # The supervision center finds it once among the new reports to accept.
        desk = browser.new_context(locale="zh-CN")
        center = desk.new_page()
        signed_in(center, base, "acceptor")
        center.goto(f"{base}/cases/?view=new")
        expect(center.get_by_role("link", name=case.number, exact=True)).to_have_count(1)
        desk.close()
    finally:
        context.close()


def queue_offline(page: Page, context: BrowserContext, base: str, descriptions: list[str]) -> None:
    """The inspector signs in, goes offline and reports each description: all wait on the phone."""
    signed_in(page, base, "inspector")
    page.goto(f"{base}/m/")
    expect(page.get_by_test_id("where")).to_contain_text(f"{WEST[0]:.6f}")
    context.set_offline(True)
    for queued, description in enumerate(descriptions, start=1):
        page.get_by_label("问题描述").fill(description)
        page.locator("#report").get_by_role("button", name="上报").click()
        expect(page.get_by_test_id("pending-count")).to_have_text(str(queued))


def test_a_report_the_server_fails_on_does_not_hold_back_the_next(
    browser: Browser, live_server: object, world: World, media: Path
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = phone(browser)
    page = context.new_page()
    try:
        queue_offline(page, context, base, ["服务器处理不了的上报", "第二条上报"])

        def fail_the_first(route: Route) -> None:
            body = route.request.post_data or ""
            if route.request.method == "POST" and "服务器处理不了" in body:
                route.fulfill(status=500, body="{}", content_type="application/json")
            else:
                route.continue_()

        page.route("**/api/v1/cases", fail_the_first)
        context.set_offline(False)
        expect(page.get_by_test_id("pending-count")).to_have_text("1", timeout=15000)
        expect(page.get_by_test_id("outbox")).to_contain_text("服务器暂时无法接收")
        idle(page)
        assert list(Case.objects.values_list("description", flat=True)) == ["第二条上报"]
    finally:
        context.close()


def test_while_the_platform_is_unavailable_the_whole_outbox_waits(
    browser: Browser, live_server: object, world: World, media: Path
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = phone(browser)
    page = context.new_page()
    try:
        queue_offline(page, context, base, ["第一条上报", "第二条上报"])
        tried: list[str] = []

        def unavailable(route: Route) -> None:  # the database restarting (config/unavailable.py)
            if route.request.method != "POST":
                route.continue_()
                return
            tried.append(route.request.post_data or "")
            route.fulfill(status=503, headers={"Retry-After": "5"}, body="{}",
                          content_type="application/json")  # fmt: skip

        page.route("**/api/v1/cases", unavailable)
        context.set_offline(False)
        expect(page.get_by_test_id("outbox")).to_contain_text("服务器暂时无法接收")
        idle(page)
        expect(page.get_by_test_id("pending-count")).to_have_text("2")
        assert len(tried) == 1 and "第一条上报" in tried[0]  # the second was not tried
        page.unroute("**/api/v1/cases")
        context.set_offline(True)
        context.set_offline(False)  # the online event sends the outbox again
        expect(page.get_by_test_id("pending-count")).to_have_text("0", timeout=15000)
        idle(page)
        assert sorted(Case.objects.values_list("description", flat=True)) == [
            "第一条上报",
            "第二条上报",
        ]
    finally:
        context.close()


def test_an_inspector_confirms_a_verify_task_with_a_photo(
    browser: Browser, live_server: object, world: World, media: Path
) -> None:
    case = public_report(world)
    wf.send_verify(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    base = live_server.url  # type: ignore[attr-defined]
    context = phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        signed_in(page, base, "inspector")
        page.goto(f"{base}/m/")
        page.get_by_role("button", name="任务").click()
        task = page.get_by_test_id("tasks").locator("li", has_text=case.number)
        expect(task).to_contain_text("核实")
        task.get_by_role("button", name="处理任务").click()
        task.get_by_role("radio", name="属实", exact=True).check()
        task.get_by_label("理由或备注").fill("现场确有垃圾")
        task.locator('input[type="file"]').set_input_files(
            {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
        )
        expect(task.locator("img")).to_have_count(1)
        task.get_by_role("button", name="发送").click()
        expect(page.locator("#flash")).to_have_text("任务结果已发送。", timeout=15000)
        idle(page)
        case.refresh_from_db()
        assert case.verified is True and case.tasks.get().outcome == "confirmed"
        assert case.photos.filter(stage="report").count() == 1
        expect(page.get_by_test_id("tasks")).not_to_contain_text(case.number)
        assert errors == []
    finally:
        context.close()


def test_my_tasks_are_listed_nearest_first_with_their_lights(
    browser: Browser, live_server: object, world: World
) -> None:
    now = timezone.now()
    far = report_case(
        actor=Actor.public(), channel=Channel.APP, description="远处的垃圾",
        lon=EAST[0], lat=EAST[1], now=now - timedelta(hours=2),
    )  # fmt: skip
    near = public_report(world)
    inspector = world.person(world.inspector)
    # Sent first, so the server lists the far one first (by due time).
    wf.send_verify(
        far, actor=world.actors.acceptor, inspector=inspector, now=now - timedelta(hours=2)
    )
    wf.send_verify(near, actor=world.actors.acceptor, inspector=inspector, now=now)
    base = live_server.url  # type: ignore[attr-defined]
    context = phone(browser)
    page = context.new_page()
    try:
        signed_in(page, base, "inspector")
        page.goto(f"{base}/m/")
        page.get_by_role("button", name="任务").click()
        rows = page.get_by_test_id("tasks").locator("li")
        expect(rows).to_have_count(2)
        assert [rows.nth(n).get_attribute("data-number") for n in range(2)] == [
            near.number,
            far.number,
        ]
        for row, case in zip((rows.nth(0), rows.nth(1)), (near, far), strict=True):
            case.refresh_from_db()
            expected = deadlines.light(case, timezone.now())
            assert expected is not None
            expect(row.locator("span.light")).to_have_class(re.compile(rf"\b{expected}\b"))
        # Each with its distance from the phone, which stands at the near one.
        expect(rows.nth(0)).to_contain_text("· 0 米")
        expect(rows.nth(1)).to_contain_text(re.compile(r"· [1-9][\d.]* (米|公里)"))
    finally:
        context.close()


def test_the_installed_app_opens_without_a_network(
    browser: Browser, live_server: object, world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, service_workers="allow"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        signed_in(page, base, "inspector")
        page.goto(f"{base}/m/")
        for _ in range(100):  # the worker installs the shell, then takes control of the page
            if page.evaluate("Boolean(navigator.serviceWorker.controller)"):
                break
            page.wait_for_timeout(100)
        else:
            raise AssertionError("the service worker never took control of the app")
        idle(page)
        context.set_offline(True)
        page.reload()
        expect(page.get_by_test_id("network")).to_have_text("离线")
        expect(page.locator("#report").get_by_role("button", name="上报")).to_be_visible()
        assert errors == []
        # Signed out, the phone no longer opens this inspector's page without a network.
        context.set_offline(False)
        page.reload()
        page.get_by_role("button", name="我的上报").click()
        page.locator("#sign-out").get_by_role("button").click()
        expect(page).to_have_url(re.compile(r"/login/"))
        context.set_offline(True)
        with pytest.raises(PlaywrightError):
            page.goto(f"{base}/m/")
    finally:
        context.close()
