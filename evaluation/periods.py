"""The period an evaluation covers: a month, a day, a year or a range of days, in local time.

`Period.parse` reads what people type and the `evaluate` command takes: "2026-10" (a month),
"2026" (a year), "2026-10-05" (a day) or "2026-10-01..2026-10-15" (days, both included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from org.access import Refusal

YEARS = range(2000, 2100)  # outside these a period is a slip of the keyboard (9999-12 overflows)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return local_midnight(self.last + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        if self.first.day == 1 and self.last + timedelta(days=1) == month_after(self.first):
            return self.first.strftime("%Y-%m")
        if (self.first.month, self.first.day, self.last.month, self.last.day) == (1, 1, 12, 31):
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def is_month(self) -> bool:
        return self.label == self.first.strftime("%Y-%m")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before (the month before a month)."""
        if self.is_month:
            return Period.month(self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    @classmethod
    def month(cls, day: date) -> Period:
        first = day.replace(day=1)
        return cls(first, month_after(first) - timedelta(days=1))

    @classmethod
    def months(cls, last: date, count: int) -> list[Period]:
        """The `count` months up to the one holding `last`, oldest first."""
        periods = [cls.month(last)]
        while len(periods) < count:
            periods.insert(0, periods[0].previous())
        return periods

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        first: date | None
        last: date | None
        try:
            if re.fullmatch(r"\d{4}", text):
                first, last = date(int(text), 1, 1), date(int(text), 12, 31)
            elif re.fullmatch(r"\d{4}-\d{2}", text):
                first = date.fromisoformat(f"{text}-01")
                last = month_after(first) - timedelta(days=1)
            elif ".." in text:
                first, last = (date.fromisoformat(part) for part in text.split("..", 1))
            else:
                first = last = date.fromisoformat(text)
        except ValueError:
            first = last = None
        if (
            first is None
            or last is None
            or last < first
            or (last - first).days > 366 * 5
            or not {first.year, last.year} <= set(YEARS)
        ):
            raise Refusal(
                "bad_period",
                _(
                    "Give a period as 2026-10 (a month), 2026 (a year), 2026-10-05 (a day) or "
                    "2026-10-01..2026-10-15 (days), between the years 2000 and 2099."
                ),
            )
        return cls(first, last)
