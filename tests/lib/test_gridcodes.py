"""Unit-grid (单元网格) codes: 15 digits = district (6) + street (3) + community (3) + sequence (3),
legacy CJ/T 213 codes with 14 digits, and numbering west→east, north→south (从西向东、由北至南)."""

from __future__ import annotations

import math
import pickle
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.gridcodes import (
    PROVINCE_CODES,
    RULE_ASCII,
    RULE_COMMUNITY,
    RULE_DISTRICT_FORMAT,
    RULE_DISTRICT_LEVEL,
    RULE_DISTRICT_PROVINCE,
    RULE_LEGACY_SEQUENCE,
    RULE_LENGTH,
    RULE_SEQUENCE,
    RULE_SEQUENCE_OVERFLOW,
    RULE_STREET,
    RULE_TOO_MANY_GRIDS,
    GridCode,
    GridCodeError,
    assign_sequences,
    build_grid_code,
    default_row_height,
    normalize_grid_code,
    parse_grid_code,
    validate_community_code,
    validate_district_code,
    validate_street_code,
)

# 东城区 (Beijing), street 001, community 002, grid 003.
DONGCHENG = "110101"
CODE = "110101001002003"
LEGACY = "11010100100203"

# Hypothesis deadlines are timings; this suite has none.
untimed = settings(deadline=None)

# --- strategies ------------------------------------------------------------------------------

districts = st.builds(
    lambda province, city, county: f"{province}{city:02d}{county:02d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 99),
    st.integers(1, 99),
)
three_digit_codes = st.integers(1, 999).map(lambda n: f"{n:03d}")
sequences = st.integers(1, 999)
grid_codes = st.builds(build_grid_code, districts, three_digit_codes, three_digit_codes, sequences)
legacy_codes = st.builds(
    lambda district, street, community, sequence: f"{district}{street}{community}{sequence:02d}",
    districts,
    three_digit_codes,
    three_digit_codes,
    st.integers(1, 99),
)


def is_14_or_15_ascii_digits(text: str) -> bool:
    return len(text) in (14, 15) and all(c in "0123456789" for c in text)


# --- errors ------------------------------------------------------------------------------------


def test_the_error_names_the_offending_code_and_the_rule() -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code("5201990010020001")
    assert str(caught.value) == (
        "grid code '5201990010020001' is invalid: "
        "a unit grid code has 15 digits (or 14 in the legacy CJ/T 213 form)"
    )
    assert caught.value.code == "5201990010020001"
    assert caught.value.rule == RULE_LENGTH


def test_a_grid_code_error_is_a_value_error_that_survives_pickling() -> None:
    error = GridCodeError("000", RULE_STREET, "street code")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.rule, copy.kind) == ("000", RULE_STREET, "street code")
    assert str(copy) == str(error)


def test_it_rejects_a_grid_code_with_13_digits() -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code("1101010010020")
    assert caught.value.rule == RULE_LENGTH
    assert "'1101010010020'" in str(caught.value)


def test_it_rejects_an_empty_grid_code_for_its_length() -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code("   ")
    assert caught.value.rule == RULE_LENGTH


def test_it_rejects_full_width_digits_and_says_so() -> None:
    full_width = "１１０１０１００１００２００３"
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code(full_width)
    assert caught.value.rule == RULE_ASCII
    assert "full-width" in str(caught.value)
    assert repr(full_width) in str(caught.value)


@pytest.mark.parametrize("text", ["11010100100200A", "110101-001-002-003", "110101 001002003"])
def test_it_rejects_letters_and_separators_inside_a_grid_code(text: str) -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code(text)
    assert caught.value.rule == RULE_ASCII
    assert caught.value.code == text


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("190101001002003", RULE_DISTRICT_PROVINCE),  # no province 19
        ("910101001002003", RULE_DISTRICT_PROVINCE),
        ("110100001002003", RULE_DISTRICT_LEVEL),  # 北京市 市辖区: city level
        ("110000001002003", RULE_DISTRICT_LEVEL),  # 北京市: province level
        ("110101000002003", RULE_STREET),
        ("110101001000003", RULE_COMMUNITY),
        ("110101001002000", RULE_SEQUENCE),
    ],
)
def test_it_rejects_a_15_digit_code_with_a_bad_part_and_says_which_digits(
    text: str, rule: str
) -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code(text)
    assert caught.value.code == text
    assert caught.value.rule == rule
    assert caught.value.digits
    assert str(caught.value).startswith(f"grid code {text!r} is invalid: digits ")


