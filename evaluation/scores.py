"""Indicators (rates and scored counts), composite scores and grades A–E for each object of a
kind, from the counts of evaluation/indicators.py and the weights, bands and grades of
evaluation/models.py (STANDARDS.md §5).

An indicator's score: a rate scores rate × 100 (or (1 − rate) × 100 where less is better); a
count scores by its bands. The composite is the weighted mean of the scores an object has: an
indicator without a denominator (no verification due, nothing filed) leaves its weight out
rather than scoring 0 or 100. Each row has its raw and appeal-exempt figures side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count as SqlCount
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from evaluation.indicators import COUNTS, REGION_KEYS, ROLE_OF_KIND, figures
from evaluation.models import Band, Grade, ObjectKind, RegionClass, Weight
from evaluation.periods import Period
from geo.models import Community, ManagementGrade, Street, UnitGrid
from org.models import DataScope, Membership, Unit

K = ObjectKind


class Scoring(StrEnum):
    RATE = "rate"  # more is better
    INVERSE = "inverse"  # less is better
    BANDS = "bands"  # a count scored by bands


class Counts:
    """One object's counts, raw or appeal-exempt."""

    def __init__(self, values: dict[str, int], *, exempt: bool) -> None:
        self.values, self.exempt = values, exempt

    def __getitem__(self, key: str) -> int:
        if self.exempt and f"{key}__exempt" in self.values:
            return self.values[f"{key}__exempt"]
        return self.values.get(key, 0)


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Promise
    value: Callable[[Counts, Any], float | None]  # (counts, the object's facts) → value
    scoring: Scoring
    percent: bool = True  # shown as a percentage


def rate(
    key: str,
    label: Promise,
    part: str,
    whole: Callable[[Counts], int] | str,
    scoring: Scoring = Scoring.RATE,
) -> Indicator:
    def value(c: Counts, _facts: Any) -> float | None:
        return ratio(c[part], whole(c) if callable(whole) else c[whole])

    return Indicator(key, label, value, scoring)


def should_close(c: Counts) -> int:
    """应结案数: closed in the period, or overdue and still open at its end. (STANDARDS.md §5.2
    says 处置数 + 超时未处置数; cases closed without a unit's feedback, handled on the spot or
    closed specially, would then push the rate past 100 %.)"""
    return c["closed"] + c["overdue_open"]


def should_handle(c: Counts) -> int:
    """应处置数 = 处置数 + 超时未处置数."""
    return c["handled"] + c["overdue_open"]


def count(key: str, label: Promise) -> Indicator:
    return Indicator(key, label, lambda c, _facts: c[key], Scoring.BANDS, percent=False)


