"""lib.coords: validation, GCJ-02/BD-09 conversions, Gauss–Krüger zones, areas, distances."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod
from shapely.geometry import Point, Polygon, box

from lib import coords
from lib.coords import (
    CoordinateError,
    area_m2,
    bd09_to_gcj02,
    bd09_to_wgs84,
    check_lon_lat,
    distance_m,
    from_wgs84,
    from_wgs84_many,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    gk_zone_epsg,
    parse_crs,
    point_in_metres,
    to_lonlat,
    to_metres,
    to_wgs84,
    to_wgs84_many,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

BEIJING = (116.404, 39.915)
GUIYANG = (106.7, 26.6)

# Mainland China with a margin inside the GCJ-02 box (73.66…135.05, 3.86…53.55) larger than the
# largest offset (0.01°), so that a point and its image are on the same side of the box edge.
china_lon = st.floats(min_value=73.8, max_value=134.9, allow_nan=False)
china_lat = st.floats(min_value=4.0, max_value=53.4, allow_nan=False)

# --- reference values ------------------------------------------------------------------------


def test_wgs84_to_gcj02_matches_the_published_coordtransform_example_to_the_last_digit() -> None:
    # wandergis/coordtransform README (also the tests of its Rust, Java and C# ports):
    # wgs84togcj02(116.404, 39.915) → [116.41024449916938, 39.91640428150164].
    lon, lat = wgs84_to_gcj02(*BEIJING)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)


def test_gcj02_to_bd09_matches_the_published_coordtransform_example() -> None:
    # wandergis/coordtransform README: gcj02tobd09(116.404, 39.915)
    # → [116.41036949371029, 39.92133699351021].
    lon, lat = gcj02_to_bd09(*BEIJING)
    assert lon == pytest.approx(116.41036949371029, abs=1e-12)
    assert lat == pytest.approx(39.92133699351021, abs=1e-12)


def test_wgs84_to_bd09_matches_the_published_coordtransform_example() -> None:
    # wandergis/coordtransform (Python) README: wgs84_to_bd09(116.404, 39.915)
    # → (116.41662724378733, 39.922699552216216).
    lon, lat = wgs84_to_bd09(*BEIJING)
    assert lon == pytest.approx(116.41662724378733, abs=1e-12)
    assert lat == pytest.approx(39.922699552216216, abs=1e-12)


def test_accurate_inverse_improves_on_the_published_one_step_inverse() -> None:
    # wandergis/coordtransform README: the one-step gcj02towgs84(116.404, 39.915)
    # → [116.39775550083061, 39.91359571849836]; it is metres-level, so ours differs a little
    # and, unlike it, maps back onto the input.
    lon, lat = gcj02_to_wgs84(*BEIJING)
    assert lon == pytest.approx(116.39775550083061, abs=1e-5)
    assert lat == pytest.approx(39.91359571849836, abs=1e-5)
    assert (lon, lat) != (116.39775550083061, 39.91359571849836)
    back = wgs84_to_gcj02(lon, lat)
    assert back == pytest.approx(BEIJING, abs=1e-9)


# City triples (WGS84, GCJ-02, BD-09) from hujiulong/gcoord, test/fixtures/china-cities.json,
# rounded there to 7 decimals. Its WGS84 column sits a systematic ~5e-6° (≈0.5 m) off the public
# algorithm (gcoord itself tests that pair to 1e-4°), so WGS84↔GCJ-02 is checked to 1e-5° and
# GCJ-02→BD-09, which agrees to the rounding, to 1e-7°.
GCOORD_CITIES = {
    "郑州": ((113.6192856, 34.7478004), (113.6253334, 34.7466173), (113.6317519, 34.7528605)),
    "沈阳": ((123.4253306, 41.8032629), (123.4314787, 41.8057023), (123.438095, 41.8114013)),
    "酒泉": ((98.4937175, 39.7319946), (98.4943595, 39.7328234), (98.5008441, 39.7388949)),
    "钦州": ((108.6503952, 21.9828281), (108.6541485, 21.9799392), (108.6607283, 21.9856319)),
    "那曲": ((92.0499619, 31.4784436), (92.0512438, 31.4762063), (92.0576832, 31.4824421)),
}


@pytest.mark.parametrize("city", GCOORD_CITIES)
def test_city_triples_from_gcoord_agree_with_our_conversions(city: str) -> None:
    wgs, gcj, bd = GCOORD_CITIES[city]
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-5)
    assert gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-5)
    assert gcj02_to_bd09(*gcj) == pytest.approx(bd, abs=1e-7)
    assert bd09_to_gcj02(*bd) == pytest.approx(gcj, abs=1e-7)
    assert bd09_to_wgs84(*bd) == pytest.approx(wgs, abs=1e-5)


def test_gcj02_offset_in_beijing_is_hundreds_of_metres_and_bd09_adds_hundreds_more() -> None:
    gcj = wgs84_to_gcj02(*BEIJING)
    bd = gcj02_to_bd09(*gcj)
    assert 100 < distance_m(*BEIJING, *gcj) < 700
    assert 300 < distance_m(*gcj, *bd) < 1200


# --- round trips -----------------------------------------------------------------------------


@settings(deadline=None)
@given(china_lon, china_lat)
def test_wgs84_to_gcj02_and_back_returns_the_same_point(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-6)


@settings(deadline=None)
@given(china_lon, china_lat)
def test_wgs84_to_bd09_and_back_returns_the_same_point(lon: float, lat: float) -> None:
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-6)


@settings(deadline=None)
@given(china_lon, china_lat)
def test_gcj02_to_bd09_and_back_returns_the_same_point(lon: float, lat: float) -> None:
    back = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-6)


@settings(deadline=None)
@given(china_lon, china_lat, st.sampled_from(coords.CRS_NAMES))
def test_from_wgs84_then_to_wgs84_returns_the_same_point(lon: float, lat: float, crs: str) -> None:
    assert to_wgs84(*from_wgs84(lon, lat, crs), crs) == pytest.approx((lon, lat), abs=1e-6)


# --- outside China ---------------------------------------------------------------------------

ABROAD = [(2.3522, 48.8566), (139.6917, 35.6895), (-74.006, 40.7128), (151.2093, -33.8688)]


@pytest.mark.parametrize(("lon", "lat"), ABROAD)
def test_gcj02_applies_no_offset_outside_china(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert to_wgs84(lon, lat, "gcj02") == (lon, lat)


def test_vectorised_gcj02_offsets_only_the_points_inside_china() -> None:
    lons = np.array([2.3522, 116.404])
    lats = np.array([48.8566, 39.915])
    out_lon, out_lat = wgs84_to_gcj02(lons, lats)
    assert (out_lon[0], out_lat[0]) == (2.3522, 48.8566)
    assert out_lon[1] != 116.404


# --- scalar and vectorised -------------------------------------------------------------------

CONVERSIONS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]


@pytest.mark.parametrize("convert", CONVERSIONS, ids=lambda f: f.__name__)
def test_scalar_and_vectorised_conversions_agree(convert: Callable[..., Any]) -> None:
    rng = np.random.default_rng(20240601)
    lons = rng.uniform(74.0, 134.5, 200)
    lats = rng.uniform(18.0, 53.0, 200)
    many_lon, many_lat = convert(lons, lats)
    one_by_one = np.array([convert(float(x), float(y)) for x, y in zip(lons, lats, strict=True)])
    # Vectorised and scalar numpy kernels may round the last bit differently, nothing more.
    np.testing.assert_allclose(many_lon, one_by_one[:, 0], rtol=0, atol=1e-11)
    np.testing.assert_allclose(many_lat, one_by_one[:, 1], rtol=0, atol=1e-11)


def test_scalar_conversions_return_plain_floats() -> None:
    lon, lat = bd09_to_wgs84(*BEIJING)
    assert type(lon) is float
    assert type(lat) is float


def test_vectorised_conversions_keep_the_shape_of_the_input() -> None:
    lons = np.full((2, 3), 116.404)
    lats = np.full((2, 3), 39.915)
    out_lon, out_lat = bd09_to_wgs84(lons, lats)
    assert out_lon.shape == out_lat.shape == (2, 3)


def test_to_wgs84_many_matches_to_wgs84_point_by_point() -> None:
    lons = [116.404, 106.7, 2.35]
    lats = [39.915, 26.6, 48.85]
    for crs in coords.CRS_NAMES:
        many_lon, many_lat = to_wgs84_many(lons, lats, crs)
        for i, (lon, lat) in enumerate(zip(lons, lats, strict=True)):
            assert (many_lon[i], many_lat[i]) == pytest.approx(to_wgs84(lon, lat, crs), abs=1e-9)


def test_from_wgs84_many_matches_from_wgs84_point_by_point() -> None:
    many_lon, many_lat = from_wgs84_many([116.404], [39.915], "bd09")
    assert (many_lon[0], many_lat[0]) == from_wgs84(*BEIJING, "bd09")


def test_wgs84_and_cgcs2000_are_taken_as_is() -> None:
    assert to_wgs84(*BEIJING) == BEIJING
    assert to_wgs84(*BEIJING, "cgcs2000") == BEIJING
    assert from_wgs84(*BEIJING, "cgcs2000") == BEIJING


def test_coordinate_system_names_ignore_case_and_blanks() -> None:
    assert parse_crs(" GCJ02 ") == "gcj02"
    assert to_wgs84(*BEIJING, "BD09") == to_wgs84(*BEIJING, "bd09")


# --- errors ----------------------------------------------------------------------------------


def test_coordinate_error_is_a_value_error() -> None:
    assert issubclass(CoordinateError, ValueError)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "abc", None, True])
def test_a_non_number_is_refused(bad: object) -> None:
    with pytest.raises(CoordinateError, match=r"^longitude/latitude must be finite numbers$"):
        to_wgs84(bad, 30.0)
    with pytest.raises(CoordinateError, match=r"^longitude/latitude must be finite numbers$"):
        check_lon_lat(116.4, bad)


def test_numeric_strings_are_accepted() -> None:
    assert check_lon_lat("116.4", "39.9") == (116.4, 39.9)


def test_a_latitude_beyond_the_pole_is_refused() -> None:
    with pytest.raises(CoordinateError) as caught:
        check_lon_lat(116.4, 95.0)
    assert str(caught.value) == "latitude 95.0 is outside −90…90"


def test_a_longitude_beyond_the_antimeridian_is_refused() -> None:
    with pytest.raises(CoordinateError) as caught:
        check_lon_lat(200.0, 30.0)
    assert str(caught.value) == "longitude 200.0 is outside −180…180"


def test_swapped_longitude_and_latitude_are_pointed_out() -> None:
    with pytest.raises(CoordinateError) as caught:
        to_wgs84(39.915, 116.404, "gcj02")
    assert str(caught.value) == (
        "latitude 116.404 is outside −90…90: did you swap longitude and latitude?"
    )


def test_an_unknown_coordinate_system_is_refused() -> None:
    with pytest.raises(CoordinateError) as caught:
        to_wgs84(*BEIJING, "foo")
    assert str(caught.value) == (
        "unknown coordinate system 'foo': use wgs84, cgcs2000, gcj02 or bd09"
    )
    with pytest.raises(CoordinateError, match="unknown coordinate system None"):
        from_wgs84(*BEIJING, None)


def test_the_error_keeps_its_template_apart_for_translation() -> None:
    with pytest.raises(CoordinateError) as caught:
        check_lon_lat(116.4, 95.0)
    err = caught.value
    assert err.template == "latitude %(lat)s is outside −90…90"
    assert err.params == {"lat": 95.0}
    assert err.template % err.params == str(err)


def test_a_bad_point_in_a_batch_is_named_by_its_position() -> None:
    with pytest.raises(CoordinateError) as caught:
        to_wgs84_many([116.4, 116.5, 116.6], [39.9, 95.0, 39.9], "gcj02")
    assert str(caught.value) == "point 2: latitude 95.0 is outside −90…90"
    with pytest.raises(CoordinateError, match=r"^point 1: longitude/latitude must be finite"):
        to_wgs84_many([math.nan], [39.9])


def test_a_batch_with_unequal_lengths_is_refused() -> None:
    with pytest.raises(CoordinateError, match="got 2 longitudes but 1 latitudes"):
        to_wgs84_many([116.4, 116.5], [39.9])


# --- Gauss–Krüger zones ----------------------------------------------------------------------


def test_beijing_is_in_the_zone_of_central_meridian_117_epsg_4548() -> None:
    assert gk_zone_epsg(BEIJING[0]) == 4548


def test_guiyang_is_in_the_zone_of_central_meridian_108_epsg_4545() -> None:
    # 106.7°E is 1.3° from 108°E but 1.7° from 105°E: the CM 105 zone (EPSG:4544) ends at
    # 106.5°E, and pyproj's area of use for EPSG:4545 is 106.5…109.5°E.
    assert gk_zone_epsg(GUIYANG[0]) == 4545


@pytest.mark.parametrize("lon", np.arange(73.7, 134.8, 0.25).tolist())
def test_the_chosen_zone_covers_the_longitude_by_the_epsg_area_of_use(lon: float) -> None:
    bounds = CRS.from_epsg(gk_zone_epsg(lon)).area_of_use
    assert bounds is not None
    assert bounds.west - 0.02 <= lon <= bounds.east + 0.02


@pytest.mark.parametrize("central_meridian", range(75, 136, 3))
def test_each_zone_code_is_the_cgcs2000_gauss_kruger_crs_of_that_meridian(
    central_meridian: int,
) -> None:
    crs = CRS.from_epsg(gk_zone_epsg(central_meridian + 1.4))
    assert crs.coordinate_operation is not None
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert crs.name == f"CGCS2000 / 3-degree Gauss-Kruger CM {central_meridian}E"
    assert params["Longitude of natural origin"] == central_meridian
    assert params["False easting"] == 500000  # no zone number in front of the easting


@pytest.mark.parametrize("lon", [10.0, 73.4, 136.6, -116.4])
def test_a_longitude_outside_the_chinese_zones_is_refused(lon: float) -> None:
    with pytest.raises(CoordinateError, match="outside the Gauss–Krüger zones of China"):
        gk_zone_epsg(lon)


def test_the_central_meridian_projects_to_easting_500000() -> None:
    projected = to_metres(Point(117.0, 40.0), 4548)
    assert projected.x == pytest.approx(500000.0, abs=1e-6)
    assert projected.y == pytest.approx(4429000, rel=1e-3)  # ≈ 40° of meridian arc


@pytest.mark.parametrize(("lon", "lat", "epsg"), [(117.0, 40.0, 4548), (106.31, 26.61, 4544)])
def test_a_point_in_metres_is_the_projected_point(lon: float, lat: float, epsg: int) -> None:
    assert point_in_metres(lon, lat, epsg).equals_exact(to_metres(Point(lon, lat), epsg), 1e-9)


def test_to_lonlat_undoes_to_metres() -> None:
    polygon = box(106.70, 26.60, 106.71, 26.61)
    back = to_lonlat(to_metres(polygon, 4545), 4545)
    assert isinstance(back, Polygon)
    np.testing.assert_allclose(
        shapely.get_coordinates(back), shapely.get_coordinates(polygon), atol=1e-9
    )


# --- areas and distances ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epsg", "easting", "northing"),
    [
        (4548, 448000.0, 4419000.0),  # Beijing, near the central meridian
        (4548, 618000.0, 4419000.0),  # 1.4° east of it, near the edge of the zone
        (4545, 370000.0, 2943000.0),  # Guiyang, 1.3° west of its central meridian
    ],
)
def test_a_100_m_square_built_in_metres_has_an_area_of_10000_m2(
    epsg: int, easting: float, northing: float
) -> None:
    square = to_lonlat(box(easting, northing, easting + 100.0, northing + 100.0), epsg)
    assert area_m2(square) == pytest.approx(10_000.0, rel=1e-3)


def test_area_agrees_with_the_geodesic_area_of_the_ellipsoid() -> None:
    grid = box(106.700, 26.600, 106.701, 26.601)  # ≈ 100 m × 110 m in Guiyang
    geodesic, _ = Geod(ellps="GRS80").geometry_area_perimeter(grid)
    assert area_m2(grid) == pytest.approx(abs(geodesic), rel=1e-3)


def test_an_empty_geometry_has_no_area() -> None:
    assert area_m2(Polygon()) == 0.0


def test_one_degree_of_latitude_at_the_equator_is_110574_m() -> None:
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(110_574.4, abs=0.5)


def test_distance_refuses_an_invalid_point() -> None:
    with pytest.raises(CoordinateError):
        distance_m(116.4, 39.9, math.nan, 39.9)
