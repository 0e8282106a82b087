"""The seed's headline figures for a simulated stretch: the platform's own (evaluation's
`headline`, over the simulated cases only) and the one only the simulator can give, the
discovery rate as the seed means it — problems found ÷ problems that occurred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case
from evaluation.headline import Headline, headline
from evaluation.periods import Period
from simulate.simulation.problems import Problem

DAYS_A_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Figures:
    occurred: int
    found: int  # by an inspector or the public
    found_by_inspectors: int
    platform: Headline  # evaluation.headline over the simulated cases
    days: int

    @property
    def discovery_rate(self) -> float | None:
        return self.found / self.occurred if self.occurred else None

    @property
    def handled_per_month(self) -> float:
        return self.platform.handled / self.days * DAYS_A_MONTH if self.days else 0.0

    def rows(self) -> list[tuple[str, str]]:
        h = self.platform
        return [
            ("problems occurred", f"{self.occurred}"),
            (
                "found (inspectors + public)",
                f"{self.found} ({self.found_by_inspectors} inspectors)",
            ),
            ("discovery rate, found ÷ occurred (发现率)", percent(self.discovery_rate)),
            ("cases filed (立案)", f"{h.filed}"),
            ("share filed from inspectors (主动发现率)", percent(h.discovery_rate)),
            ("cases closed (结案)", f"{h.handled}"),
            ("closed per month (月处理案件数)", f"{self.handled_per_month:.0f}"),
            ("mean hours, report to closing (处理时间)", hours(h.mean_hours)),
            ("median hours", hours(h.median_hours)),
            ("handling rate, filed and closed (处置率)", percent(h.handling_rate)),
            ("on-time rate (按期结案率)", percent(h.on_time_rate)),
            ("public reports (公众举报)", f"{h.public_calls}"),
        ]


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} h"


def simulated_cases(seed: int | None = None) -> QuerySet[Case]:
    prefix = "sim-" if seed is None else f"sim-{seed}-"
    return Case.objects.filter(request_id__startswith=prefix)


def measure(
    problems: list[Problem], *, seed: int, start: datetime, end: datetime, unit: str = ""
) -> Figures:
    """The figures of the simulated days from `start` to `end` (whole local days); the
    platform's only for the cases a unit (by code) handles, if `unit` is given."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    period = Period(first, last)
    within = [p for p in problems if period.start <= p.at < period.end]
    return Figures(
        occurred=len(within),
        found=sum(1 for p in within if p.found),
        found_by_inspectors=sum(1 for p in within if p.found == "inspector"),
        platform=headline(period, cases=_of_unit(simulated_cases(seed), unit), as_of=end),
        days=period.days,
    )


def _of_unit(cases: QuerySet[Case], unit: str) -> QuerySet[Case]:
    return cases.filter(responsible_unit__code=unit) if unit else cases
