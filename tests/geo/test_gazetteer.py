"""The gazetteer over the database: address text → position, position → address text.

The small territory of tests/geo/territory.py gets real names, and a few roads, plates, a point
of interest and a compound are laid out in metres east and north of its south-west corner
(in the district's Gauss–Krüger zone, the CRS the gazetteer works in):

    翠湖街道 (west half): 翠湖社区 south, 湖滨社区 north
    文昌街道 (east half): 文昌社区 south, 书院社区 north
    中山路, former name 解放路: y=100 from x=5 to 390; plates 1/2 at x=20, 11/12 at x=120,
        39/40 at x=340, even 10 m north of the centre line, odd 10 m south
    建设路, alias 建设大道: x=300 from y=5 to 440; plates 1 (x=310) and 2 (x=290) at y=350
    翠湖公园 (alias 翠湖游园) at (80, 170); 阳光小区 (alias 阳光花园) from (230, 250) to (280, 300)
"""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, Point, Polygon, box

import geo.gazetteer
from geo.gazetteer import AddressHit, describe, forget_gazetteer, gazetteer_index, geocode
from geo.models import (
    Community,
    DoorPlate,
    GeoRevision,
    Place,
    PointOfInterest,
    Road,
    RoadClass,
    Street,
)
from geo.territory_import import import_territory
from lib.coords import CoordinateError, from_wgs84, gk_zone_epsg, to_lonlat, to_metres
from tests.geo.territory import DISTRICT, STEP, X0, Y0, small_territory

pytestmark = pytest.mark.django_db

EPSG = gk_zone_epsg(X0)
ORIGIN = to_metres(Point(X0, Y0), EPSG)
NAMES = {
    DISTRICT + "001": "翠湖街道",
    DISTRICT + "002": "文昌街道",
    DISTRICT + "001001": "翠湖社区",
    DISTRICT + "001002": "湖滨社区",
    DISTRICT + "002001": "文昌社区",
    DISTRICT + "002002": "书院社区",
}
PLATES = {
    ("中山路", "1"): (20, 90),
    ("中山路", "2"): (20, 110),
    ("中山路", "11"): (120, 90),
    ("中山路", "12"): (120, 110),
    ("中山路", "39"): (340, 90),
    ("中山路", "40"): (340, 110),
    ("建设路", "1"): (310, 350),
    ("建设路", "2"): (290, 350),
}


def at(east: float, north: float) -> Point:
    """The lon/lat of a position `east` and `north` metres from the district's corner."""
    return to_lonlat(Point(ORIGIN.x + east, ORIGIN.y + north), EPSG)


def line(*points: tuple[float, float]) -> LineString:
    return LineString([at(*point) for point in points])


@pytest.fixture(autouse=True)
def _fresh_gazetteer() -> None:
    # Each test database starts again at revision 1, so a cached gazetteer could look current.
    forget_gazetteer()


@pytest.fixture
def territory(db: None) -> None:
    features = small_territory()
    for feature in features:
        feature.name = NAMES.get(feature.code, feature.name)
    assert import_territory(features).ok


@pytest.fixture
def gazetteer(territory: None) -> None:
    zhongshan = Road.objects.create(
        name="中山路",
        aliases=["解放路"],
        road_class=RoadClass.MAIN,
        line=line((5, 100), (390, 100)),
    )
    jianshe = Road.objects.create(
        name="建设路",
        aliases=["建设大道"],
        road_class=RoadClass.SECONDARY,
        line=line((300, 5), (300, 440)),
    )
    roads = {"中山路": zhongshan, "建设路": jianshe}
    for (road, number), position in PLATES.items():
        DoorPlate.objects.create(road=roads[road], number=number, point=at(*position))
    PointOfInterest.objects.create(
        name="翠湖公园", aliases=["翠湖游园"], category="park", point=at(80, 170)
    )
    corners = [(230, 250), (280, 250), (280, 300), (230, 300)]
    Place.objects.create(
        name="阳光小区", aliases=["阳光花园"], boundary=Polygon(at(*c) for c in corners)
    )


