"""Address text ⇄ position: parsing, geocoding and describing on a small hand-built town.

The town (metres, x east, y north):

    y=330   滨河路 (no door plates) from x=0 to 280
    x=150   文化巷 (翠湖街道) from y=0 to 300        x=450  文化巷 (文昌街道) from y=-300 to 0
    y=0     中山路, alias 解放路, from x=0 to 600
    x=300   建设路, alias 建设大道, from y=-300 to 300

Plates stand 10 m off the centre line every 30 m from 15 m on: even numbers on the left of the
road's direction (north of 中山路, west of the lanes), odd numbers on the right.
翠湖街道 is x < 300, 文昌街道 x ≥ 300; 翠湖社区 is the north half of 翠湖街道,
文昌社区 the south half of 文昌街道.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from lib.addresses import (
    Area,
    DoorPlate,
    Gazetteer,
    Poi,
    Road,
    chinese_to_int,
    describe,
    normalize_number,
    parse_address,
)


@dataclass
class Town:
    gazetteer: Gazetteer
    plates: list[DoorPlate]

    def plate(self, road_id: int, number: str) -> DoorPlate:
        return next(p for p in self.plates if p.road_id == road_id and p.number == number)


ZHONGSHAN, WENHUA_CUIHU, WENHUA_WENCHANG, JIANSHE, BINHE = 1, 2, 3, 4, 5


def plates_along(road: Road, first_id: int) -> list[DoorPlate]:
    """Both sides every 30 m: even numbers 10 m to the left, odd numbers 10 m to the right."""
    (x0, y0), (x1, y1) = road.line.coords
    ux, uy = (x1 - x0) / road.line.length, (y1 - y0) / road.line.length
    plates: list[DoorPlate] = []
    for k in range(int((road.line.length - 15) // 30) + 1):
        s = 15 + 30 * k
        cx, cy = x0 + ux * s, y0 + uy * s
        for number, side in ((2 * k + 2, 1), (2 * k + 1, -1)):
            point = Point(cx - uy * 10 * side, cy + ux * 10 * side)
            plates.append(DoorPlate(first_id + len(plates), road.id, str(number), point))
    return plates


def build_town() -> Town:
    roads = [
        Road(ZHONGSHAN, "中山路", ("解放路",), LineString([(0, 0), (600, 0)])),
        Road(WENHUA_CUIHU, "文化巷", (), LineString([(150, 0), (150, 300)])),
        Road(WENHUA_WENCHANG, "文化巷", (), LineString([(450, -300), (450, 0)])),
        Road(JIANSHE, "建设路", ("建设大道",), LineString([(300, -300), (300, 300)])),
        Road(BINHE, "滨河路", (), LineString([(0, 330), (280, 330)])),
    ]
    plates: list[DoorPlate] = []
    for road in roads[:4]:
        plates += plates_along(road, first_id=len(plates) + 1)
    plates += [
        DoorPlate(900, WENHUA_CUIHU, "3-1", Point(160, 30)),
        DoorPlate(901, ZHONGSHAN, "12附3", Point(175, 20)),
    ]
    pois = [
        Poi(1, "翠湖公园", ("翠湖游园",), Point(100, 150)),
        Poi(2, "市第一中学", ("一中",), Point(500, -150)),
        Poi(3, "市人民医院", ("人民医院",), Point(400, 60)),
    ]
    areas = [
        Area(1, "示范区", (), "district", box(-100, -400, 700, 400)),
        Area(2, "翠湖街道", (), "street", box(-100, -400, 300, 400)),
        Area(3, "文昌街道", (), "street", box(300, -400, 700, 400)),
        Area(4, "翠湖社区", (), "community", box(-100, 0, 300, 400)),
        Area(5, "文昌社区", (), "community", box(300, -400, 700, 0)),
        Area(6, "阳光小区", ("阳光花园",), "area", box(350, 100, 450, 200)),
    ]
    return Town(Gazetteer(roads, plates, pois, areas), plates)


TOWN = build_town()


@pytest.fixture(scope="module")
def town() -> Town:
    return TOWN


@pytest.fixture(scope="module")
def gazetteer(town: Town) -> Gazetteer:
    return town.gazetteer


# --- parsing -----------------------------------------------------------------------------------


def test_a_full_address_is_split_into_every_level() -> None:
    parsed = parse_address("贵州省贵阳市示范区翠湖街道中山路12号")
    assert (parsed.province, parsed.city, parsed.district) == ("贵州省", "贵阳市", "示范区")
    assert (parsed.street, parsed.community) == ("翠湖街道", None)
    assert (parsed.road, parsed.number, parsed.poi, parsed.relation) == ("中山路", "12", None, None)


def test_a_road_and_number_alone_parse_without_the_missing_levels() -> None:
    parsed = parse_address("中山路12号")
    assert (parsed.district, parsed.street, parsed.road, parsed.number) == (
        None,
        None,
        "中山路",
        "12",
    )


def test_chinese_numerals_become_digits_and_the_relation_suffix_is_kept() -> None:
    parsed = parse_address("中山路十二号附近")
    assert (parsed.road, parsed.number, parsed.relation) == ("中山路", "12", "附近")


def test_community_sub_number_and_unit_survive_spaces() -> None:
    parsed = parse_address("翠湖社区 文化巷3-1号 2单元")
    assert (parsed.community, parsed.road, parsed.number) == ("翠湖社区", "文化巷", "3-1")
    assert (parsed.unit, parsed.building, parsed.poi) == ("2", None, None)


def test_full_width_digits_and_surrounding_spaces_are_normalised() -> None:
    parsed = parse_address(" 中山路１２号 ")
    assert (parsed.road, parsed.number) == ("中山路", "12")


def test_building_unit_and_room_are_separated_from_the_door_number() -> None:
    parsed = parse_address("中山路12号3栋2单元501室")
    assert (parsed.number, parsed.building, parsed.unit, parsed.room) == ("12", "3", "2", "501")


def test_a_numbered_building_is_not_taken_for_a_door_number() -> None:
    parsed = parse_address("中山路12号楼")
    assert (parsed.number, parsed.building) == (None, "12")


def test_a_landmark_with_a_relation_becomes_the_poi_part() -> None:
    parsed = parse_address("翠湖公园东门旁边，")
    assert (parsed.poi, parsed.relation, parsed.road) == ("翠湖公园东门", "旁边", None)


def test_a_landmark_starting_with_the_city_character_is_not_taken_for_a_city() -> None:
    parsed = parse_address("市第一中学")
    assert (parsed.city, parsed.poi) == (None, "市第一中学")


def test_a_distance_description_is_kept_as_the_relation() -> None:
    parsed = parse_address("中山路12附3号 东侧约30米")
    assert (parsed.road, parsed.number, parsed.relation) == ("中山路", "12附3", "东侧约30米")


def test_an_autonomous_region_and_a_sub_number_written_with_zhi_are_understood() -> None:
    parsed = parse_address("广西壮族自治区南宁市青秀区中山北路12之1号")
    assert (parsed.province, parsed.city, parsed.district) == ("广西壮族自治区", "南宁市", "青秀区")
    assert (parsed.road, parsed.number) == ("中山北路", "12-1")


def test_a_number_without_a_road_is_kept_apart_from_the_landmark() -> None:
    assert (parse_address("12号").number, parse_address("12号").poi) == ("12", None)
    parsed = parse_address("阳光小区十二号3栋")
    assert (parsed.poi, parsed.number, parsed.building, parsed.road) == (
        "阳光小区",
        "12",
        "3",
        None,
    )


def test_blank_text_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_address("  \u3000 ")


@pytest.mark.parametrize(
    ("numeral", "value"), [("十二", 12), ("二十", 20), ("一百零五", 105), ("一二", 12), ("7", 7)]
)
def test_chinese_numerals_convert_to_integers(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value


def test_plate_numbers_are_normalised_to_one_spelling() -> None:
    assert [normalize_number(n) for n in ("１２号", "12之1", "十二附三", "12-1")] == [
        "12",
        "12-1",
        "12附3",
        "12-1",
    ]


# --- geocoding ---------------------------------------------------------------------------------


def test_an_exact_door_plate_comes_first_with_full_score(gazetteer: Gazetteer) -> None:
    best = gazetteer.geocode("示范区中山路12号")[0]
    assert (best.kind, best.label, best.score) == ("door_plate", "中山路12号", 1.0)
    assert (best.point.x, best.point.y) == (165, 10)
    assert best.reason.startswith("道路名称 + 门牌号精确匹配")


def test_a_road_alias_finds_the_same_plate_just_below_full_score(gazetteer: Gazetteer) -> None:
    best = gazetteer.geocode("解放路十二号附近")[0]
    assert (best.kind, best.label) == ("door_plate", "中山路12号")
    assert best.reason == "道路别名 + 门牌号精确匹配"
    assert 0.95 < best.score < 1.0


def test_a_missing_number_gives_the_nearest_number_on_the_same_side_scored_lower(
    gazetteer: Gazetteer, town: Town
) -> None:
    odd, even = gazetteer.geocode("中山路101号")[0], gazetteer.geocode("中山路100号")[0]
    assert (odd.label, even.label) == ("中山路39号", "中山路40号")
    assert odd.point.equals(town.plate(ZHONGSHAN, "39").point)
    assert odd.score < 0.8
    assert "无101号" in odd.reason and "39号" in odd.reason


def test_a_road_without_a_number_gives_its_midpoint(gazetteer: Gazetteer) -> None:
    (match,) = gazetteer.geocode("建设大道")
    assert (match.kind, match.label, match.point.x, match.point.y) == ("road", "建设路", 300, 0)
    assert "道路别名" in match.reason


def test_a_number_on_a_road_without_plates_falls_back_to_the_road(gazetteer: Gazetteer) -> None:
    (match,) = gazetteer.geocode("滨河路5号")
    assert (match.kind, match.label, match.point.x, match.point.y) == ("road", "滨河路", 140, 330)
    assert "该路无此门牌" in match.reason
    assert match.score < gazetteer.geocode("滨河路")[0].score


@pytest.mark.parametrize("text", ["翠湖公园", "翠湖公园东门", "翠湖园", "翠湖游园"])
def test_a_poi_is_found_by_name_alias_extra_or_missing_characters(
    gazetteer: Gazetteer, text: str
) -> None:
    best = gazetteer.geocode(text)[0]
    assert (best.kind, best.label, best.point.x, best.point.y) == ("poi", "翠湖公园", 100, 150)


def test_fuzzy_poi_matches_score_below_exact_ones(gazetteer: Gazetteer) -> None:
    exact, typo = gazetteer.geocode("翠湖公园")[0], gazetteer.geocode("翠湖园")[0]
    assert exact.score == 0.95 and exact.reason == "兴趣点名称精确匹配"
    assert typo.score < exact.score and "近似匹配" in typo.reason


def test_the_street_named_in_the_text_picks_between_two_lanes_with_the_same_name(
    gazetteer: Gazetteer, town: Town
) -> None:
    cuihu = gazetteer.geocode("翠湖街道文化巷3号")
    wenchang = gazetteer.geocode("文昌街道 文化巷3号")
    assert [m.ref_id for m in cuihu] == [town.plate(WENHUA_CUIHU, "3").id]
    assert [m.ref_id for m in wenchang] == [town.plate(WENHUA_WENCHANG, "3").id]
    assert wenchang[0].label == "文昌街道文化巷3号"
    assert wenchang[0].reason.endswith("位于文昌街道内")


def test_without_an_area_both_lanes_with_the_same_name_are_candidates(
    gazetteer: Gazetteer,
) -> None:
    matches = gazetteer.geocode("文化巷3号")
    assert [m.label for m in matches] == ["文昌街道文化巷3号", "翠湖街道文化巷3号"]
    assert [m.score for m in matches] == [1.0, 1.0]


def test_a_named_community_moves_a_road_midpoint_inside_it(gazetteer: Gazetteer) -> None:
    (match,) = gazetteer.geocode("文昌社区建设路")
    assert match.point.x == 300 and match.point.y == -150


def test_a_sub_number_in_a_named_community_is_matched_exactly(gazetteer: Gazetteer) -> None:
    best = gazetteer.geocode("翠湖社区 文化巷3-1号 2单元")[0]
    assert (best.ref_id, best.score) == (900, 1.0)


def test_a_candidate_outside_the_named_street_is_kept_but_scored_down(
    gazetteer: Gazetteer,
) -> None:
    (match,) = gazetteer.geocode("文昌街道中山路12号")
    assert (match.label, match.score) == ("中山路12号", 0.5)
    assert match.reason.endswith("但不在文昌街道内")


def test_a_compound_or_a_community_alone_geocodes_to_the_area(gazetteer: Gazetteer) -> None:
    compound, community = (
        gazetteer.geocode("阳光花园3栋2单元")[0],
        gazetteer.geocode("翠湖社区内")[0],
    )
    assert (compound.kind, compound.label) == ("area", "阳光小区")
    assert box(350, 100, 450, 200).contains(compound.point)
    assert (community.kind, community.label, community.score) == ("area", "翠湖社区", 0.5)


def test_unknown_places_give_no_match_and_blank_text_raises(gazetteer: Gazetteer) -> None:
    assert gazetteer.geocode("火星路8号") == []
    assert gazetteer.geocode("12号") == []
    assert gazetteer.geocode("，。") == []
    with pytest.raises(ValueError):
        gazetteer.geocode(" ")


def test_the_limit_caps_the_number_of_candidates(gazetteer: Gazetteer) -> None:
    assert len(gazetteer.geocode("文化巷3号", limit=1)) == 1


def test_plates_must_belong_to_a_known_road() -> None:
    with pytest.raises(ValueError, match="unknown road"):
        Gazetteer([], [DoorPlate(1, 99, "1", Point(0, 0))], [], [])


# --- describing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "text"),
    [
        (237, 10, "中山路16号 东侧约10米"),
        (225, 23, "中山路16号 北侧约15米"),
        (233, 18, "中山路16号 东北约10米"),
        (225, -40, "中山路15号 南侧约30米"),
        (226, 12, "中山路16号 附近"),
        (-128, -10, "中山路1号 西侧约140米"),
        (460, -255, "文昌街道文化巷3号 附近"),
    ],
)
def test_a_point_is_described_from_the_nearest_door_plate(
    gazetteer: Gazetteer, x: float, y: float, text: str
) -> None:
    assert describe(Point(x, y), gazetteer) == text


def test_a_point_far_from_plates_is_described_from_the_road_or_the_poi(
    gazetteer: Gazetteer,
) -> None:
    assert describe(Point(100, 370), gazetteer, max_distance=60) == "滨河路 北侧约40米"
    assert describe(Point(60, 110), gazetteer, max_distance=60) == "翠湖公园 西南约55米"


def test_a_point_far_from_everything_is_described_by_its_smallest_area(
    gazetteer: Gazetteer,
) -> None:
    assert describe(Point(400, 150), gazetteer, max_distance=10) == "阳光小区内"
    assert describe(Point(400, 300), gazetteer, max_distance=10) == "文昌街道内"
    assert describe(Point(2000, 2000), gazetteer) == ""


# --- properties --------------------------------------------------------------------------------

plates = st.sampled_from(TOWN.plates)
shifts = st.floats(-4, 4, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(plate=plates, dx=shifts, dy=shifts)
def test_a_point_near_a_plate_is_described_by_a_plate_within_30_m(
    plate: DoorPlate, dx: float, dy: float
) -> None:
    text = describe(Point(plate.point.x + dx, plate.point.y + dy), TOWN.gazetteer)
    best = TOWN.gazetteer.geocode(text)[0]
    assert best.kind == "door_plate"
    assert text.startswith(best.label + " ")
    assert best.point.distance(plate.point) <= 30


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="省市区县街道社区路巷号栋单元室附近东侧约米之-#１2十百零中山翠湖内 ，", max_size=16
    )
)
def test_any_non_blank_text_geocodes_without_raising(text: str) -> None:
    if text.strip():
        assert all(0 < m.score <= 1 for m in TOWN.gazetteer.geocode(text))


@settings(max_examples=150, deadline=None)
@given(plate=plates)
def test_the_description_of_a_plate_geocodes_back_to_that_plate_first(plate: DoorPlate) -> None:
    text = describe(plate.point, TOWN.gazetteer)
    assert text.endswith(" 附近")
    assert TOWN.gazetteer.geocode(text)[0].ref_id == plate.id
