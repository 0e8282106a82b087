"""The dashboard's rankings: the streets and the handling units of the viewer's territory by
evaluation's composite score and grade A–E (evaluation/scores.py, STANDARDS.md §5), each with
the few figures a wall screen shows beside them. A constant number of queries per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from cases.models import Case
from evaluation.indicators import count_of
from evaluation.models import ObjectKind
from evaluation.periods import Period
from evaluation.scores import INDICATORS, evaluate
from org.models import DataScope

K = ObjectKind
# Counts (from evaluation/indicators.py) and indicators (evaluation/scores.py) shown per kind.
SHOWN: dict[str, tuple[str, ...]] = {
    K.STREET: ("filed", "closed", "closing_rate", "on_time_closing_rate"),
    K.UNIT: ("dispatched", "handled", "on_time_handling_rate", "rework_rate"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    percent: bool


@dataclass(frozen=True)
class Standing:
    key: Any
    name: str
    score: float | None
    grade: str
    cells: list[tuple[str, float | int | None, str]]  # column key, figure, "%" for a rate


def columns(kind: str) -> list[Column]:
    indicators = {indicator.key: indicator for indicator in INDICATORS[kind]}
    found = []
    for key in SHOWN[kind]:
        if key in indicators:
            found.append(Column(key, indicators[key].label, indicators[key].percent))
        else:
            found.append(Column(key, count_of(kind, key).label, False))
    return found


def standings(
    kind: str,
    period: Period,
    cases: QuerySet[Case] | None,
    *,
    scope: DataScope | None = None,
    limit: int | None = None,
    idle: bool = True,
) -> list[Standing]:
    """The objects of `kind`, best score first (all of them for the whole district, else
    those the territory's cases touch); without those no case touched unless `idle`."""
    shown = columns(kind)
    rows = evaluate(kind, period, cases=cases, scope=scope)
    if not idle:
        rows = [row for row in rows if any(row.counts.values())]
    found = []
    for row in rows[:limit]:
        cells: list[tuple[str, float | int | None, str]] = []
        for column in shown:
            if column.key in row.raw.values:
                value = row.raw.values[column.key]
                if value is not None:
                    value = round(100 * value if column.percent else value, 1)
                cells.append((column.key, value, "%" if column.percent else ""))
            else:
                cells.append((column.key, row.counts.get(column.key, 0), ""))
        score = None if row.score is None else round(row.score, 1)
        found.append(Standing(row.key, row.name, score, row.grade, cells))
    return found