def plate_position(road: str, number: str) -> Point:
    return DoorPlate.objects.get(road__name=road, number=number).point


def metres(hit: AddressHit) -> tuple[float, float]:
    """A hit's position in metres east and north of the district's corner."""
    point = to_metres(Point(hit.lon, hit.lat), EPSG)
    return point.x - ORIGIN.x, point.y - ORIGIN.y


def assert_at(hit: AddressHit, point: Point) -> None:
    assert (hit.lon, hit.lat) == (
        pytest.approx(point.x, abs=1e-9),
        pytest.approx(point.y, abs=1e-9),
    )


# --- text → position -----------------------------------------------------------------------


def test_a_full_address_finds_the_door_plate_at_its_stored_position(gazetteer: None) -> None:
    best = geocode("贵州省贵阳市示范区翠湖街道翠湖社区中山路12号")[0]
    assert (best.kind, best.label, best.score) == ("door_plate", "中山路12号", 1.0)
    assert_at(best, plate_position("中山路", "12"))
    assert best.note.startswith("道路名称 + 门牌号精确匹配，位于")
    assert {"翠湖街道", "翠湖社区", "示范区"} <= set(best.note.split("，位于")[1][:-1].split("、"))


@pytest.mark.parametrize(
    "text", ["中山路12号", "示范区中山路12号", "翠湖社区中山路十二号", "翠湖街道 中山路12号"]
)
def test_missing_levels_still_find_the_plate_exactly(gazetteer: None, text: str) -> None:
    best = geocode(text)[0]
    assert (best.kind, best.label, best.score) == ("door_plate", "中山路12号", 1.0)
    assert_at(best, plate_position("中山路", "12"))


def test_a_former_road_name_finds_the_same_plate_just_below_full_score(gazetteer: None) -> None:
    best = geocode("解放路12号附近")[0]
    assert (best.kind, best.label, best.score) == ("door_plate", "中山路12号", 0.98)
    assert best.note == "道路别名 + 门牌号精确匹配"
    assert_at(best, plate_position("中山路", "12"))


def test_the_named_street_picks_the_part_of_a_road_inside_it(gazetteer: None) -> None:
    (west,) = geocode("翠湖街道中山路")
    (east,) = geocode("文昌街道中山路")
    assert (west.kind, west.label, east.kind, east.label) == ("road", "中山路", "road", "中山路")
    # The streets meet at X0 + 2 * STEP, about 199 m east: the midpoints of 5…199 and 199…390.
    assert metres(west) == (pytest.approx(102, abs=1), pytest.approx(100, abs=0.01))
    assert metres(east) == (pytest.approx(294.5, abs=1), pytest.approx(100, abs=0.01))


def test_a_plate_outside_the_named_street_is_kept_but_scored_down(gazetteer: None) -> None:
    (hit,) = geocode("文昌街道中山路12号")
    assert (hit.label, hit.score) == ("中山路12号", 0.5)
    assert hit.note.endswith("但不在文昌街道内")


def test_a_community_alone_gives_a_point_inside_that_community(gazetteer: None) -> None:
    (hit,) = geocode("书院社区")
    assert (hit.kind, hit.label, hit.score) == ("area", "书院社区", 0.5)
    assert box(X0 + 2 * STEP, Y0 + 2 * STEP, X0 + 4 * STEP, Y0 + 4 * STEP).contains(
        Point(hit.lon, hit.lat)
    )


def test_former_names_of_streets_and_communities_are_understood(gazetteer: None) -> None:
    Street.objects.filter(name="文昌街道").update(aliases=["老城街道"])
    Community.objects.filter(name="书院社区").update(aliases=["书院里"])
    GeoRevision.bump()

    (east,) = geocode("老城街道中山路")
    assert (east.kind, east.label) == ("road", "中山路")
    assert metres(east) == (pytest.approx(294.5, abs=1), pytest.approx(100, abs=0.01))
    (community,) = geocode("书院里")
    assert (community.kind, community.label) == ("area", "书院社区")
    assert box(X0 + 2 * STEP, Y0 + 2 * STEP, X0 + 4 * STEP, Y0 + 4 * STEP).contains(
        Point(community.lon, community.lat)
    )


