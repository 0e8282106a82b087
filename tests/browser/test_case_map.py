"""The case page's mini-map in headless Chromium: the case's point on its unit grid, outlined,
among the grids around it, without a tile server."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from geo.map_layers import forget_map_layers
from tests.browser.conftest import signed_in
from tests.cases.conftest import WEST, World
from tests.cases.making import dispatched
from tests.geo.territory import grid_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_mini_map_shows_the_case_on_its_grid_outline_among_its_neighbours(
    page: Page, live_server: Any, world: World, errors: list[str]
) -> None:
    forget_map_layers()
    number = dispatched(world, where=WEST).number
    signed_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/cases/{number}/")
    mini_map = page.get_by_test_id("case-map")
    expect(mini_map.locator("path.ug-case-point")).to_have_count(1)
    expect(mini_map.locator("path.ug-case-grid")).to_have_count(1)
    expect(mini_map.locator("path.ug-grid")).to_have_count(3)  # a corner grid's neighbours
    box = mini_map.bounding_box()
    assert box is not None and box["height"] > 150
    point = mini_map.locator("path.ug-case-point").bounding_box()
    outline = mini_map.locator("path.ug-case-grid").bounding_box()
    assert point is not None and outline is not None
    centre = (point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
    assert outline["x"] < centre[0] < outline["x"] + outline["width"]  # the point in its grid
    assert outline["y"] < centre[1] < outline["y"] + outline["height"]
    mini_map.locator("path.ug-case-grid").hover(position={"x": 5, "y": 5})
    expect(page.locator(".leaflet-tooltip")).to_have_text(grid_code("001", "001", 3))


def test_with_a_tile_server_the_mini_map_lays_the_case_on_the_base_map(
    page: Page, live_server: Any, world: World, errors: list[str], settings: Any
) -> None:
    # Any image of this origin stands in for a tile server (CSP allows this origin only).
    settings.MAP_TILE_URL = f"{live_server.url}/static/leaflet/images/layers.png?{{z}}/{{x}}/{{y}}"
    settings.MAP_TILE_ATTRIBUTION = "© 测试 <b>底图</b>"
    forget_map_layers()
    number = dispatched(world, where=WEST).number
    signed_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/cases/{number}/")
    mini_map = page.get_by_test_id("case-map")
    expect(mini_map.locator("img.leaflet-tile-loaded").first).to_be_visible()
    expect(mini_map.locator(".leaflet-control-attribution")).to_contain_text("© 测试 <b>底图</b>")
    expect(mini_map.locator("path.ug-case-point")).to_have_count(1)
