"""The dashboard (大屏) in Chromium on a 1366×768 laptop screen: ECharts draws each chart on a
canvas, the heat map draws the grids with cases, today's figures refresh by themselves, and
nothing breaks the Content-Security-Policy or throws."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OneRequestAtATime, Screenshot, signed_in
from tests.cases.conftest import EAST, WEST, World
from tests.consoles.test_dashboard import closed_now, filed_now, reported

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHARTS = ("chart-months", "chart-days", "chart-hours", "chart-types")


def test_the_dashboard_draws_its_charts_and_map_and_refreshes_todays_figures(
    page: Page,
    live_server: object,
    world: World,
    errors: list[str],
    screenshot: Screenshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("consoles.dashboard.POLL_SECONDS", 1)  # the wall screen's 10 s, shortened
    closed_now(world, WEST)
    filed_now(world, WEST)
    filed_now(world, EAST)
    page.set_viewport_size({"width": 1366, "height": 768})
    base = live_server.url  # type: ignore[attr-defined]
    signed_in(page, base, "leader")
    page.goto(f"{base}/dashboard/")
    for chart in CHARTS:
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)
        expect(page.get_by_test_id(chart)).to_have_attribute("data-drawn", "true")
        box = page.get_by_test_id(chart).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 150
    heat = page.locator("#dash-map")
    expect(heat).to_have_attribute("data-grids", "2")  # two grids with cases filed
    expect(heat.locator("path.leaflet-interactive")).to_have_count(2)  # one disc for each
    # Three columns side by side on a laptop, not a phone's single column.
    kpis, heat_box = page.get_by_test_id("headline").bounding_box(), heat.bounding_box()
    assert kpis is not None and heat_box is not None and heat_box["x"] > kpis["x"] + kpis["width"]
    screenshot(page, "dashboard-1366")

    expect(page.get_by_test_id("today-reported")).to_have_text("3")
    with OneRequestAtATime.lock:  # the live server shares the test's database connection
        reported(world)
    expect(page.get_by_test_id("today-reported")).to_have_text("4", timeout=5_000)
    # Stop polling and let a poll in flight finish before the database is emptied.
    page.goto("about:blank")
    with OneRequestAtATime.lock:
        pass