def test_a_compound_is_found_by_its_alias_and_a_park_by_its_name(gazetteer: None) -> None:
    compound, park = geocode("阳光花园3栋2单元")[0], geocode("翠湖公园东门")[0]
    assert (compound.kind, compound.label) == ("area", "阳光小区")
    assert Place.objects.get().boundary.contains(Point(compound.lon, compound.lat))
    assert (park.kind, park.label) == ("poi", "翠湖公园")
    assert_at(park, PointOfInterest.objects.get().point)


def test_unknown_or_blank_text_gives_no_hits_and_the_limit_caps_them(gazetteer: None) -> None:
    assert geocode("火星路8号") == []
    assert geocode("  ") == []
    assert len(geocode("中山路", limit=5)) == 1
    assert geocode("中山路12号", limit=0) == []


# --- position → text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("east", "north", "text"),
    [
        (150, 110, "中山路12号 东侧约30米"),
        (120, 130, "中山路12号 北侧约20米"),
        (121, 111, "中山路12号 附近"),
        (100, 70, "中山路11号 西南约30米"),
        (290, 380, "建设路2号 北侧约30米"),
    ],
)
def test_a_position_is_described_from_the_nearest_plate(
    gazetteer: None, east: float, north: float, text: str
) -> None:
    point = at(east, north)
    assert describe(point.x, point.y) == text


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_a_position_from_a_chinese_map_app_is_converted_first(gazetteer: None, crs: str) -> None:
    point = at(150, 110)
    shifted = from_wgs84(point.x, point.y, crs)
    assert describe(*shifted, crs=crs) == describe(point.x, point.y) == "中山路12号 东侧约30米"
    # Read as WGS84, the same numbers are hundreds of metres off.
    assert describe(*shifted) != "中山路12号 东侧约30米"


def test_a_position_far_from_everything_is_described_by_nothing(gazetteer: None) -> None:
    assert describe(X0 + 1.0, Y0) == ""
    assert describe(0.0, 0.0) == ""


def test_impossible_positions_are_refused(gazetteer: None) -> None:
    with pytest.raises(CoordinateError):
        describe(Y0, 200.0)
    with pytest.raises(CoordinateError):
        describe(X0, Y0, crs="mars")


def test_without_roads_a_position_is_described_by_its_community(territory: None) -> None:
    point = at(50, 50)
    assert describe(point.x, point.y) == "翠湖社区内"
    assert geocode("中山路12号") == []


def test_an_empty_gazetteer_finds_and_describes_nothing(db: None) -> None:
    assert geocode("中山路12号") == []
    assert describe(X0, Y0) == ""
    assert gazetteer_index().epsg is None


# --- the per-process cache -----------------------------------------------------------------


def add_renmin_road() -> None:
    road = Road.objects.create(
        name="人民路", road_class=RoadClass.LANE, line=line((20, 300), (180, 300))
    )
    DoorPlate.objects.create(road=road, number="8", point=at(100, 310))


def test_the_gazetteer_is_rebuilt_when_the_revision_changes(
    gazetteer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert geocode("人民路8号") == []
    add_renmin_road()
    # Pretend RECHECK_SECONDS have passed at every call, as in another process.
    monkeypatch.setattr(geo.gazetteer, "RECHECK_SECONDS", 0.0)
    assert geocode("人民路8号") == []  # same revision: the cached gazetteer is kept
    GeoRevision.bump()
    (hit,) = geocode("人民路8号")
    assert (hit.kind, hit.label, hit.score) == ("door_plate", "人民路8号", 1.0)
    assert_at(hit, plate_position("人民路", "8"))


def test_forgetting_the_gazetteer_shows_this_process_its_own_change(gazetteer: None) -> None:
    assert geocode("人民路8号") == []
    add_renmin_road()
    forget_gazetteer()
    assert [hit.label for hit in geocode("人民路8号")] == ["人民路8号"]