def test_it_locates_a_bad_street_at_digits_7_to_9() -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code("110101000002003")
    assert (caught.value.digits, caught.value.rule) == ("7-9", RULE_STREET)


def test_it_rejects_a_legacy_code_ending_in_00_as_the_community_itself() -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code("11010100100200")
    assert caught.value.rule == RULE_LEGACY_SEQUENCE
    assert "'11010100100200'" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("11010", RULE_DISTRICT_FORMAT),
        ("1101011", RULE_DISTRICT_FORMAT),
        ("１１０１０１", RULE_DISTRICT_FORMAT),
        ("16010a", RULE_DISTRICT_FORMAT),
        ("160101", RULE_DISTRICT_PROVINCE),
        ("830101", RULE_DISTRICT_PROVINCE),
        ("100101", RULE_DISTRICT_PROVINCE),
        ("520100", RULE_DISTRICT_LEVEL),
        ("520000", RULE_DISTRICT_LEVEL),
    ],
)
def test_it_rejects_a_district_code_that_is_not_county_level_gbt_2260(code: str, rule: str) -> None:
    with pytest.raises(GridCodeError) as caught:
        validate_district_code(code)
    assert caught.value.rule == rule
    assert str(caught.value) == f"district code {code!r} is invalid: {rule}"


@pytest.mark.parametrize("code", ["110101", "520199", "469001", "500229", "820008", "710101"])
def test_it_accepts_county_level_district_codes(code: str) -> None:
    assert validate_district_code(code) == code


@pytest.mark.parametrize("code", ["000", "01", "0001", "1a2", "００１", " 01", "-01"])
def test_it_rejects_a_street_code_that_is_not_001_to_999(code: str) -> None:
    with pytest.raises(GridCodeError) as caught:
        validate_street_code(code)
    assert caught.value.rule == RULE_STREET
    assert str(caught.value).startswith(f"street code {code!r} is invalid: ")


@pytest.mark.parametrize("code", ["000", "12", "1234", "x01"])
def test_it_rejects_a_community_code_that_is_not_001_to_999(code: str) -> None:
    with pytest.raises(GridCodeError) as caught:
        validate_community_code(code)
    assert caught.value.rule == RULE_COMMUNITY
    assert str(caught.value).startswith(f"community code {code!r} is invalid: ")


def test_it_accepts_street_and_community_codes_from_001_to_999() -> None:
    assert validate_street_code("001") == "001"
    assert validate_community_code("999") == "999"


# --- building and parsing ----------------------------------------------------------------------


def test_it_builds_a_15_digit_code_from_its_parts() -> None:
    assert build_grid_code(DONGCHENG, "001", "002", 3) == CODE
    assert build_grid_code(DONGCHENG, "001", "002", 999) == "110101001002999"


def test_building_grid_1000_says_the_community_has_more_than_999_grids() -> None:
    with pytest.raises(GridCodeError) as caught:
        build_grid_code(DONGCHENG, "001", "002", 1000)
    assert caught.value.rule == RULE_SEQUENCE_OVERFLOW
    assert "more than 999 grids" in str(caught.value)
    assert caught.value.code == "1000"


@pytest.mark.parametrize("sequence", [0, -1])
def test_building_grid_0_or_below_is_rejected(sequence: int) -> None:
    with pytest.raises(GridCodeError) as caught:
        build_grid_code(DONGCHENG, "001", "002", sequence)
    assert caught.value.rule == RULE_SEQUENCE
    assert caught.value.kind == "grid sequence"


def test_building_names_the_bad_part() -> None:
    with pytest.raises(GridCodeError) as caught:
        build_grid_code(DONGCHENG, "001", "000", 1)
    assert str(caught.value) == f"community code '000' is invalid: {RULE_COMMUNITY}"
    with pytest.raises(GridCodeError) as caught:
        build_grid_code("110100", "001", "001", 1)
    assert caught.value.kind == "district code"


def test_a_boolean_is_not_a_sequence_number() -> None:
    with pytest.raises(TypeError):
        build_grid_code(DONGCHENG, "001", "002", True)


def test_a_grid_code_exposes_its_street_community_and_full_codes() -> None:
    grid = GridCode(DONGCHENG, "001", "002", 3)
    assert grid.street_code == "110101001"
    assert grid.community_code == "110101001002"
    assert grid.code == CODE
    assert str(grid) == CODE


def test_a_grid_code_cannot_be_constructed_invalid() -> None:
    with pytest.raises(GridCodeError):
        GridCode(DONGCHENG, "000", "002", 3)


def test_it_parses_a_15_digit_code_into_its_parts() -> None:
    assert parse_grid_code(CODE) == GridCode(DONGCHENG, "001", "002", 3)


