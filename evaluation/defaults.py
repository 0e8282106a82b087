"""The documented defaults of the evaluation (STANDARDS.md §5), seeded by a migration and
restored by `seed_defaults()`. Weights are percentages of each composite score; a band is
(limit, limit included, score), in order; None is "anything above".
"""

from __future__ import annotations

from typing import Final

from evaluation.models import Band, Grade, ObjectKind, RegionClass, Weight

K = ObjectKind
WEIGHTS: Final[dict[str, dict[str, float]]] = {
    # §5.3: 监督举报率 10 %, 立案数 20 %, 结案率 30 %, 按期结案率 40 %
    # (the source says 10 % for the last, which sums to 70).
    **{
        kind: {
            "public_share": 10,
            "filed_per_grid": 20,
            "closing_rate": 30,
            "on_time_closing_rate": 40,
        }
        for kind in (K.STREET, K.COMMUNITY, K.GRID)
    },
    # §5.2: 立案数 10 %, 结案率 30 %, 按期处置率 30 %, 返工率 30 %.
    K.UNIT: {"dispatched": 10, "closing_rate": 30, "on_time_handling_rate": 30, "rework_rate": 30},
    # §5.1
    K.INSPECTOR: {
        "valid_report_rate": 40,
        "missed_rate": 20,
        "on_time_verify_rate": 20,
        "on_time_check_rate": 20,
    },
    K.ACCEPTOR: {
        "accepted": 25,
        "on_time_verify_sending_rate": 40,
        "on_time_check_sending_rate": 35,
    },
    K.SHIFT_LEADER: {
        "on_time_filing_rate": 25,
        "accurate_filing_rate": 40,
        "on_time_closing_rate": 35,
    },
    K.DISPATCHER: {"dispatched": 20, "on_time_dispatch_rate": 40, "accurate_dispatch_rate": 40},
}

type Bands = list[tuple[float | None, bool, float]]
_WORKLOAD: Bands = [
    (100, True, 0),
    (300, True, 40),
    (500, True, 60),
    (1200, True, 75),
    (2000, True, 90),
]
_WORKLOAD += [(None, True, 100)]
_UNIT_LOAD: Bands = [
    (50, True, 100),
    (100, True, 90),
    (200, True, 75),
    (500, True, 60),
    (1000, True, 40),
]
_UNIT_LOAD += [(None, True, 0)]
_CLASS_1: Bands = [(0, True, 100), (3, False, 90), (5, False, 75), (7, False, 60), (9, False, 40)]
_CLASS_1 += [(None, True, 0)]
_CLASS_2: Bands = [(0, True, 100), (4, False, 90), (6, False, 75), (8, False, 60), (10, False, 40)]
_CLASS_2 += [(None, True, 0)]

BANDS: Final[dict[tuple[str, str, str], Bands]] = {
    (K.ACCEPTOR, "accepted", RegionClass.ANY): _WORKLOAD,  # §5.1 受理数分值
    # §5.1 gives no bands for the dispatcher's 派遣数分值: the acceptor's workload bands.
    (K.DISPATCHER, "dispatched", RegionClass.ANY): _WORKLOAD,
    (K.UNIT, "dispatched", RegionClass.ANY): _UNIT_LOAD,  # §5.2: fewer cases score higher
    **{
        (kind, "filed_per_grid", region_class): bands
        for kind in (K.STREET, K.COMMUNITY, K.GRID)
        for region_class, bands in ((RegionClass.FIRST, _CLASS_1), (RegionClass.SECOND, _CLASS_2))
    },
}

GRADES: Final = [("A", 90), ("B", 75), ("C", 60), ("D", 40), ("E", 0)]


def seed_defaults(
    weight: type[Weight] = Weight, band: type[Band] = Band, grade: type[Grade] = Grade
) -> None:
    """Replace the weights, bands and grades with the defaults (models may be a migration's)."""
    weight.objects.all().delete()
    band.objects.all().delete()
    grade.objects.all().delete()
    weight.objects.bulk_create(
        weight(kind=kind, indicator=indicator, percent=percent)
        for kind, weights in WEIGHTS.items()
        for indicator, percent in weights.items()
    )
    band.objects.bulk_create(
        band(
            kind=kind,
            indicator=indicator,
            region_class=region_class,
            limit=limit,
            inclusive=inclusive,
            score=score,
        )
        for (kind, indicator, region_class), bands in BANDS.items()
        for limit, inclusive, score in bands
    )
    grade.objects.bulk_create(grade(letter=letter, minimum=minimum) for letter, minimum in GRADES)
