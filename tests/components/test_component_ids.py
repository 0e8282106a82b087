"""Component identifiers (部件标识码): 16 digits legacy, 17 current; pure rules, no database."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from components.messages import component_id_error_text
from lib.component_ids import (
    RULE_ASCII,
    RULE_DISTRICT_MISMATCH,
    RULE_EDITION_LENGTH,
    RULE_LENGTH,
    RULE_SERIAL,
    RULE_TYPE_MISMATCH,
    ComponentIdError,
    build_component_id,
    parse_component_id,
    validate_component_id,
)
from lib.gridcodes import PROVINCE_CODES

districts = st.builds(
    lambda province, city, county: f"{province}{city:02d}{county:02d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 99),
    st.integers(1, 99),
)
legacy_types = st.builds(lambda a, b: f"{a:02d}{b:02d}", st.integers(1, 99), st.integers(1, 99))
current_types = st.builds(lambda a, b: f"{a:02d}{b:03d}", st.integers(1, 99), st.integers(1, 999))
type_codes = legacy_types | current_types
serials = st.integers(1, 999_999)


@given(districts, type_codes, serials)
def test_an_identifier_parses_back_into_its_parts(district: str, code: str, serial: int) -> None:
    identifier = build_component_id(district, code, serial)
    assert len(identifier) == (16 if len(code) == 4 else 17)
    parsed = parse_component_id(identifier)
    assert (parsed.district, parsed.type_code, parsed.serial) == (district, code, serial)
    assert validate_component_id(identifier, district=district, type_code=code) == parsed


def test_the_standards_example_is_a_legacy_identifier() -> None:
    parsed = parse_component_id("3205080101000001")  # 姑苏区 上水井盖 No. 1
    assert (parsed.district, parsed.type_code, parsed.serial) == ("320508", "0101", 1)


@given(st.text("0123456789", min_size=0, max_size=30).filter(lambda t: len(t) not in (16, 17)))
def test_only_16_or_17_digits_make_an_identifier(text: str) -> None:
    with pytest.raises(ComponentIdError) as caught:
        parse_component_id(text)
    assert caught.value.rule in (RULE_LENGTH, RULE_ASCII)  # the empty text is no digits at all
    assert caught.value.code == text


@given(
    districts,
    type_codes,
    serials,
    st.integers(0, 16),
    st.sampled_from(["A", "x", "-", ".", "１", "٣", "²", "O"]),
)
def test_letters_and_non_ascii_digits_are_rejected(
    district: str, code: str, serial: int, position: int, bad: str
) -> None:
    identifier = build_component_id(district, code, serial)
    spoiled = identifier[:position] + bad + identifier[position + 1 :]
    with pytest.raises(ComponentIdError) as caught:
        parse_component_id(spoiled)
    assert caught.value.rule in (RULE_ASCII, RULE_LENGTH)


@given(districts, districts, type_codes, serials)
def test_an_identifier_from_another_district_is_rejected_naming_digits_1_to_6(
    district: str, other: str, code: str, serial: int
) -> None:
    if district == other:
        return
    with pytest.raises(ComponentIdError) as caught:
        validate_component_id(
            build_component_id(other, code, serial), district=district, type_code=code
        )
    assert (caught.value.rule, caught.value.digits) == (RULE_DISTRICT_MISMATCH, "1-6")


def test_an_identifier_of_another_type_names_the_type_digits() -> None:
    with pytest.raises(ComponentIdError) as caught:
        validate_component_id("5201990102000001", district="520199", type_code="0101")
    assert (caught.value.rule, caught.value.digits) == (RULE_TYPE_MISMATCH, "7-10")


def test_the_types_edition_fixes_the_length() -> None:
    with pytest.raises(ComponentIdError) as caught:
        validate_component_id("5201990101000001", district="520199", type_code="01001")
    assert caught.value.rule == RULE_EDITION_LENGTH
    assert str(caught.value) == (
        "component identifier '5201990101000001' is invalid: a component identifier of a type"
        " with a 5-digit code has 17 digits"
    )


def test_serial_zero_and_bad_district_codes_are_refused() -> None:
    with pytest.raises(ComponentIdError) as caught:
        parse_component_id("5201990101000000")
    assert (caught.value.rule, caught.value.digits) == (RULE_SERIAL, "11-16")
    with pytest.raises(ComponentIdError) as caught:
        parse_component_id("5201000101000001")  # a city code, not a county's
    assert caught.value.digits == "1-6"
    with pytest.raises(ComponentIdError):
        build_component_id("520199", "0101", 0)
    with pytest.raises(ComponentIdError):
        build_component_id("520199", "0001", 1)


def test_the_error_is_told_in_the_users_language() -> None:
    with pytest.raises(ComponentIdError) as caught:
        validate_component_id("5201980101000001", district="520199", type_code="0101")
    with translation.override("en"):
        assert component_id_error_text(caught.value) == (
            "Component identifier '5201980101000001' is invalid: digits 1-6: the district code"
            " must be this district's, 520199"
        )