REGION_INDICATORS = [
    rate(
        "public_share",
        _("Share reported by the public (监督举报率)"),
        "public_filed",
        "filed",
        Scoring.INVERSE,
    ),
    Indicator(
        "filed_per_grid",
        _("Filed per grid (立案数)"),
        lambda c, facts: c["filed"] / facts.grids if facts.grids else None,
        Scoring.BANDS,
        percent=False,
    ),
    rate("closing_rate", _("Closing rate (结案率)"), "closed", should_close),
    rate(
        "on_time_closing_rate",
        _("On-time closing rate (按期结案率)"),
        "closed_on_time",
        should_close,
    ),
]
INDICATORS: dict[str, list[Indicator]] = {
    **{kind: REGION_INDICATORS for kind in REGION_KEYS},
    K.UNIT: [
        count("dispatched", _("Cases dispatched (立案数)")),
        rate("closing_rate", _("Closing rate (结案率)"), "closed", should_close),
        rate(
            "on_time_handling_rate",
            _("On-time handling rate (按期处置率)"),
            "handled_on_time",
            should_handle,
        ),
        rate("rework_rate", _("Rework rate (返工率)"), "reworked", "handled", Scoring.INVERSE),
        rate("urging_rate", _("Urging rate (督办率)"), "urged", "dispatched", Scoring.INVERSE),
    ],
    K.INSPECTOR: [
        rate(
            "valid_report_rate", _("Valid report rate (有效上报率)"), "valid_reported", "reported"
        ),
        rate("missed_rate", _("Missed rate (漏报率)"), "missed", "filed_in_area", Scoring.INVERSE),
        rate(
            "on_time_verify_rate",
            _("On-time verification rate (按时核实率)"),
            "verified_on_time",
            "verify_due",
        ),
        rate(
            "on_time_check_rate",
            _("On-time check rate (按时核查率)"),
            "checked_on_time",
            "check_due",
        ),
    ],
    K.ACCEPTOR: [
        count("accepted", _("Accepted (受理数)")),
        rate(
            "on_time_verify_sending_rate",
            _("Verifications sent on time (核实按时派发率)"),
            "verify_sent_on_time",
            "verify_sent",
        ),
        rate(
            "on_time_check_sending_rate",
            _("Checks sent on time (核查按时派发率)"),
            "check_sent_on_time",
            "check_sent",
        ),
    ],
    K.SHIFT_LEADER: [
        rate(
            "on_time_filing_rate", _("On-time filing rate (按时立案率)"), "filed_on_time", "filed"
        ),
        Indicator(
            "accurate_filing_rate",
            _("Accurate filing rate (准确立案率)"),
            lambda c, _f: ratio(c["filed"] - c["filed_voided"], c["filed"]),
            Scoring.RATE,
        ),
        rate(
            "on_time_closing_rate",
            _("On-time closing rate (按时结案率)"),
            "closed_on_time",
            "closed",
        ),
    ],
    K.DISPATCHER: [
        count("dispatched", _("Dispatched (派遣数)")),
        rate(
            "on_time_dispatch_rate",
            _("On-time dispatch rate (按时派遣率)"),
            "dispatched_on_time",
            "dispatched",
        ),
        Indicator(
            "accurate_dispatch_rate",
            _("Accurate dispatch rate (准确派遣率)"),
            lambda c, _f: ratio(c["dispatched"] - c["dispatched_back"], c["dispatched"]),
            Scoring.RATE,
        ),
    ],
}


@dataclass
class Facts:
    """What an object is, besides its counts."""

    key: Any
    name: str
    region_class: str = ""
    grids: int = 0


@dataclass
class Side:
    """An object's indicators and score, raw or appeal-exempt."""

    values: dict[str, float | None]
    scores: dict[str, float | None]
    score: float | None
    grade: str


@dataclass
class Row:
    kind: str
    facts: Facts
    counts: dict[str, int]
    raw: Side
    exempt: Side
    indicators: list[Indicator] = field(repr=False, default_factory=list)

    @property
    def key(self) -> Any:
        return self.facts.key

    @property
    def name(self) -> str:
        return self.facts.name

    @property
    def score(self) -> float | None:
        return self.raw.score

    @property
    def grade(self) -> str:
        return self.raw.grade


@dataclass(frozen=True)
class Scheme:
    """The weights, bands and grades in force (read once per evaluation)."""

    weights: dict[tuple[str, str], float]
    bands: dict[tuple[str, str, str], list[tuple[float | None, bool, float]]]
    grades: list[tuple[float, str]]

    @classmethod
    def load(cls) -> Scheme:
        weights = {(w.kind, w.indicator): float(w.percent) for w in Weight.objects.all()}
        bands: dict[tuple[str, str, str], list[tuple[float | None, bool, float]]] = {}
        for b in Band.objects.all():  # ordered by limit, the open band last
            bands.setdefault((b.kind, b.indicator, b.region_class), []).append(
                (b.limit, b.inclusive, float(b.score))
            )
        grades = [(float(g.minimum), g.letter) for g in Grade.objects.all()]
        return cls(weights, bands, grades)

    def band_score(
        self, kind: str, indicator: str, region_class: str, value: float
    ) -> float | None:
        bands = self.bands.get((kind, indicator, region_class)) or self.bands.get(
            (kind, indicator, RegionClass.ANY)
        )
        for limit, inclusive, score in bands or ():
            if limit is None or value < limit or (inclusive and value == limit):
                return score
        return None

    def grade(self, score: float | None) -> str:
        if score is None:
            return ""
        return next((letter for minimum, letter in self.grades if score >= minimum), "")


def score_of(
    indicator: Indicator, kind: str, value: float | None, facts: Facts, scheme: Scheme
) -> float | None:
    if value is None:
        return None
    if indicator.scoring == Scoring.BANDS:
        return scheme.band_score(kind, indicator.key, facts.region_class, value)
    share = 1 - value if indicator.scoring == Scoring.INVERSE else value
    return max(0.0, min(100.0, share * 100))


