"""The component page (/components/<identifier>/), and the map's compact component layer
(/components/layer.json) with the filters the map page offers for it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from components.models import ComponentStatus, change_status
from components.views import MAX_LAYER_POINTS
from tests.components.conftest import EAST, WEST, Catalog
from tests.components.making import make, reported_on, scatter
from tests.conftest import Org
from tests.geo.territory import STEP, X0, Y0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]
LAYER = "/components/layer.json"
WHOLE = f"{X0},{Y0},{X0 + 4 * STEP},{Y0 + 4 * STEP}"


def browser(user: User | None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def layer(user: User, **params: str) -> dict[str, Any]:
    response = browser(user).get(LAYER, params)
    assert response.status_code == 200, response.content
    return dict(json.loads(response.content))


# -- the page ----------------------------------------------------------------------------------


def test_the_page_shows_the_component_its_status_history_and_its_cases(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    cover = make(catalog.cover, WEST, owner=org.department_a, location_text="中山路北侧")
    change_status(cover, ComponentStatus.DAMAGED, inspector, "压坏")
    case = reported_on(cover, inspector)
    response = browser(inspector).get(f"/components/{cover.identifier}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert cover.identifier in page
    assert "上水井盖" in page and "中山路北侧" in page and "区市政所" in page
    assert "压坏" in page and "Damaged (破损)" in page
    assert f'href="/cases/{case.number}/"' in page


def test_the_page_lists_only_the_cases_the_viewer_may_see(
    catalog: Catalog, inspector: User, handler_b: User
) -> None:
    cover = make(catalog.cover, WEST)
    case = reported_on(cover, inspector)
    page = browser(handler_b).get(f"/components/{cover.identifier}/").content.decode()
    assert cover.identifier in page
    assert case.number not in page


def test_an_unknown_component_is_404(inspector: User) -> None:
    assert browser(inspector).get("/components/5201990101999999/").status_code == 404


def test_the_page_asks_to_sign_in(catalog: Catalog) -> None:
    cover = make(catalog.cover, WEST)
    response = browser(None).get(f"/components/{cover.identifier}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# -- the map layer -------------------------------------------------------------------------------


def test_the_layer_sends_rows_with_type_status_and_owner_tables(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    cover = make(catalog.cover, WEST, owner=org.department_a)
    lamp = make(catalog.lamp, EAST, department=org.department_b)
    change_status(lamp, ComponentStatus.MISSING, inspector)
    data = layer(inspector, bbox=WHOLE)
    assert (data["count"], data["too_many"]) == (2, False)
    assert data["types"] == [["0101", "上水井盖"], ["0118", "路灯"]]
    assert data["owners"] == ["区市政所"]
    statuses = list(ComponentStatus.values)
    assert data["rows"] == [
        [cover.identifier, *WEST, 0, statuses.index("intact"), 0],
        [lamp.identifier, *EAST, 1, statuses.index("missing"), -1],
    ]


def test_the_layer_holds_only_what_is_inside_the_box_and_matches_the_filters(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    made = scatter(catalog, org, 50)
    box = (X0 + 0.001, Y0 + 0.001, X0 + 0.003, Y0 + 0.0025)
    rows = layer(inspector, bbox=",".join(map(str, box)))["rows"]
    inside = [
        c.identifier
        for c in made
        if box[0] <= c.point.x <= box[2] and box[1] <= c.point.y <= box[3]
    ]
    assert [row[0] for row in rows] == sorted(inside)
    lamps = layer(inspector, bbox=WHOLE, type="0118")
    assert {lamps["types"][row[3]][0] for row in lamps["rows"]} == {"0118"}
    assert layer(inspector, bbox=WHOLE, status="damaged")["rows"] == []
    assert layer(inspector, bbox=WHOLE, major="01")["count"] == 50


def test_the_layer_sends_nothing_but_a_count_when_there_are_too_many(
    catalog: Catalog, inspector: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("components.views.MAX_LAYER_POINTS", 1)
    make(catalog.cover, WEST)
    make(catalog.cover, EAST)
    data = layer(inspector, bbox=WHOLE)
    assert (data["count"], data["too_many"], data["rows"]) == (2, True, [])
    assert "zoom in" in data["message"]
    assert MAX_LAYER_POINTS > 5000  # a 1920 × 1080 window at the layer's zoom holds fewer


def test_the_layer_is_compressed_for_a_browser_that_asks(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    scatter(catalog, org, 40)
    response = browser(inspector).get(LAYER, {"bbox": WHOLE}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("bbox", "code"),
    [
        ("106.3,26.6", "bad_bbox"),
        ("106.0,26.0,106.5,26.5", "bbox_too_big"),
        ("a,b,c,d", "bad_position"),
    ],
)
def test_the_layer_refuses_a_bad_bbox(inspector: User, bbox: str, code: str) -> None:
    response = browser(inspector).get(LAYER, {"bbox": bbox})
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == code


def test_the_layer_needs_a_signed_in_user() -> None:
    response = browser(None).get(LAYER, {"bbox": WHOLE})
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "unauthorized"


def test_the_map_page_offers_the_filters_of_the_types_that_have_components(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    make(catalog.cover, WEST)
    make(catalog.supply_cover, EAST, department=org.department_a)
    response = browser(inspector).get("/map/")
    page = response.content.decode()
    assert '<option value="0101" data-major="01">0101 上水井盖</option>' in page
    assert '<option value="01001" data-major="01">01001 供水井盖</option>' in page
    assert "0118" not in page  # no lamp yet
    assert '<option value="damaged">Damaged (破损)</option>' in page
    config = response.context["map_config"]["components"]
    assert config["url"] == LAYER
    assert config["pageUrl"] == "/components/IDENTIFIER/"
