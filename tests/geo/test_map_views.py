"""The map's JSON: outlines, grids by bounding box, the grid at a point, and search, on the small
territory of tests/geo/territory.py (two streets, four communities, sixteen 0.001° grids)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from shapely.geometry import Point

import geo.views
from geo.map_layers import forget_map_layers
from geo.models import PointOfInterest
from geo.territory_import import import_territory
from lib.coords import from_wgs84
from tests.geo.territory import DISTRICT, STEP, X0, Y0, grid_code, small_territory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_map_layers() -> None:
    forget_map_layers()  # each test database starts again at revision 1


@pytest.fixture
def territory(db: None) -> None:
    assert import_territory(small_territory()).ok


@pytest.fixture
def signed_in(client: Client, inspector: User, territory: None) -> Client:
    client.force_login(inspector)
    return client


def get(client: Client, name: str, **params: Any) -> Any:
    return client.get(reverse(name), params)


def centre(street: str, community: str, sequence: int) -> tuple[float, float]:
    """The centre of a grid of the small territory (sequences read west→east, north→south)."""
    i, j = ((0, 1), (1, 1), (0, 0), (1, 0))[sequence - 1]
    x = X0 + 2 * (int(street) - 1) * STEP + (i + 0.5) * STEP
    y = Y0 + 2 * (int(community) - 1) * STEP + (j + 0.5) * STEP
    return x, y


def page_config(html: str) -> Any:
    found = re.search(r'id="map-config" type="application/json">(.*?)</script>', html)
    assert found is not None
    return json.loads(found[1])


def codes(response: Any) -> list[str]:
    return [feature["properties"]["code"] for feature in response.json()["features"]]


# -- access -----------------------------------------------------------------------------------


def test_the_map_needs_a_sign_in(client: Client, territory: None) -> None:
    page = client.get(reverse("map"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    for name in ("map_outlines", "map_grids", "map_locate", "map_search"):
        answer = client.get(reverse(name))
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"


def test_any_post_may_open_the_map(client: Client, handler_b: User, territory: None) -> None:
    client.force_login(handler_b)
    page = client.get(reverse("map"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="/static/leaflet/leaflet.js"' in html
    assert 'src="/static/geo/map.js"' in html
    config = page_config(html)
    assert config["urls"]["grids"] == reverse("map_grids")
    assert config["tiles"]["url"] == ""  # no base layer unless MAP_TILE_URL is set
    assert get(client, "map_outlines").status_code == 200


def test_the_page_has_no_script_but_the_json_config(signed_in: Client) -> None:
    html = signed_in.get(reverse("map")).content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="map-config" type="application/json"']


def test_the_tile_url_is_passed_to_the_page(signed_in: Client, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://tiles.example.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© 示例"
    html = signed_in.get(reverse("map")).content.decode()
    assert "https://tiles.example.cn/{z}/{x}/{y}.png" in html
    assert "\\u00a9 \\u793a\\u4f8b" in html  # json_script escapes for HTML


def test_only_get_is_answered(signed_in: Client) -> None:
    assert signed_in.post(reverse("map_grids")).status_code == 405


# -- outlines ---------------------------------------------------------------------------------


def test_the_outlines_hold_the_district_its_streets_and_communities(signed_in: Client) -> None:
    answer = get(signed_in, "map_outlines")
    assert answer["Content-Type"] == "application/geo+json"
    collection = answer.json()
    assert collection["type"] == "FeatureCollection"
    levels = [(f["properties"]["level"], f["properties"]["code"]) for f in collection["features"]]
    assert levels == [
        ("district", DISTRICT),
        ("street", DISTRICT + "001"),
        ("street", DISTRICT + "002"),
        ("community", DISTRICT + "001001"),
        ("community", DISTRICT + "001002"),
        ("community", DISTRICT + "002001"),
        ("community", DISTRICT + "002002"),
    ]
    district = collection["features"][0]
    assert district["properties"]["name"] == "示范区"
    ring = district["geometry"]["coordinates"][0]
    corners = [(x, y) for x in (X0, X0 + 4 * STEP) for y in (Y0, Y0 + 4 * STEP)]
    assert sorted(set(map(tuple, ring))) == [(round(x, 6), round(y, 6)) for x, y in corners]


def test_outline_coordinates_are_rounded_to_six_decimals(signed_in: Client) -> None:
    body = get(signed_in, "map_outlines").content.decode()
    decimals = [len(number) for number in re.findall(r"\.(\d+)", body)]
    assert decimals and max(decimals) <= 6


def test_before_any_territory_is_imported_the_layers_are_empty(
    client: Client, inspector: User
) -> None:
    client.force_login(inspector)
    assert get(client, "map_outlines").json()["features"] == []
    assert get(client, "map_grids", bbox="106.3,26.6,106.31,26.61").json()["features"] == []
    assert get(client, "map_search", q=DISTRICT).json()["total"] == 0
    assert get(client, "map_locate", lon=X0, lat=Y0).status_code == 400


def test_a_browser_revalidates_the_outlines_by_their_etag(signed_in: Client) -> None:
    first = get(signed_in, "map_outlines")
    assert "no-cache" in first["Cache-Control"]
    again = signed_in.get(reverse("map_outlines"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert import_territory(small_territory()).ok  # a new revision, so new outlines
    changed = signed_in.get(reverse("map_outlines"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


def test_the_outlines_are_compressed_for_a_browser_that_accepts_it(signed_in: Client) -> None:
    answer = signed_in.get(reverse("map_outlines"), HTTP_ACCEPT_ENCODING="gzip")
    assert answer["Content-Encoding"] == "gzip"


# -- grids by bounding box --------------------------------------------------------------------


def test_grids_are_chosen_by_bounding_box(signed_in: Client) -> None:
    inside_south_west_community = f"{X0 + 0.0001},{Y0 + 0.0001},{X0 + 0.0019},{Y0 + 0.0019}"
    answer = get(signed_in, "map_grids", bbox=inside_south_west_community)
    assert answer.status_code == 200
    assert codes(answer) == [grid_code("001", "001", n) for n in (1, 2, 3, 4)]
    assert answer.json()["too_many"] is False
    one_corner = f"{X0 + 0.0001},{Y0 + 0.0001},{X0 + 0.0002},{Y0 + 0.0002}"
    assert codes(get(signed_in, "map_grids", bbox=one_corner)) == [grid_code("001", "001", 3)]


def test_a_grid_feature_carries_its_code_and_outline(signed_in: Client) -> None:
    bbox = f"{X0 - 0.01},{Y0 - 0.01},{X0 + 0.01},{Y0 + 0.01}"
    features = get(signed_in, "map_grids", bbox=bbox).json()["features"]
    assert len(features) == 16
    first = features[0]
    assert first["properties"] == {"code": grid_code("001", "001", 1)}
    assert first["geometry"]["type"] == "Polygon"


def test_the_bounding_box_may_be_given_in_gcj02(signed_in: Client) -> None:
    west, south = from_wgs84(X0 + 0.0001, Y0 + 0.0001, "gcj02")
    east, north = from_wgs84(X0 + 0.0002, Y0 + 0.0002, "gcj02")
    answer = get(signed_in, "map_grids", bbox=f"{west},{south},{east},{north}", crs="gcj02")
    assert codes(answer) == [grid_code("001", "001", 3)]


def test_more_grids_than_the_limit_are_not_sent(
    signed_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geo.views, "MAX_GRIDS", 3)
    answer = get(signed_in, "map_grids", bbox=f"{X0},{Y0},{X0 + 0.004},{Y0 + 0.004}")
    collection = answer.json()
    assert answer.status_code == 200
    assert (collection["too_many"], collection["count"], collection["features"]) == (True, 16, [])
    assert "16" in collection["message"]


def test_a_too_big_bounding_box_is_refused(signed_in: Client) -> None:
    answer = get(signed_in, "map_grids", bbox="106.0,26.0,106.5,26.5")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bbox_too_big"


def test_the_grid_request_costs_the_same_few_queries_for_any_box(
    signed_in: Client, django_assert_max_num_queries: Any
) -> None:
    get(signed_in, "map_grids", bbox=f"{X0},{Y0},{X0 + 0.001},{Y0 + 0.001}")  # builds the layers
    with django_assert_max_num_queries(3):  # session, user, geography revision
        get(signed_in, "map_grids", bbox=f"{X0},{Y0},{X0 + 0.004},{Y0 + 0.004}")


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "status", "code", "chinese"),
    [
        ("map_grids", {"bbox": "a,b,c,d"}, 400, "bad_position", "经度、纬度必须是有限数值"),
        ("map_grids", {"bbox": "106.3,26.6"}, 400, "bad_bbox", ""),
        ("map_grids", {"bbox": "106.31,26.6,106.30,26.61"}, 400, "bad_bbox", ""),
        (
            "map_locate",
            {"lon": "x", "lat": "26.6"},
            400,
            "bad_position",
            "经度、纬度必须是有限数值",
        ),
        (
            "map_locate",
            {"lon": X0, "lat": Y0, "crs": "mercator"},
            400,
            "bad_position",
            "未知的坐标系",
        ),
        (
            "map_locate",
            {"lon": 116.4, "lat": 39.9},
            400,
            "outside_district",
            "不在本区单元网格范围内",
        ),
        ("map_search", {"q": DISTRICT + "001001000"}, 400, "bad_grid_code", "无效"),
        ("map_search", {"q": "  "}, 400, "empty_query", ""),
    ],
)
def test_bad_parameters_are_refused_with_a_message_in_chinese_by_default(
    signed_in: Client, name: str, params: dict[str, Any], status: int, code: str, chinese: str
) -> None:
    answer = get(signed_in, name, **params)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert chinese in error["message"]


def test_a_refusal_follows_the_browser_language(signed_in: Client) -> None:
    answer = signed_in.get(
        reverse("map_locate"), {"lon": "116.4", "lat": "39.9"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "is outside the district's unit grids" in answer.json()["error"]["message"]


# -- the grid at a point ----------------------------------------------------------------------


def test_a_point_gives_its_grid_and_the_grid_s_hierarchy(signed_in: Client) -> None:
    lon, lat = centre("002", "001", 3)
    answer = get(signed_in, "map_locate", lon=lon, lat=lat)
    assert answer.status_code == 200
    [feature] = answer.json()["features"]
    properties = feature["properties"]
    assert properties["code"] == grid_code("002", "001", 3)
    assert (properties["community_name"], properties["street_name"]) == ("社区002001", "街道002")
    assert (properties["district_code"], properties["district_name"]) == (DISTRICT, "示范区")
    assert 10_000 < properties["area_m2"] < 12_000
    assert feature["bbox"] == pytest.approx(
        [lon - STEP / 2, lat - STEP / 2, lon + STEP / 2, lat + STEP / 2]
    )


@pytest.mark.parametrize("crs", ["gcj02", "bd09", "cgcs2000"])
def test_a_point_from_a_chinese_phone_map_finds_the_same_grid(signed_in: Client, crs: str) -> None:
    lon, lat = from_wgs84(*centre("001", "002", 2), crs)
    answer = get(signed_in, "map_locate", lon=lon, lat=lat, crs=crs)
    assert codes(answer) == [grid_code("001", "002", 2)]


# -- search -----------------------------------------------------------------------------------


def test_a_full_grid_code_finds_that_grid_with_its_bbox(signed_in: Client) -> None:
    code = grid_code("002", "002", 4)
    answer = get(signed_in, "map_search", q=code)
    collection = answer.json()
    assert (collection["matched"], collection["total"], codes(answer)) == ("grid_code", 1, [code])
    lon, lat = centre("002", "002", 4)
    bbox = collection["features"][0]["bbox"]
    assert bbox == pytest.approx([lon - STEP / 2, lat - STEP / 2, lon + STEP / 2, lat + STEP / 2])


def test_a_legacy_fourteen_digit_code_is_widened(signed_in: Client) -> None:
    answer = get(signed_in, "map_search", q=DISTRICT + "00200103")
    assert codes(answer) == [grid_code("002", "001", 3)]


def test_a_partial_code_finds_the_grids_it_starts_or_ends(signed_in: Client) -> None:
    street = get(signed_in, "map_search", q=DISTRICT + "002")
    assert codes(street) == [grid_code("002", c, n) for c in ("001", "002") for n in (1, 2, 3, 4)]
    tail = get(signed_in, "map_search", q="001 003")
    assert codes(tail) == [grid_code("001", "001", 3), grid_code("002", "001", 3)]


def test_full_width_digits_are_read_as_digits(signed_in: Client) -> None:
    answer = get(signed_in, "map_search", q="５２０１９９００１００２")
    assert len(codes(answer)) == 4


def test_a_long_list_of_matches_is_cut_and_says_so(
    signed_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geo.views, "SEARCH_LIMIT", 5)
    collection = get(signed_in, "map_search", q=DISTRICT).json()
    assert (collection["total"], len(collection["features"])) == (16, 5)
    assert "16" in collection["message"]


def test_a_code_matching_nothing_says_so(signed_in: Client) -> None:
    collection = get(signed_in, "map_search", q="999").json()
    assert (collection["total"], collection["features"]) == (0, [])
    assert "999" in collection["message"]


def test_an_address_is_found_through_the_gazetteer(signed_in: Client) -> None:
    lon, lat = centre("001", "002", 1)
    PointOfInterest.objects.create(name="翠湖公园", category="park", point=Point(lon, lat))
    answer = get(signed_in, "map_search", q="翠湖公园")
    collection = answer.json()
    assert collection["matched"] == "address"
    [hit] = collection["features"]
    assert hit["properties"]["label"] == "翠湖公园"
    assert hit["properties"]["grid_code"] == grid_code("001", "002", 1)
    assert hit["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)


def test_an_unknown_address_says_nothing_matches(signed_in: Client) -> None:
    collection = get(signed_in, "map_search", q="不存在的路").json()
    assert (collection["matched"], collection["features"]) == ("address", [])
    assert "不存在的路" in collection["message"]
