"""Where the caller's problem is: address suggestions from the gazetteer with their position
and unit grid, and where a pin lies."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from intake.hotline.places import pin, suggestions
from org.access import Refusal
from tests.cases.conftest import World
from tests.intake.hotline.fixtures import OUTSIDE, PLATE_12

pytestmark = pytest.mark.django_db


def test_an_address_finds_its_door_plate_with_position_and_grid(
    world: World, gazetteer: None
) -> None:
    best = suggestions("中山路１２号")[0]  # full-width digits, as Chinese input often gives
    assert best.hit.label == "中山路12号" and best.kind_label == "门牌"
    assert best.where is not None
    assert (best.where.lon, best.where.lat) == pytest.approx(PLATE_12)
    assert best.where.grid_code == "520199001001003"
    assert (best.where.street, best.where.community) == ("街道001", "社区001001")


def test_the_suggestions_fragment_shows_how_each_hit_matched(
    world: World, gazetteer: None, acceptor_client: Client
) -> None:
    answer = acceptor_client.get("/hotline/suggest/", {"address": "解放路40号"})
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "中山路40号" in text and "匹配方式：道路别名" in text  # 解放路 is a former name
    lon, lat = (float(n) for n in re.findall(r'data-l(?:on|at)="([\d.]+)"', text)[:2])
    assert "520199002001" in text  # its grid lies in street 002
    assert lon > PLATE_12[0] and lat == pytest.approx(PLATE_12[1])


def test_an_unknown_address_says_so(world: World, gazetteer: None, acceptor_client: Client) -> None:
    text = acceptor_client.get("/hotline/suggest/", {"address": "火星路1号"}).content.decode()
    assert "没有与“火星路1号”匹配的地址" in text
    assert acceptor_client.get("/hotline/suggest/", {"address": " "}).content.strip() == b""


def test_the_pin_is_placed_in_its_grid_with_the_nearest_address(
    world: World, gazetteer: None, acceptor_client: Client
) -> None:
    where = pin(*PLATE_12)
    assert where.where.grid_code == "520199001001003" and "中山路12号" in where.nearest
    assert where.outline is not None and where.outline["type"] == "Polygon"
    lon, lat = (str(n) for n in PLATE_12)
    text = acceptor_client.get("/hotline/place/", {"lon": lon, "lat": lat}).content.decode()
    assert "520199001001003" in text and "data-outline=" in text


def test_a_pin_outside_the_district_is_explained(world: World, acceptor_client: Client) -> None:
    with pytest.raises(Refusal):
        pin(*OUTSIDE)
    lon, lat = (str(n) for n in OUTSIDE)
    answer = acceptor_client.get("/hotline/place/", {"lon": lon, "lat": lat})
    assert answer.status_code == 200  # shown by htmx in place of the placement
    assert "不在本区单元网格范围内" in answer.content.decode()
    bad = acceptor_client.get("/hotline/place/", {"lon": "east", "lat": "1"}).content.decode()
    assert "位置不是数字" in bad
