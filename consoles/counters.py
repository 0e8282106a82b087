"""Today's figures on every desk: what was reported, accepted, filed, dispatched, handled and
closed since midnight (counted from the case events), and what is overdue now, over the cases
the post may see. A few queries whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import CaseEvent, CaseQuerySet, Verb
from consoles.queues import capped_count
from geo.models import Street
from org.access import Actor


@dataclass(frozen=True)
class Counter:
    key: str
    label: Promise
    verbs: tuple[str, ...]


COUNTERS = (
    Counter("reported", _("Reports"), (Verb.REPORT,)),
    Counter("accepted", _("Accepted"), (Verb.ACCEPT,)),
    Counter("filed", _("Filed"), (Verb.FILE,)),
    Counter("dispatched", _("Dispatched"), (Verb.DISPATCH,)),
    Counter("handled", _("Handled"), (Verb.FEEDBACK,)),
    Counter("closed", _("Closed"), (Verb.CLOSE, Verb.CLOSE_SPECIAL)),
)


@dataclass(frozen=True)
class Figures:
    """One row of counts: each counter's, then the cases overdue now."""

    counts: tuple[tuple[Counter, int], ...]
    overdue: int


@dataclass(frozen=True)
class StreetFigures:
    street: Street
    figures: Figures


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in the district's time zone."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _todays_events(actor: Actor, visible: CaseQuerySet, now: datetime) -> QuerySet[CaseEvent]:
    start = day_start(now)
    events = CaseEvent.objects.filter(at__gte=start, at__lt=start + timedelta(days=1))
    if actor.scope.whole_district:
        return events  # every case is visible: no need to ask which
    return events.filter(case__in=visible)


def _counting() -> dict[str, Count]:
    return {c.key: Count("pk", filter=Q(verb__in=c.verbs)) for c in COUNTERS}


def _figures(row: dict[str, int], overdue: int) -> Figures:
    return Figures(tuple((c, row.get(c.key) or 0) for c in COUNTERS), overdue)


def today(actor: Actor, now: datetime, visible: CaseQuerySet) -> Figures:
    """Today's counts over what the post may see (`visible`): two queries."""
    row = _todays_events(actor, visible, now).aggregate(**_counting())
    overdue = capped_count(visible.running_overdue(now))
    return _figures(row, overdue)


def today_by_street(actor: Actor, now: datetime, visible: CaseQuerySet) -> list[StreetFigures]:
    """Today's counts per street or township, in the order of their codes: three queries."""
    rows = _todays_events(actor, visible, now).order_by().values("case__street_id")
    counted = cast(list[dict[str, int]], list(rows.annotate(**_counting())))
    by_street = {row["case__street_id"]: row for row in counted}
    late = visible.running_overdue(now).order_by().values("street_id")
    overdue = {row["street_id"]: row["n"] for row in late.annotate(n=Count("pk"))}
    streets = Street.objects.order_by("code").only("id", "code", "name")
    if not actor.scope.whole_district:  # a street's post: only the streets it has cases in
        streets = streets.filter(pk__in={*by_street, *overdue})
    return [
        StreetFigures(street, _figures(by_street.get(street.pk, {}), overdue.get(street.pk, 0)))
        for street in streets
    ]
