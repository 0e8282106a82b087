"""The knobs of a simulated district, and the two named presets the seed describes.

`before`: the district before the platform — a handful of inspectors, almost no public calls,
cases carried on paper between the centre and the units (hours to days per hand-over), units
that take up only part of what they are sent and take days over it. `after`: 45 inspectors,
the hotline, the platform's minutes-long hand-overs and units held to their limits.

The seed's four before-figures together imply far more problems a month than its after-figures
(160 handled ÷ 30 % ÷ 15 % ≈ 3,500 against 501 ÷ 75 % ÷ 68 % ≈ 980), so each preset carries the
problem rate its own figures imply; docs/simulation.md shows the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Knobs:
    # -- problems (问题发生) --
    problems_per_day: float = 33.0  # across the district, on an average weekday
    hotspot_shape: float = 0.6  # gamma shape of the grids' weights: smaller, busier hotspots
    bursts_per_month: float = 4.0  # a burst: several problems of one type in one grid, hours apart
    event_life_days: float = 1.5  # an event unfound and unhandled goes by itself (wind, owner)
    component_life_days: float = 25.0  # a broken component stays until someone fixes it
    # -- patrol (巡查) --
    inspectors: int = 45
    grids_per_hour: float = 20.0  # unit grids an inspector walks through in an hour
    spot_chance: float = 0.85  # a problem in a grid being walked through is seen
    # -- the public (公众) --
    public_share: float = 0.15  # of the problems, the share someone calls about
    public_delay_hours: float = 8.0  # mean time from a problem to a call about it
    # -- the centres (监督中心、指挥中心) --
    center_minutes: float = 10.0  # mean time each hand-over in the centres takes
    center_hours: tuple[int, int] = (7, 23)  # hours the centres are staffed
    misroute_share: float = 0.04  # dispatched to the wrong unit, which returns it (回退)
    reject_share: float = 0.03  # reports that do not meet the filing standard (不予立案)
    urge_late: bool = True  # the dispatcher urges (督办) a case at its handling deadline
    # -- the units (处置单位) --
    sign_minutes: float = 30.0  # mean time to sign for a dispatched case
    handling_hours: float = 0.8  # median handling time of a typical type; each type varies
    taken_up: float = 0.8  # of the cases a unit signs for, the share it gets round to
    extension_share: float = 0.03  # asks for more time (延期)
    suspension_share: float = 0.005  # asks to park it (挂账); resumed days later
    rework_share: float = 0.06  # fails its on-site check (核查不通过 → 返工)
    appeal_share: float = 0.3  # of the cases closed late, the share the unit appeals (超时申诉)
    slow_unit: str = ""  # what-if: this unit's code works `slow_factor` times slower
    slow_factor: float = 4.0
    dissatisfied_share: float = 0.04  # of the public's closed cases, reopened at the call-back

    def but(self, **changes: Any) -> Knobs:
        return replace(self, **changes)


AFTER = Knobs()
BEFORE = AFTER.but(
    problems_per_day=118.0,
    inspectors=2,
    public_share=0.02,
    public_delay_hours=48.0,
    center_minutes=600.0,
    center_hours=(8, 18),
    misroute_share=0.15,
    urge_late=False,
    sign_minutes=1440.0,
    handling_hours=48.0,
    taken_up=0.32,
    extension_share=0.0,
    suspension_share=0.0,
    rework_share=0.1,
    appeal_share=0.0,
    dissatisfied_share=0.0,
)
PRESETS: dict[str, Knobs] = {"before": BEFORE, "after": AFTER}
