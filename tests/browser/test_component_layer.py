"""The map's component layer (部件) in headless Chromium, on the small territory of
tests/geo/territory.py: circles once zoomed in, the side panel's filters, the card on a click.

The circles are drawn on a canvas, which has no elements to count: the layer writes how many
it drew into the map's data-components attribute.
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import Point

from catalog.models import CaseType, Edition, MajorClass, TypeKind
from components.models import Component, ComponentStatus, change_status
from geo.map_layers import forget_map_layers
from geo.territory_import import import_territory
from org.roles import Role, Scope
from tests.browser.test_map import open_map, zoom
from tests.conftest import Org, make_person
from tests.geo.territory import STEP, X0, Y0, small_territory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Grid centres of the first row of grids, west to east.
PLACES = [(X0 + (i + 0.5) * STEP, Y0 + 0.5 * STEP) for i in range(4)]


@pytest.fixture
def components(org: Org) -> list[Component]:
    """Four components: three covers (one of them damaged) and a lamp."""
    forget_map_layers()
    assert import_territory(small_territory()).ok
    edition = Edition.objects.create(code="cjt214-2007", name="CJ/T 214-2007", type_code_length=4)
    major = MajorClass.objects.create(
        edition=edition, kind=TypeKind.COMPONENT, code="01", name="公用设施类"
    )
    cover = CaseType.objects.create(
        major=major, code="0101", name="上水井盖", default_department=org.department_a
    )
    lamp = CaseType.objects.create(
        major=major, code="0118", name="路灯", default_department=org.department_b
    )
    made = []
    for case_type, place in zip((cover, cover, cover, lamp), PLACES, strict=True):
        component = Component(case_type=case_type, point=Point(*place), owner=org.department_a)
        component.save()
        made.append(component)
    inspector = make_person("inspector", Role.INSPECTOR, org.center, Scope.DISTRICT)
    change_status(made[1], ComponentStatus.DAMAGED, inspector, "压坏")
    return made


@pytest.fixture
def map_page(page: Page, live_server: Any, components: list[Component], errors: list[str]) -> Page:
    open_map(page, live_server.url)
    return page


def layer_text(page: Page, key: str) -> str:
    return str(
        page.evaluate(
            "key => JSON.parse(document.getElementById('map-config').textContent)"
            ".components.text[key]",
            key,
        )
    )


def click_at(page: Page, lon: float, lat: float) -> None:
    """Click the map where lon/lat is drawn."""
    box = page.get_by_test_id("map").bounding_box()
    assert box is not None
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.urbangridMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)


def drawn(page: Page, count: int) -> None:
    expect(page.get_by_test_id("map")).to_have_attribute("data-components", str(count))


def test_the_components_appear_when_zoomed_in_and_go_when_zoomed_out(map_page: Page) -> None:
    page = map_page
    drawn(page, 4)
    expect(page.get_by_test_id("component-note")).to_have_text(
        layer_text(page, "shown").replace("{n}", "4")
    )
    zoom(page, "out", 3)
    drawn(page, 0)
    expect(page.get_by_test_id("component-note")).to_have_text(layer_text(page, "zoomIn"))
    zoom(page, "in", 3)
    drawn(page, 4)


def test_the_filters_hide_the_components_that_do_not_match(map_page: Page) -> None:
    page = map_page
    drawn(page, 4)
    page.locator("#component-status").select_option("damaged")
    drawn(page, 1)
    page.locator("#component-status").select_option("missing")
    drawn(page, 0)
    page.locator("#component-status").select_option("")
    page.locator("#component-type").select_option("0118")
    drawn(page, 1)
    page.locator("#component-type").select_option("")
    page.locator("#component-major").select_option("01")
    drawn(page, 4)


def test_the_layer_can_be_switched_off_in_the_layer_control(map_page: Page) -> None:
    page = map_page
    drawn(page, 4)
    page.locator(".leaflet-control-layers-overlays label").filter(
        has_text=layer_text(page, "layer")
    ).locator("input").uncheck()
    drawn(page, 0)


def test_clicking_a_component_shows_its_card_with_a_link_to_its_page(
    map_page: Page, components: list[Component], live_server: Any
) -> None:
    page = map_page
    drawn(page, 4)
    damaged = components[1]
    click_at(page, *PLACES[1])
    card = page.get_by_test_id("component-popup")
    expect(card).to_be_visible()
    expect(card).to_contain_text(damaged.identifier)
    expect(card).to_contain_text("0101 上水井盖")
    statuses = dict(
        page.evaluate(
            "JSON.parse(document.getElementById('map-config').textContent).components.statuses"
        )
    )
    expect(card).to_contain_text(statuses["damaged"])
    expect(card).to_contain_text("区市政所")
    link = card.get_by_role("link")
    expect(link).to_have_attribute("href", f"/components/{damaged.identifier}/")
    link.click()
    expect(page).to_have_url(f"{live_server.url}/components/{damaged.identifier}/")
    expect(page.get_by_test_id("status-history")).to_contain_text("压坏")
