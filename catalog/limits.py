"""Handling limits as published tables write them (完成时限): "4工作时", "3工作日", "2紧急工作时".

Rendering (one form per unit and urgency, read back by the parser):

    working_hour  → 4工作时          natural_hour → 6自然小时   urgent: 2小时（紧急）
    working_day   → 3工作日          natural_day  → 2自然日     urgent: 1天（紧急）
    minute        → 30分钟                                      urgent: 30分钟（紧急）

The parser also reads the published forms (STANDARDS.md §8.2): "2紧急工作时" and "2紧急工作日" are
urgent limits on natural time (紧急: the clock runs on after hours), and the bare "N小时" / "N天"
of the muban sheets mean working hours / working days.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from django.utils.translation import gettext as _

from catalog.models import NATURAL_UNITS, LimitUnit, Urgency

# The published tables assume 1 工作日 = 8 工作时 (smart_cityguard's 8–12 and 14–18); others
# count 6. Deadlines read settings.WORKING_DAY_HOURS (empty: the length of the working periods).
DEFAULT_WORKING_DAY_HOURS: Final = 8

_WORDS: Final[dict[str, str]] = {
    LimitUnit.WORKING_HOUR: "工作时",
    LimitUnit.WORKING_DAY: "工作日",
    LimitUnit.NATURAL_HOUR: "自然小时",
    LimitUnit.NATURAL_DAY: "自然日",
    LimitUnit.MINUTE: "分钟",
}
_URGENT_WORDS: Final[dict[str, str]] = {
    LimitUnit.NATURAL_HOUR: "小时（紧急）",
    LimitUnit.NATURAL_DAY: "天（紧急）",
    LimitUnit.MINUTE: "分钟（紧急）",
}

# Unit words after the number, compared after NFKC (full-width brackets become ASCII).
_UNITS: Final[dict[str, tuple[str, str]]] = {
    "工作时": (LimitUnit.WORKING_HOUR, Urgency.NORMAL),
    "工作小时": (LimitUnit.WORKING_HOUR, Urgency.NORMAL),
    "工作日": (LimitUnit.WORKING_DAY, Urgency.NORMAL),
    "小时": (LimitUnit.WORKING_HOUR, Urgency.NORMAL),  # muban sheets: 小时 = 工作时
    "天": (LimitUnit.WORKING_DAY, Urgency.NORMAL),  # muban sheets: 天 = 工作日
    "分钟": (LimitUnit.MINUTE, Urgency.NORMAL),
    "自然小时": (LimitUnit.NATURAL_HOUR, Urgency.NORMAL),
    "自然时": (LimitUnit.NATURAL_HOUR, Urgency.NORMAL),
    "自然日": (LimitUnit.NATURAL_DAY, Urgency.NORMAL),
    "自然天": (LimitUnit.NATURAL_DAY, Urgency.NORMAL),
    "紧急工作时": (LimitUnit.NATURAL_HOUR, Urgency.URGENT),
    "紧急工作日": (LimitUnit.NATURAL_DAY, Urgency.URGENT),
    "紧急工作分钟": (LimitUnit.MINUTE, Urgency.URGENT),
    "小时(紧急)": (LimitUnit.NATURAL_HOUR, Urgency.URGENT),
    "天(紧急)": (LimitUnit.NATURAL_DAY, Urgency.URGENT),
    "分钟(紧急)": (LimitUnit.MINUTE, Urgency.URGENT),
}
_PATTERN: Final = re.compile(r"(\d+)个?(\D+)")


class LimitTextError(ValueError):
    """A time limit that cannot be read; the message is in the user's language."""


def limit_text(value: int, unit: str, urgency: str = Urgency.NORMAL) -> str:
    """The limit as a published table writes it: "4工作时", "2小时（紧急）"."""
    if urgency == Urgency.URGENT:
        if unit not in NATURAL_UNITS:
            raise ValueError(f"an urgent limit runs on natural time, not {unit}")
        return f"{value}{_URGENT_WORDS[unit]}"
    return f"{value}{_WORDS[unit]}"


def parse_limit_text(text: str) -> tuple[int, str, str]:
    """(value, unit, urgency) of a limit written as in a published table."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not compact:
        raise LimitTextError(_("The time limit is empty."))
    match = _PATTERN.fullmatch(compact)
    if match is None or match.group(2) not in _UNITS:
        raise LimitTextError(
            _(
                "“%(text)s” is not a time limit: write a whole number and a unit, such as "
                "4工作时, 3工作日, 2紧急工作时 or 30分钟."
            )
            % {"text": text.strip()}
        )
    value = int(match.group(1))
    if value < 1:
        raise LimitTextError(_("The time limit must be at least 1."))
    unit, urgency = _UNITS[match.group(2)]
    return value, unit, urgency


def limit_hours(
    value: int, unit: str, *, working_day_hours: float = DEFAULT_WORKING_DAY_HOURS
) -> float:
    """The limit's length in hours of its own clock, to compare limits of different units."""
    per_unit: dict[str, float] = {
        LimitUnit.MINUTE: 1 / 60,
        LimitUnit.NATURAL_HOUR: 1.0,
        LimitUnit.WORKING_HOUR: 1.0,
        LimitUnit.NATURAL_DAY: 24.0,
        LimitUnit.WORKING_DAY: float(working_day_hours),
    }
    return value * per_unit[unit]
