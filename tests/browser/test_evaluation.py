"""A leader's evaluation in headless Chromium: from the navigation to a unit's figure, down to
the cases behind it, the printable report checking its audit chain, and the XLSX report made
in the background."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import signed_in
from tests.cases.conftest import World
from tests.cases.making import dispatched

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_leader_follows_a_units_figure_to_its_cases_and_prints_the_report(
    page: Page, live_server: Any, world: World, errors: list[str]
) -> None:
    first, second = dispatched(world), dispatched(world)
    signed_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/")  # the leader's home
    page.get_by_role("link", name="绩效评价").first.click()
    period = page.get_by_test_id("evaluation-period")
    period.get_by_label("期间").fill("2026-11")
    period.get_by_role("button", name="查询").click()
    unit = page.locator(f'tr[data-key="{world.org.department_a.pk}"]')
    expect(unit).to_contain_text(world.org.department_a.name)
    unit.locator('td[data-count="dispatched"] a').first.click()
    expect(page.get_by_test_id("drill-total")).to_contain_text("2")
    expect(page.get_by_test_id("drill-rows")).to_contain_text(first.number)
    expect(page.get_by_test_id("drill-rows")).to_contain_text(second.number)
    page.goto(f"{live_server.url}/evaluation/report/?period=2026-11")
    expect(page.get_by_test_id("evaluation-chain")).to_contain_text("校验通过")
    expect(page.get_by_test_id("headline")).to_contain_text("立案数")
    assert errors == []


def test_a_leader_has_the_xlsx_report_made_and_downloads_it(
    page: Page, live_server: Any, world: World, errors: list[str], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    dispatched(world)
    signed_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/evaluation/?period=2026-11")
    page.get_by_role("link", name="XLSX 报表").click()
    page.get_by_role("button", name="生成 XLSX 报表").click()
    run = page.get_by_test_id("evaluation-run").first
    expect(run).to_contain_text("2026-11")
    expect(run).to_contain_text("校验通过（1 件案件）")
    with page.expect_download() as download:
        run.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.startswith("evaluation-2026-11-")
    assert errors == []


def test_on_a_phone_the_report_and_the_navigation_stay_within_the_screen(
    page: Page, live_server: Any, world: World, errors: list[str]
) -> None:
    dispatched(world)
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/evaluation/report/?period=2026-11")
    expect(page.get_by_test_id("evaluation-chain")).to_contain_text("校验通过")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    navigation = page.locator("nav.workspaces").bounding_box()
    assert navigation is not None and navigation["height"] < 60  # one row, not a column
    assert errors == []
