import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.lookup import OutsideDistrict, locate, locate_many, territory_index
from geo.models import UnitGrid
from geo.territory_import import import_territory
from lib.coords import CoordinateError, from_wgs84
from tests.geo.territory import STEP, X0, Y0, grid_code, small_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory(db: None) -> dict[str, object]:
    assert import_territory(small_territory()).ok
    return dict(UnitGrid.objects.values_list("code", "boundary"))


def brute_force(polygons: dict[str, object], x: float, y: float) -> str | None:
    """The lowest code among grids covering the point (the documented tie-break)."""
    covering = [code for code, p in polygons.items() if shapely.intersects_xy(p, x, y)]
    return min(covering) if covering else None


def test_the_centre_of_each_grid_finds_that_grid(territory: dict[str, object]) -> None:
    for code, polygon in territory.items():
        centre = polygon.centroid  # type: ignore[attr-defined]
        location = locate(centre.x, centre.y)
        assert location.grid_code == code
        grid = UnitGrid.objects.select_related("community__street").get(code=code)
        assert (location.community_id, location.street_id) == (
            grid.community_id,
            grid.community.street_id,
        )


def test_random_points_agree_with_brute_force(territory: dict[str, object]) -> None:
    rng = np.random.default_rng(7)
    xs = rng.uniform(X0 - STEP, X0 + 5 * STEP, 3000)
    ys = rng.uniform(Y0 - STEP, Y0 + 5 * STEP, 3000)
    ids = dict(UnitGrid.objects.values_list("id", "code"))
    batch = locate_many(xs, ys)
    for x, y, grid_id in zip(xs.tolist(), ys.tolist(), batch.tolist(), strict=True):
        expected = brute_force(territory, x, y)
        single = territory_index().locate(x, y)
        assert (single.grid_code if single else None) == expected
        assert (ids[grid_id] if grid_id >= 0 else None) == expected


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(i=st.integers(0, 4), j=st.integers(0, 4), t=st.floats(0, 1))
def test_points_on_shared_edges_resolve_to_the_lowest_code(
    territory: dict[str, object], i: int, j: int, t: float
) -> None:
    for x, y in ((X0 + i * STEP, Y0 + t * 4 * STEP), (X0 + t * 4 * STEP, Y0 + j * STEP)):
        expected = brute_force(territory, x, y)
        found = territory_index().locate(x, y)
        assert (found.grid_code if found else None) == expected
        batch = locate_many(np.array([x]), np.array([y]))
        assert (batch[0] >= 0) == (expected is not None)


def test_the_corner_shared_by_four_grids_goes_to_the_lowest_code(
    territory: dict[str, object],
) -> None:
    # The centre of the district touches grids of both streets and both communities.
    location = locate(X0 + 2 * STEP, Y0 + 2 * STEP)
    assert location.grid_code == grid_code("001", "001", 2)


def test_a_point_outside_the_district_is_refused_with_a_clear_message(
    territory: dict[str, object],
) -> None:
    with pytest.raises(OutsideDistrict, match="不在本区单元网格范围内"):
        locate(X0 - 0.01, Y0)
    assert locate_many(np.array([X0 - 0.01]), np.array([Y0]))[0] == -1


def test_impossible_coordinates_are_refused(territory: dict[str, object]) -> None:
    with pytest.raises(CoordinateError):
        locate(Y0, 200.0)


@pytest.mark.parametrize("crs", ["gcj02", "bd09", "cgcs2000"])
def test_positions_from_chinese_map_apps_are_converted(
    territory: dict[str, object], crs: str
) -> None:
    x, y = X0 + 2.5 * STEP, Y0 + 0.5 * STEP
    shifted = from_wgs84(x, y, crs)
    assert (
        locate(*shifted, crs=crs).grid_code == locate(x, y).grid_code == grid_code("002", "001", 3)
    )


def test_the_index_follows_a_change_of_the_territory(
    territory: dict[str, object], django_capture_on_commit_callbacks: object
) -> None:
    x, y = X0 + 0.5 * STEP, Y0 + 0.5 * STEP
    assert locate(x, y).grid_code == grid_code("001", "001", 3)
    features = small_territory()
    for f in features:
        if f.code == grid_code("001", "001", 3):
            f.code = grid_code("001", "001", 9)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert import_territory(features).ok
    # The old row is kept (cases may point at it), so both now cover the point; 003 < 009.
    assert UnitGrid.objects.filter(code=grid_code("001", "001", 9)).exists()
    assert territory_index().locate(x, y) is not None
    assert len(territory_index().locations) == 17


def test_distance_to_the_nearest_street_border(territory: dict[str, object]) -> None:
    border_x = X0 + 2 * STEP
    near = territory_index().distance_to_street_border(border_x - 0.0001, Y0 + 2 * STEP)
    far = territory_index().distance_to_street_border(X0 + 0.5 * STEP, Y0 + 2 * STEP)
    assert near is not None and far is not None
    assert 9 < near < 11  # 0.0001° of longitude at 26.6° N ≈ 9.95 m
    assert 140 < far < 160


def test_near_a_street_border_agrees_with_the_distance_to_it(territory: dict[str, object]) -> None:
    index, rng = territory_index(), np.random.default_rng(5)
    xs = X0 + rng.uniform(0, 4 * STEP, 400)
    ys = Y0 + rng.uniform(0, 4 * STEP, 400)
    for x, y in zip(xs, ys, strict=True):
        distance = index.distance_to_street_border(x, y)
        assert distance is not None
        if abs(distance - 50) > 0.5:  # the buffer's arcs are polygons: exact to centimetres
            assert index.near_street_border(x, y, 50) == (distance < 50), (x, y, distance)
    assert index.near_street_border(X0 + 2 * STEP - 0.0001, Y0 + 2 * STEP, 50)
    assert not index.near_street_border(X0 + 0.5 * STEP, Y0 + 2 * STEP, 50)