def test_it_parses_a_legacy_14_digit_code_and_widens_the_sequence() -> None:
    assert parse_grid_code(LEGACY) == GridCode(DONGCHENG, "001", "002", 3)
    assert normalize_grid_code("11010100100201") == "110101001002001"
    assert normalize_grid_code("11010100100299") == "110101001002099"


def test_it_ignores_surrounding_whitespace_including_the_ideographic_space() -> None:
    assert normalize_grid_code(f" \t{CODE}\n") == CODE
    assert normalize_grid_code(f"\u3000{LEGACY}\u3000") == CODE


# --- properties of codes ---------------------------------------------------------------------


@untimed
@given(districts, three_digit_codes, three_digit_codes, sequences)
def test_building_then_parsing_gives_back_the_parts(
    district: str, street: str, community: str, sequence: int
) -> None:
    code = build_grid_code(district, street, community, sequence)
    assert len(code) == 15
    assert parse_grid_code(code) == GridCode(district, street, community, sequence)
    assert normalize_grid_code(code) == code


@untimed
@given(legacy_codes)
def test_every_legacy_code_normalizes_to_15_digits_with_the_same_prefix_and_sequence(
    legacy: str,
) -> None:
    code = normalize_grid_code(legacy)
    assert len(code) == 15
    assert code[:12] == legacy[:12]
    assert int(code[12:]) == int(legacy[12:])
    assert code[12] == "0"


@untimed
@given(st.text())
def test_any_text_that_is_not_14_or_15_ascii_digits_is_rejected(text: str) -> None:
    if is_14_or_15_ascii_digits(text.strip()):
        return
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code(text)
    assert caught.value.code == text
    assert caught.value.rule in (RULE_ASCII, RULE_LENGTH)


@untimed
@given(st.text(alphabet="0123456789", max_size=40).filter(lambda t: len(t) not in (14, 15)))
def test_a_run_of_digits_of_any_other_length_is_rejected_for_its_length(text: str) -> None:
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code(text)
    assert caught.value.rule == RULE_LENGTH


@untimed
@given(
    grid_codes,
    st.integers(0, 14),
    st.characters(exclude_characters="0123456789").filter(lambda c: not c.isspace()),
)
def test_a_valid_code_with_any_one_character_replaced_by_a_non_ascii_digit_is_rejected(
    code: str, position: int, character: str
) -> None:
    text = code[:position] + character + code[position + 1 :]
    with pytest.raises(GridCodeError) as caught:
        parse_grid_code(text)
    assert caught.value.rule == RULE_ASCII


# --- assigning sequence numbers (从西向东、由北至南) ---------------------------------------


def test_it_numbers_a_small_community_like_reading_text() -> None:
    # Two rows of three grids, 100 m apart; B sits 30 m north of its row-mates.
    centroids = {
        "A": (0.0, 0.0),
        "B": (100.0, 30.0),
        "C": (200.0, 0.0),
        "D": (0.0, -100.0),
        "E": (100.0, -100.0),
        "F": (200.0, -100.0),
    }
    assert assign_sequences(centroids) == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6}


def test_the_result_is_ordered_by_sequence_number() -> None:
    result = assign_sequences({"south": (0.0, 0.0), "north": (0.0, 100.0)})
    assert list(result.items()) == [("north", 1), ("south", 2)]


def test_a_taller_row_height_merges_rows() -> None:
    centroids = {"A": (0.0, 0.0), "B": (100.0, 0.0), "C": (50.0, -100.0)}
    assert assign_sequences(centroids) == {"A": 1, "B": 2, "C": 3}
    assert assign_sequences(centroids, row_height=300.0) == {"A": 1, "C": 2, "B": 3}


def test_ties_are_broken_by_x_then_north_first_then_key_order() -> None:
    same_place = {"second": (10.0, 5.0), "first": (10.0, 5.0), "west": (0.0, 5.0)}
    assert assign_sequences(same_place) == {"west": 1, "second": 2, "first": 3}
    same_x = {"lower": (0.0, 0.0), "upper": (0.0, 1.0), "east": (100.0, 0.5)}
    assert assign_sequences(same_x, row_height=100.0) == {"upper": 1, "lower": 2, "east": 3}


def test_it_numbers_nothing_one_grid_and_grids_at_one_point() -> None:
    assert assign_sequences({}) == {}
    assert assign_sequences({"only": (3.0, 4.0)}) == {"only": 1}
    assert assign_sequences({"b": (1.0, 1.0), "a": (1.0, 1.0)}) == {"b": 1, "a": 2}


