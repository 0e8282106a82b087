"""The acceptor's camera page in Chromium: find a camera by name, report what it shows, and
land on the new case; no script or style is refused by the Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, Channel
from intake.partners.models import Camera
from tests.browser.conftest import signed_in
from tests.cases.conftest import WEST, World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_acceptor_reports_from_a_camera_found_by_name(
    page: Page, live_server: object, world: World, errors: list[str]
) -> None:
    Camera.objects.create(code="CAM-0001", name="中山路口东", lon=WEST[0], lat=WEST[1])
    Camera.objects.create(code="CAM-0002", name="建设路北口", lon=WEST[0], lat=WEST[1])
    base = live_server.url  # type: ignore[attr-defined]
    signed_in(page, base, "acceptor")
    page.goto(f"{base}/partners/cameras/")
    page.get_by_label("摄像头编号或名称").fill("中山路")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("camera-list").locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="从此摄像头上报").click()
    expect(page.get_by_test_id("camera-code")).to_have_text("CAM-0001")
    page.get_by_label("小类").select_option(label="0110 暴露垃圾")
    page.get_by_label("视频中看到的问题").fill("视频巡查发现路边垃圾堆积")
    page.get_by_role("button", name="上报").click()
    case = Case.objects.get()
    expect(page).to_have_url(f"{base}/cases/{case.number}/")
    expect(page.locator(".message")).to_contain_text(case.number)
    assert (case.channel, case.case_type) == (Channel.CAMERA, world.garbage)
    assert errors == []
