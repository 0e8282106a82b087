"""Where problems gather in a period: the cases filed per unit grid (the dashboard's heat map
and its hotspot grids) and the components that keep failing. Each is one aggregate query over
the period's filing events (evaluation/headline.py's `events_in`), never a loop over cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from cases.models import Case, Verb
from evaluation.headline import events_in
from evaluation.periods import Period

# The heat map draws at most this many grids (the densest): as many as the map page's grid
# layer answers at once (geo/views.py MAX_GRIDS).
MAX_HEAT_GRIDS = 2500


@dataclass(frozen=True)
class GridCount:
    code: str
    cases: int
    community: str = ""
    street: str = ""


def filed_in(period: Period, cases: QuerySet[Case] | None) -> QuerySet[Case]:
    """The cases filed (立案) in the period, among `cases` (None: all). Filed, not merely
    reported: a report not accepted or not filed was no problem to count."""
    filings = events_in(period, cases).filter(verb=Verb.FILE)
    return Case.objects.filter(pk__in=filings.values("case_id"))


def grid_counts(
    period: Period, cases: QuerySet[Case] | None, limit: int = MAX_HEAT_GRIDS
) -> list[GridCount]:
    """The grids with cases filed in the period, the densest first (then by code): one query."""
    rows = (
        filed_in(period, cases)
        .order_by()
        .values("grid__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "grid__code")[:limit]
    )
    return [GridCount(row["grid__code"], row["n"]) for row in rows]


def hotspots(period: Period, cases: QuerySet[Case] | None, limit: int = 10) -> list[GridCount]:
    """The `limit` densest grids with their community and street: one query."""
    rows = (
        filed_in(period, cases)
        .order_by()
        .values("grid__code", "grid__community__name", "grid__community__street__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "grid__code")[:limit]
    )
    return [
        GridCount(
            row["grid__code"],
            row["n"],
            row["grid__community__name"],
            row["grid__community__street__name"],
        )
        for row in rows
    ]