def test_the_default_row_height_is_the_median_nearest_neighbour_distance() -> None:
    # Nearest neighbours: 10, 10, 20 (the outlier at x=40 is 20 m from x=20).
    assert default_row_height([(0.0, 0.0), (10.0, 0.0), (40.0, 0.0)]) == 10.0
    assert default_row_height([(0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (100.0, 0.0)]) == 10.0
    assert default_row_height([(5.0, 5.0), (5.0, 5.0)]) == 0.0
    assert default_row_height([]) == 0.0


def test_it_numbers_999_grids_but_not_1000() -> None:
    lattice = {(row, col): (col * 100.0, -row * 100.0) for row in range(27) for col in range(37)}
    result = assign_sequences(lattice)
    assert result[(0, 0)] == 1
    assert result[(26, 36)] == 999
    lattice[(27, 0)] = (0.0, -2700.0)
    with pytest.raises(GridCodeError) as caught:
        assign_sequences(lattice)
    assert caught.value.rule == RULE_TOO_MANY_GRIDS
    assert str(caught.value).startswith("number of grids '1000' is invalid: ")


@pytest.mark.parametrize("point", [(math.nan, 0.0), (0.0, math.inf)])
def test_it_rejects_a_centroid_that_is_not_finite(point: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="'bad'"):
        assign_sequences({"good": (0.0, 0.0), "bad": point})


@pytest.mark.parametrize("row_height", [0.0, -5.0, math.nan, math.inf])
def test_it_rejects_a_row_height_that_is_not_a_positive_number(row_height: float) -> None:
    with pytest.raises(ValueError, match="row_height"):
        assign_sequences({"a": (0.0, 0.0)}, row_height=row_height)


coordinates = st.floats(-1e6, 1e6, allow_nan=False)
points = st.tuples(coordinates, coordinates)


@untimed
@given(st.dictionaries(st.integers(), points, max_size=60))
def test_it_always_yields_a_permutation_of_1_to_n(
    centroids: dict[int, tuple[float, float]],
) -> None:
    result = assign_sequences(centroids)
    assert result.keys() == centroids.keys()
    assert list(result.values()) == list(range(1, len(centroids) + 1))


@untimed
@given(st.lists(points, max_size=40, unique=True), st.randoms(use_true_random=False))
def test_distinct_centroids_are_numbered_the_same_whatever_their_order(
    spots: list[tuple[float, float]], random: Random
) -> None:
    centroids = {f"g{i}": spot for i, spot in enumerate(spots)}
    keys = list(centroids)
    random.shuffle(keys)
    shuffled = {key: centroids[key] for key in keys}
    assert assign_sequences(shuffled) == assign_sequences(centroids)


@st.composite
def jittered_lattices(
    draw: st.DrawFn, jitter: float
) -> tuple[dict[str, tuple[float, float]], dict[str, int], float]:
    """A rows × cols lattice (row 0 northernmost) with per-axis jitter below ``jitter`` × the
    smaller spacing; returns the centroids in shuffled order, the row-major numbering from the
    north-west, and the row spacing."""
    rows, cols = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    dx, dy = draw(st.floats(5.0, 500.0)), draw(st.floats(5.0, 500.0))
    x0, y0 = draw(st.floats(0.0, 1e6)), draw(st.floats(0.0, 1e7))
    bound = jitter * min(dx, dy)
    offsets = st.floats(-bound, bound)
    centroids: dict[str, tuple[float, float]] = {}
    expected: dict[str, int] = {}
    for row in range(rows):
        for col in range(cols):
            key = f"r{row}c{col}"
            centroids[key] = (x0 + col * dx + draw(offsets), y0 - row * dy + draw(offsets))
            expected[key] = row * cols + col + 1
    keys = draw(st.permutations(list(centroids)))
    return {key: centroids[key] for key in keys}, expected, dy


@untimed
@given(jittered_lattices(jitter=0.14))
def test_a_jittered_lattice_is_numbered_row_by_row_from_the_north_west(
    lattice: tuple[dict[str, tuple[float, float]], dict[str, int], float],
) -> None:
    # With the default row height, exact for jitter below 1/7 of the spacing (see the module).
    centroids, expected, _ = lattice
    assert assign_sequences(centroids) == expected


@untimed
@given(jittered_lattices(jitter=0.249))
def test_a_lattice_jittered_by_almost_a_quarter_is_numbered_row_by_row_given_its_row_height(
    lattice: tuple[dict[str, tuple[float, float]], dict[str, int], float],
) -> None:
    centroids, expected, dy = lattice
    assert assign_sequences(centroids, row_height=dy) == expected
