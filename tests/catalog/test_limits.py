"""Handling limits written as published tables write them, and read back."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from catalog.limits import (
    DEFAULT_WORKING_DAY_HOURS,
    LimitTextError,
    limit_hours,
    limit_text,
    parse_limit_text,
)
from catalog.models import NATURAL_UNITS, LimitUnit, Urgency

H, D = LimitUnit.WORKING_HOUR, LimitUnit.WORKING_DAY
NH, ND, M = LimitUnit.NATURAL_HOUR, LimitUnit.NATURAL_DAY, LimitUnit.MINUTE
NORMAL, URGENT = Urgency.NORMAL, Urgency.URGENT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4工作时", (4, H, NORMAL)),
        ("3工作日", (3, D, NORMAL)),
        ("2紧急工作时", (2, NH, URGENT)),
        ("2紧急工作日", (2, ND, URGENT)),
        ("2小时", (2, H, NORMAL)),  # the muban sheets' 小时 is a working hour
        ("1天", (1, D, NORMAL)),  # and 天 a working day
        ("30分钟", (30, M, NORMAL)),
        ("2小时（紧急）", (2, NH, URGENT)),
        ("1天(紧急)", (1, ND, URGENT)),
        ("6自然小时", (6, NH, NORMAL)),
        (" 15 个工作日 ", (15, D, NORMAL)),
        ("２工作日", (2, D, NORMAL)),  # full-width digits
    ],
)
def test_the_published_forms_are_read(text: str, expected: tuple[int, str, str]) -> None:
    assert parse_limit_text(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The time limit is empty."),
        ("四工作时", "is not a time limit"),
        ("3周", "is not a time limit"),
        ("2.5工作日", "is not a time limit"),
        ("0工作日", "The time limit must be at least 1."),
    ],
)
def test_what_cannot_be_read_is_said_plainly(text: str, message: str) -> None:
    with translation.override("en"), pytest.raises(LimitTextError, match=message):
        parse_limit_text(text)


def test_the_rendering_is_clear_about_the_clock() -> None:
    assert limit_text(2, H) == "2工作时"
    assert limit_text(3, D) == "3工作日"
    assert limit_text(2, NH, URGENT) == "2小时（紧急）"
    assert limit_text(1, ND, URGENT) == "1天（紧急）"
    assert limit_text(30, M) == "30分钟"
    assert limit_text(6, NH) == "6自然小时"


def test_an_urgent_limit_cannot_run_on_working_time() -> None:
    with pytest.raises(ValueError, match="natural time"):
        limit_text(2, H, URGENT)


limits = st.tuples(
    st.integers(min_value=1, max_value=100_000),
    st.sampled_from(LimitUnit.values),
    st.sampled_from(Urgency.values),
).filter(lambda limit: limit[2] == NORMAL or limit[1] in NATURAL_UNITS)


@given(limits)
def test_every_limit_reads_back_as_it_was_written(limit: tuple[int, str, str]) -> None:
    assert parse_limit_text(limit_text(*limit)) == limit


def test_a_working_day_counts_the_configured_hours() -> None:
    assert DEFAULT_WORKING_DAY_HOURS == 8
    assert limit_hours(3, D) == 24
    assert limit_hours(3, D, working_day_hours=6) == 18
    assert limit_hours(2, ND) == 48
    assert limit_hours(30, M) == 0.5
