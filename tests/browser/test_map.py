"""The map page in headless Chromium, on the small territory of tests/geo/territory.py.

Texts of the page itself are read from its own config, so the tests hold in any language.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import Point

from geo.gazetteer import forget_gazetteer
from geo.map_layers import forget_map_layers
from geo.models import PointOfInterest
from geo.territory_import import import_territory
from org.roles import Role, Scope
from tests.browser.conftest import signed_in
from tests.conftest import Org, make_person
from tests.geo.territory import STEP, X0, Y0, grid_code, small_territory

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
GRIDS = "path.ug-grid"


@pytest.fixture
def map_page(page: Page, live_server: Any, org: Org, errors: list[str]) -> Page:
    forget_map_layers()
    assert import_territory(small_territory()).ok
    make_person("inspector", Role.INSPECTOR, org.center, Scope.DISTRICT)
    open_map(page, live_server.url)
    return page


def open_map(page: Page, base: str) -> None:
    """The inspector's map, once its scripts have run. (With SQLite the live server's threads
    share one connection, so the test keeps pages from loading side by side.)"""
    signed_in(page, base, "inspector")
    page.goto(f"{base}/map/")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/map/") + "(#.*)?$"))
    # The address changes before the deferred scripts run: a search typed earlier than
    # "load" would be submitted by the browser itself, as a plain GET.
    page.wait_for_load_state()


def page_text(page: Page, key: str) -> str:
    return str(
        page.evaluate(
            "key => JSON.parse(document.getElementById('map-config').textContent).text[key]", key
        )
    )


def zoom(page: Page, direction: str, times: int) -> None:
    """Press Leaflet's zoom button, each time waiting for the zoom to end."""
    step = 1 if direction == "in" else -1
    for _ in range(times):
        level = int(page.get_by_test_id("map").get_attribute("data-zoom") or "")
        page.locator(f".leaflet-control-zoom-{direction}").click()
        expect(page.get_by_test_id("map")).to_have_attribute("data-zoom", str(level + step))


def hover_map_centre(page: Page) -> None:
    box = page.get_by_test_id("map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_the_grids_appear_when_zoomed_in_and_show_their_code_on_hover(map_page: Page) -> None:
    page = map_page
    expect(page.locator(".leaflet-outlines-pane path")).to_have_count(7)  # 1 + 2 + 4 outlines
    expect(page.locator(GRIDS)).to_have_count(16)
    zoom(page, "out", 4)
    expect(page.locator(GRIDS)).to_have_count(0)
    expect(page.get_by_test_id("map-status")).to_have_text(page_text(page, "zoomIn"))
    zoom(page, "in", 4)
    expect(page.locator(GRIDS)).to_have_count(16)
    page.locator(GRIDS).first.hover()
    expect(page.locator(".leaflet-tooltip")).to_have_text(grid_code("001", "001", 1))


def test_clicking_a_grid_shows_where_it_belongs(map_page: Page) -> None:
    page = map_page
    expect(page.locator(GRIDS)).to_have_count(16)
    page.locator(GRIDS).nth(5).click()  # grids come in code order
    details = page.get_by_test_id("map-details")
    expect(details).to_be_visible()
    expect(details).to_contain_text(grid_code("001", "002", 2))
    expect(details).to_contain_text("社区001002")
    expect(details).to_contain_text("街道001")
    expect(details).to_contain_text("示范区")


def test_searching_a_grid_code_zooms_to_that_grid(map_page: Page) -> None:
    page = map_page
    expect(page.locator(GRIDS)).to_have_count(16)
    zoom(page, "out", 4)
    expect(page.locator(GRIDS)).to_have_count(0)
    code = grid_code("002", "002", 4)
    page.locator("#map-q").fill(code)
    page.locator("#map-q").press("Enter")
    expect(page.get_by_test_id("map-results").get_by_role("button")).to_have_count(1)
    expect(page.get_by_test_id("map-details")).to_contain_text(code)
    expect(page.get_by_test_id("map")).to_have_attribute("data-zoom", "18")
    expect(page.locator(GRIDS).first).to_be_visible()  # zoomed in: the grid layer is back
    hover_map_centre(page)
    expect(page.locator(".leaflet-tooltip")).to_have_text(code)


def test_a_configured_tile_server_gives_the_base_layer(
    page: Page, live_server: Any, org: Org, errors: list[str], settings: Any
) -> None:
    # Any image of this origin stands in for a tile server (CSP allows this origin only).
    settings.MAP_TILE_URL = f"{live_server.url}/static/leaflet/images/layers.png?{{z}}/{{x}}/{{y}}"
    settings.MAP_TILE_ATTRIBUTION = "© 测试 <b>底图</b>"
    make_person("inspector", Role.INSPECTOR, org.center, Scope.DISTRICT)
    open_map(page, live_server.url)
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("© 测试 <b>底图</b>")
    expect(page.locator(".leaflet-control-layers-base input")).to_have_count(1)


def view_in_hash(page: Page) -> str:
    return str(page.evaluate("new URLSearchParams(location.hash.slice(1)).get('view')"))


def test_back_and_reload_return_to_the_same_view_and_layers(
    map_page: Page, live_server: Any
) -> None:
    page = map_page
    expect(page.locator(GRIDS)).to_have_count(16)
    zoom(page, "out", 1)
    level = page.get_by_test_id("map").get_attribute("data-zoom")
    page.locator(".leaflet-control-layers-overlays label").filter(
        has_text=page_text(page, "grids")
    ).locator("input").uncheck()
    expect(page).to_have_url(re.compile(r"#view=\d+/[\d.]+/[\d.]+&off=grids$"))
    view = view_in_hash(page)
    page.goto(f"{live_server.url}/cases/")
    page.go_back()
    for _ in range(2):  # back, then a reload
        expect(page.get_by_test_id("map")).to_have_attribute("data-zoom", str(level))
        assert view_in_hash(page) == view
        expect(page.locator(".leaflet-outlines-pane path")).to_have_count(7)
        expect(page.locator(GRIDS)).to_have_count(0)  # still switched off
        grids_box = page.locator(".leaflet-control-layers-overlays label").filter(
            has_text=page_text(page, "grids")
        )
        expect(grids_box.locator("input")).not_to_be_checked()
        page.reload()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (700, 900)])
def test_the_map_has_a_real_height_on_a_narrow_screen(
    page: Page, live_server: Any, org: Org, errors: list[str], width: int, height: int
) -> None:
    forget_map_layers()
    assert import_territory(small_territory()).ok
    make_person("inspector", Role.INSPECTOR, org.center, Scope.DISTRICT)
    page.set_viewport_size({"width": width, "height": height})
    open_map(page, live_server.url)
    expect(page.locator(GRIDS)).to_have_count(16)
    box = page.get_by_test_id("map").bounding_box()
    assert box is not None
    assert box["height"] >= 0.6 * height and box["width"] > 0.9 * width


def test_an_address_result_says_how_it_matched(map_page: Page) -> None:
    page = map_page
    lon, lat = X0 + 0.5 * STEP, Y0 + 0.5 * STEP
    PointOfInterest.objects.create(name="翠湖公园", category="park", point=Point(lon, lat))
    forget_gazetteer()
    page.locator("#map-q").fill("翠湖公园")
    page.locator("#map-q").press("Enter")
    result = page.get_by_test_id("map-results").get_by_role("button")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("翠湖公园")
    expect(result.locator(".map-match")).to_contain_text(page_text(page, "matched")[:4])
    assert len(result.locator(".map-match").inner_text()) > len(page_text(page, "matched"))
