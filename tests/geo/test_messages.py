import pytest
from django.utils import translation

from geo.messages import coordinate_error_text, grid_code_error_text
from lib.coords import CoordinateError, check_lon_lat, to_wgs84_many
from lib.gridcodes import GridCodeError, parse_grid_code


def test_a_swapped_position_is_explained_in_chinese_by_default() -> None:
    with pytest.raises(CoordinateError) as caught:
        check_lon_lat(26.6, 106.3)
    assert coordinate_error_text(caught.value) == "纬度 106.3 超出 −90…90：是否把经度和纬度填反了？"


def test_a_bad_point_in_a_batch_is_named_by_its_position() -> None:
    with pytest.raises(CoordinateError) as caught:
        to_wgs84_many([106.3, 106.4], [26.6, float("nan")])
    assert coordinate_error_text(caught.value) == "第 2 个点：经度、纬度必须是有限数值"
    with translation.override("en"):
        text = coordinate_error_text(caught.value)
    assert text == "Point 2: longitude/latitude must be finite numbers"


def test_a_bad_grid_code_names_the_digits_and_the_rule_in_the_users_language() -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code("110101000002003")
    assert grid_code_error_text(caught.value) == (
        "网格代码 '110101000002003' 无效：第 7-9 位：街道/乡镇代码为 001 至 999 的 3 位半角数字"
    )
    with translation.override("en"):
        assert grid_code_error_text(caught.value) == str(caught.value)
