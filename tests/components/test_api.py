"""The component API at /api/v1/components: by area, grid and type with filters and pages; the
nearest to a position, equal to a scan of every component; one component with its status
history, and its cases as its reader may see them; and how refusals answer."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from components.models import Component, ComponentStatus, change_status
from lib.coords import distance_m, from_wgs84
from org.tokens import issue_token
from tests.components.conftest import EAST, WEST, Catalog
from tests.components.making import make, reported_on, scatter
from tests.conftest import Org
from tests.geo.territory import STEP, X0, Y0, grid_code

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]
API = "/api/v1/components"
WHOLE = f"{X0},{Y0},{X0 + 4 * STEP},{Y0 + 4 * STEP}"


def get(user: User | None, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    response: Response = client.get(
        f"{API}{path}", params or {}, headers={"Accept-Language": "en", **headers}
    )
    return response


def identifiers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["identifier"] for item in response.json()["items"]]


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def inside(component: Component, west: float, south: float, east: float, north: float) -> bool:
    return west <= component.point.x <= east and south <= component.point.y <= north


# -- listing -----------------------------------------------------------------------------------


def test_a_bbox_lists_exactly_the_components_inside_it_in_identifier_order(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    made = scatter(catalog, org, 60)
    box = (X0 + 0.0007, Y0 + 0.0011, X0 + 0.0029, Y0 + 0.0026)
    response = get(inspector, "", {"bbox": ",".join(map(str, box)), "limit": 500})
    expected = sorted(c.identifier for c in made if inside(c, *box))
    assert identifiers(response) == expected
    assert response.json()["total"] == len(expected) > 0


def test_type_status_and_major_filters_combine_with_the_area(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    made = scatter(catalog, org, 40)
    broken = [c for c in made if c.case_type == catalog.cover][:3]
    for component in broken:
        change_status(component, ComponentStatus.DAMAGED, inspector, "压坏")
    response = get(inspector, "", {"bbox": WHOLE, "type": "0101", "status": "damaged"})
    assert identifiers(response) == sorted(c.identifier for c in broken)
    lamps = sorted(c.identifier for c in made if c.case_type == catalog.lamp)
    assert identifiers(get(inspector, "", {"type": "0118", "limit": 500})) == lamps
    # Major class 01 exists in both editions: its covers, lamps and supply covers all match.
    assert get(inspector, "", {"bbox": WHOLE, "major": "01"}).json()["total"] == len(made)
    assert get(inspector, "", {"bbox": WHOLE, "major": "02"}).json()["total"] == 0


def test_several_statuses_may_be_asked_for_at_once(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    _intact, damaged, missing = (make(catalog.cover, WEST) for _ in range(3))
    change_status(damaged, ComponentStatus.DAMAGED, inspector)
    change_status(missing, ComponentStatus.MISSING, inspector)
    response = get(inspector, f"?bbox={WHOLE}&status=damaged&status=missing")
    assert identifiers(response) == sorted([damaged.identifier, missing.identifier])


def test_a_grid_lists_the_components_placed_in_it(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    west, east = make(catalog.cover, WEST), make(catalog.cover, EAST)
    assert identifiers(get(inspector, "", {"grid": grid_code("001", "001", 3)})) == [
        west.identifier
    ]
    assert identifiers(get(inspector, "", {"grid": grid_code("002", "002", 2)})) == [
        east.identifier
    ]


def test_pages_keep_the_total_and_follow_identifier_order(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    made = sorted(c.identifier for c in scatter(catalog, org, 25))
    first = get(inspector, "", {"bbox": WHOLE, "limit": 10})
    last = get(inspector, "", {"bbox": WHOLE, "limit": 10, "offset": 20})
    assert (first.json()["total"], first.json()["limit"], first.json()["offset"]) == (25, 10, 0)
    assert identifiers(first) == made[:10]
    assert identifiers(last) == made[20:]
    by_type = get(inspector, "", {"type": "0101", "limit": 2, "offset": 1})
    covers = sorted(i for i in made if i[6:10] == "0101")
    assert identifiers(by_type) == covers[1:3]
    assert by_type.json()["total"] == len(covers)


def test_an_item_names_its_type_units_grid_and_position(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    lamp = make(catalog.lamp, WEST, department=org.department_b, owner=org.department_a)
    (item,) = get(inspector, "", {"type": "0118"}).json()["items"]
    assert item["identifier"] == lamp.identifier
    assert item["type"] == {"code": "0118", "name": "路灯"}
    assert item["major"] == {"code": "01", "name": "公用设施类"}
    assert (item["status"], item["status_label"]) == ("intact", "Intact (完好)")
    assert item["department"] == {"code": "DB", "name": "区环卫站"}
    assert item["owner"] == {"code": "DA", "name": "区市政所"}
    assert item["maintainer"] is None
    assert item["grid"] == grid_code("001", "001", 3)
    assert (item["lon"], item["lat"]) == pytest.approx(WEST)


# -- nearest -----------------------------------------------------------------------------------


def brute_force(
    lon: float, lat: float, within: float, limit: int, type_code: str | None = None
) -> list[tuple[str, float]]:
    found = []
    for component in Component.objects.select_related("case_type"):
        if type_code and component.case_type.code != type_code:
            continue
        distance = distance_m(lon, lat, component.point.x, component.point.y)
        if distance <= within:
            found.append((component.identifier, distance))
    return sorted(found, key=lambda pair: (pair[1], pair[0]))[:limit]


def test_the_nearest_components_equal_a_scan_of_every_component(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    scatter(catalog, org, 150)
    chance = random.Random(2026)
    for _ in range(25):
        # Some positions beyond the territory's edge, where only part of the circle has grids.
        lon = X0 - 0.0005 + chance.uniform(0, 5 * STEP)
        lat = Y0 - 0.0005 + chance.uniform(0, 5 * STEP)
        within = chance.choice([5, 30, 100, 250, 1000])
        limit = chance.choice([1, 5, 10, 50])
        type_code = chance.choice([None, "0101", "0118"])
        params: dict[str, Any] = {"lon": lon, "lat": lat, "within": within, "limit": limit}
        if type_code:
            params["type"] = type_code
        response = get(inspector, "/nearest", params)
        assert response.status_code == 200, response.content
        got = [(i["identifier"], i["distance_m"]) for i in response.json()["items"]]
        expected = brute_force(lon, lat, within, limit, type_code)
        assert [name for name, _ in got] == [name for name, _ in expected]
        assert [d for _, d in got] == pytest.approx([d for _, d in expected], abs=0.01)


def test_nearest_is_ordered_by_distance_and_stays_within_the_radius(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    here = make(catalog.cover, WEST)
    near = make(catalog.cover, (WEST[0] + 0.0002, WEST[1]))  # about 20 m east
    make(catalog.cover, (WEST[0] + 0.0009, WEST[1]))  # about 90 m east
    response = get(inspector, "/nearest", {"lon": WEST[0], "lat": WEST[1], "within": 50})
    items = response.json()["items"]
    assert [i["identifier"] for i in items] == [here.identifier, near.identifier]
    assert items[0]["distance_m"] == 0
    assert items[1]["distance_m"] == pytest.approx(19.9, abs=0.2)
    assert response.json()["within"] == 50


def test_a_position_in_gcj02_or_bd09_is_converted_before_the_search(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    cover = make(catalog.cover, WEST)
    make(catalog.cover, EAST)
    for crs in ("gcj02", "bd09"):
        lon, lat = from_wgs84(*WEST, crs)
        params = {"lon": lon, "lat": lat, "crs": crs, "within": 5}
        items = get(inspector, "/nearest", params).json()["items"]
        assert [i["identifier"] for i in items] == [cover.identifier]
        assert items[0]["distance_m"] < 0.01
    # A Gaode (GCJ-02) box around the cover finds it too; the same numbers as WGS84 do not.
    west, south = from_wgs84(WEST[0] - 0.0001, WEST[1] - 0.0001, "gcj02")
    east, north = from_wgs84(WEST[0] + 0.0001, WEST[1] + 0.0001, "gcj02")
    bbox = f"{west},{south},{east},{north}"
    assert identifiers(get(inspector, "", {"bbox": bbox, "crs": "gcj02"})) == [cover.identifier]
    assert identifiers(get(inspector, "", {"bbox": bbox})) == []


# -- one component -------------------------------------------------------------------------------


def test_a_component_comes_with_its_status_history_and_its_cases_beside_it(
    catalog: Catalog, org: Org, inspector: User
) -> None:
    cover = make(catalog.cover, WEST, location_text="中山路北侧", attributes={"材质": "铸铁"})
    change_status(cover, ComponentStatus.DAMAGED, inspector, "压坏")
    change_status(cover, ComponentStatus.INTACT, inspector, "已更换")
    case = reported_on(cover, inspector)
    body = get(inspector, f"/{cover.identifier}").json()
    assert body["identifier"] == cover.identifier
    assert body["location_text"] == "中山路北侧"
    assert body["attributes"] == {"材质": "铸铁"}
    assert body["street"]["code"] == "520199001"
    history = [
        (c["from_status"], c["to_status"], c["reason"], c["case"]) for c in body["status_history"]
    ]
    assert history == [
        ("intact", "damaged", "压坏", None),
        ("damaged", "intact", "已更换", None),
        ("intact", "damaged", "上报", case.number),  # the report marked it (in Chinese, 上报)
    ]
    assert body["status_history"][0]["by"] == "inspector"
    cases = get(inspector, f"/{cover.identifier}/cases").json()["items"]
    assert [(c["number"], c["status"]) for c in cases] == [(case.number, case.status)]


def test_cases_outside_the_readers_scope_are_not_listed(
    catalog: Catalog, org: Org, inspector: User, handler_b: User
) -> None:
    cover = make(catalog.cover, WEST)
    reported_on(cover, inspector)
    body = get(handler_b, f"/{cover.identifier}").json()  # any post reads the component
    assert body["identifier"] == cover.identifier
    assert get(handler_b, f"/{cover.identifier}/cases").json()["items"] == []


def test_an_unknown_identifier_answers_404(inspector: User) -> None:
    response = get(inspector, "/5201990101999999")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert "5201990101999999" in response.json()["error"]["message"]


# -- who may read, and refusals ------------------------------------------------------------------


def test_without_signing_in_the_answer_is_401(catalog: Catalog) -> None:
    for path in ("?type=0101", "/nearest?lon=106.3&lat=26.6", "/5201990101000001"):
        response = get(None, path)
        assert response.status_code == 401
        assert error_code(response) == "unauthorized"


def test_an_api_token_reads_components(catalog: Catalog, org: Org, handler_b: User) -> None:
    cover = make(catalog.cover, WEST)
    _token, key = issue_token(handler_b, "phone")
    response = Client().get(f"{API}?type=0101", headers={"Authorization": f"Bearer {key}"})
    assert identifiers(response) == [cover.identifier]


def test_an_account_without_a_post_is_refused(outsider: User) -> None:
    response = get(outsider, "", {"type": "0101"})
    assert response.status_code == 403
    assert error_code(response) == "no_post"


def test_a_named_post_must_be_held(inspector: User) -> None:
    response = get(inspector, "", {"type": "0101"}, **{"X-UrbanGrid-Role": "dispatcher"})
    assert response.status_code == 403
    assert error_code(response) == "no_such_post"


def test_one_of_bbox_grid_or_type_is_required(inspector: User) -> None:
    response = get(inspector, "", {"status": "intact"})
    assert response.status_code == 400
    assert error_code(response) == "filter_required"


@pytest.mark.parametrize(
    ("bbox", "crs", "code"),
    [
        ("106.3,26.6,106.31", "wgs84", "bad_bbox"),
        ("106.31,26.6,106.30,26.61", "wgs84", "bad_bbox"),
        ("106.2,26.5,106.4,26.6", "wgs84", "bbox_too_big"),
        ("106.3,26.6,abc,26.61", "wgs84", "bad_position"),
        ("106.3,96.6,106.31,26.61", "wgs84", "bad_position"),
        ("106.3,26.6,106.31,26.61", "mars", "bad_position"),
    ],
)
def test_a_bad_bbox_is_refused_with_a_reason(
    inspector: User, bbox: str, crs: str, code: str
) -> None:
    response = get(inspector, "", {"bbox": bbox, "crs": crs})
    assert response.status_code == 400
    assert error_code(response) == code
    assert response.json()["error"]["message"]


def test_a_too_big_bbox_says_how_big_it_may_be(inspector: User) -> None:
    response = get(inspector, "", {"bbox": "106.2,26.5,106.4,26.6"})
    assert "0.05°" in response.json()["error"]["message"]


def test_a_bad_grid_code_is_explained(inspector: User) -> None:
    response = get(inspector, "", {"grid": "5201990010010"})
    assert response.status_code == 400
    assert error_code(response) == "bad_grid_code"


@pytest.mark.parametrize(
    "params",
    [
        {"lon": "106.3", "lat": "26.6", "limit": "51"},
        {"lon": "106.3", "lat": "26.6", "within": "1001"},
        {"lon": "106.3", "lat": "26.6", "within": "0"},
        {"lon": "106.3"},
        {"lon": "east", "lat": "26.6"},
    ],
)
def test_nearest_refuses_what_does_not_fit_its_limits(
    inspector: User, params: dict[str, str]
) -> None:
    response = get(inspector, "/nearest", params)
    assert response.status_code == 422
    assert error_code(response) == "invalid_input"


def test_nearest_refuses_an_impossible_position(inspector: User) -> None:
    response = get(inspector, "/nearest", {"lon": "106.3", "lat": "96.6"})
    assert response.status_code == 400
    assert error_code(response) == "bad_position"
    assert "latitude" in response.json()["error"]["message"]


def test_list_limits_are_checked(inspector: User) -> None:
    response = get(inspector, "", {"type": "0101", "limit": "501"})
    assert response.status_code == 422
    assert error_code(response) == "invalid_input"