def side(kind: str, counts: dict[str, int], facts: Facts, scheme: Scheme, *, exempt: bool) -> Side:
    c = Counts(counts, exempt=exempt)
    values, scores = {}, {}
    for indicator in INDICATORS[kind]:
        values[indicator.key] = indicator.value(c, facts)
        scores[indicator.key] = score_of(indicator, kind, values[indicator.key], facts, scheme)
    weighted = [
        (scheme.weights[(kind, key)], score)
        for key, score in scores.items()
        if score is not None and scheme.weights.get((kind, key))
    ]
    total = sum(weight for weight, _score in weighted)
    score = sum(weight * s for weight, s in weighted) / total if total else None
    return Side(values, scores, score, scheme.grade(score))


def evaluate(
    kind: str,
    period: Period,
    *,
    cases: QuerySet[Case] | None = None,
    scope: DataScope | None = None,
    found: dict[Any, dict[str, int]] | None = None,
) -> list[Row]:
    """Every object of `kind` (all of them, or those `cases` touch: a `scope`'s), best score
    first; from its `figures` when they were read already (`figures_of`, for several kinds at
    once)."""
    scheme = Scheme.load()
    if found is None:
        found = figures(kind, period, cases=cases, scope=scope)
    objects = facts_of(kind, None if cases is None else set(found))
    rows = []
    for key, facts in objects.items():
        counts = found.get(key) or dict.fromkeys(
            [c.key for c in COUNTS[kind]] + [f"{c.key}__exempt" for c in COUNTS[kind] if c.exempt],
            0,
        )
        rows.append(
            Row(
                kind,
                facts,
                counts,
                side(kind, counts, facts, scheme, exempt=False),
                side(kind, counts, facts, scheme, exempt=True),
                INDICATORS[kind],
            )
        )
    rows.sort(key=lambda row: (row.score is None, -(row.score or 0), row.name))
    return rows


# -- the objects ------------------------------------------------------------------------------


def facts_of(kind: str, keys: set[Any] | None) -> dict[Any, Facts]:
    """The objects of a kind (those of `keys` when given), with names and region facts."""
    if kind in REGION_KEYS:
        return _regions(kind, keys)
    if kind == K.UNIT:
        units = Unit.objects.handling() if keys is None else Unit.objects.filter(pk__in=keys)
        return {u.pk: Facts(u.pk, u.name) for u in units.order_by("name")}
    posts = Membership.objects.filter(role=ROLE_OF_KIND[kind])
    posts = posts.active() if keys is None else posts.filter(person__user_id__in=keys)
    people = posts.values_list("person__user_id", "person__name").distinct()
    found = {user: Facts(user, name) for user, name in people}
    return found


def _regions(kind: str, keys: set[Any] | None) -> dict[Any, Facts]:
    """Regions with their number of grids and class: 一类 when most of their grids are of
    management grade 1, else 二类 (a grid of grade 2 or 3, or without a grade, is 二类)."""
    models: dict[str, type[Street | Community | UnitGrid]] = {
        K.STREET: Street,
        K.COMMUNITY: Community,
        K.GRID: UnitGrid,
    }
    model = models[kind]
    regions = model.objects.all() if keys is None else model.objects.filter(pk__in=keys)
    paths: dict[str, str] = {K.STREET: "community__street", K.COMMUNITY: "community", K.GRID: "pk"}
    path = paths[kind]
    grids = UnitGrid.objects.filter(**{f"{path}__in": regions.values("pk")})
    tally = (
        grids.order_by()
        .values(path)
        .annotate(
            total=SqlCount("pk"),
            first=SqlCount("pk", filter=Q(management_grade=ManagementGrade.FIRST)),
        )
    )
    classes = {
        row[path]: (
            row["total"],
            RegionClass.FIRST if 2 * row["first"] >= row["total"] else RegionClass.SECOND,
        )
        for row in tally
    }
    named = regions.values_list("pk", "code" if kind == K.GRID else "name")
    return {
        pk: Facts(
            pk, name, classes.get(pk, (0, RegionClass.SECOND))[1], classes.get(pk, (0, ""))[0]
        )
        for pk, name in named
    }
