"""The demo's partners and cameras on the small territory: 500 cameras along the roads inside
the district, each able to report; loading again changes nothing, puts back what was changed
by hand and makes no new key."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import LineString, Point

from geo.models import District, Road, RoadClass
from intake.partners.models import Camera, Partner
from simulate.demo_partners import CAMERA_COUNT, load_demo_partners
from tests.cases.conftest import World
from tests.geo.territory import X0, Y0

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads(world: World) -> list[Road]:
    lines = [
        ("迎宾大道", RoadClass.MAIN, [(X0 - 0.0005, Y0 + 0.002), (X0 + 0.0045, Y0 + 0.0021)]),
        ("文化路", RoadClass.SECONDARY, [(X0 + 0.002, Y0 - 0.0005), (X0 + 0.0022, Y0 + 0.0045)]),
    ]
    return [Road.objects.create(name=n, road_class=c, line=LineString(xy)) for n, c, xy in lines]


def cameras() -> list[tuple[object, ...]]:
    return list(Camera.objects.order_by("code").values_list("code", "name", "lon", "lat"))


def test_500_cameras_stand_on_the_roads_inside_the_district(roads: list[Road]) -> None:
    counts, keys = load_demo_partners()
    assert counts["cameras"] == CAMERA_COUNT == Camera.objects.count() == 500
    assert (
        set(keys)
        == {"110", "video-ai", "city"}
        == set(Partner.objects.values_list("code", flat=True))
    )
    district = District.objects.get().boundary
    lines = shapely.union_all([road.line for road in roads])
    for code, name, lon, lat in cameras():
        point = Point(lon, lat)
        assert district.contains(point), code
        assert lines.distance(point) < 1e-6, code
        assert str(name).startswith(("迎宾大道", "文化路"))
    assert Camera.objects.filter(partner__code="video-ai").count() == 400
    assert len({(lon, lat) for _c, _n, lon, lat in cameras()}) == 500


def test_loading_again_changes_nothing_and_keeps_the_keys(roads: list[Road]) -> None:
    load_demo_partners()
    before, hashes = cameras(), list(Partner.objects.values_list("key_hash", flat=True))
    counts, keys = load_demo_partners()
    assert (counts["new_keys"], keys) == (0, {})
    assert cameras() == before
    assert list(Partner.objects.values_list("key_hash", flat=True)) == hashes


def test_loading_again_puts_back_a_camera_changed_by_hand(roads: list[Road]) -> None:
    load_demo_partners()
    before = cameras()
    Camera.objects.filter(code=before[1][0]).update(name="改过", lat=1, partner=None)
    load_demo_partners()
    assert cameras() == before
    assert Camera.objects.filter(partner__code="video-ai").count() == 400
