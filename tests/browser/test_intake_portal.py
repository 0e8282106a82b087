"""The public portal in Chromium at phone size: a citizen places the pin on the map, writes a
few words, adds a photo and receives a case number and a tracking code; nothing breaks the
Content-Security-Policy and nothing overflows the screen's width."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, Channel
from tests.browser.conftest import Screenshot
from tests.cases.conftest import EAST, World
from tests.cases.test_photos import encoded, picture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_citizen_on_a_phone_places_a_pin_and_reports(
    page: Page,
    live_server: object,
    world: World,
    media: Path,
    errors: list[str],
    screenshot: Screenshot,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/public/")
    page.get_by_role("link", name="上报问题").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("上报问题")
    # The district's outline arrives and the map fits it: its middle lies in the district.
    expect(
        page.locator("#report-map path.leaflet-interactive, #report-map path")
    ).not_to_have_count(0)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": EAST[0], "latitude": EAST[1]})
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("#id_lon")).to_have_value(f"{EAST[0]:.7f}")
    page.locator("#report-map").click(position={"x": 60, "y": 130})  # the pin moves there
    expect(page.locator("#map-status")).to_have_text("已标出位置：可拖动标记到准确的地点。")
    expect(page.locator("#id_lon")).not_to_have_value(f"{EAST[0]:.7f}")
    page.get_by_label("问题类型").select_option(label="暴露垃圾")
    page.get_by_label("问题描述").fill("路口有一堆建筑垃圾")
    page.get_by_label("照片").set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": encoded(picture())}
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "portal-report-phone")
    page.get_by_role("button", name="提交上报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("谢谢，您的上报已收到")
    number = page.get_by_test_id("case-number").inner_text()
    expect(page.get_by_test_id("tracking-code")).to_have_text(
        re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
    )
    screenshot(page, "portal-receipt-phone")
    case = Case.objects.get(number=number)
    assert (case.channel, case.case_type, case.photos.count()) == (Channel.WEB, world.garbage, 1)
    page.get_by_role("link", name="查询我的上报").click()
    expect(page.get_by_test_id("stage")).to_have_text("已收到")
