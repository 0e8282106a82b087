"""The seed's headline figures (发现率, 月处理案件数, 处理时间, 处置率…) for a period and over time.

Each figure is one aggregate query over case events and cases, never a loop over cases:

- discovery rate (主动发现率): of the cases filed in the period, the share found by the city's
  own eyes (inspectors and cameras) rather than reported by the public;
- handled (结案数): cases closed in the period, normally or specially;
- handling time (处理时长): from report to closing, mean and median, of the cases closed in the
  period;
- handling rate (结案率): of the cases filed in the period, the share closed by `as_of`;
- on-time rate (按期结案率): of the cases closed in the period, the share closed before their
  handling deadline (the closing event's own record: 正常结案);
- public calls (公众举报数): reports from the public's channels in the period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import PUBLIC_CHANNELS, Case, CaseEvent, Channel, ClosingType, Verb
from evaluation.models import SettledMonth, scope_of
from evaluation.periods import Period
from org.models import DataScope

# Who finds problems without being told: the seed's 监督员 and, today, cameras and sensors.
FOUND_CHANNELS = (Channel.INSPECTOR, Channel.CAMERA)
CLOSING_VERBS = (Verb.CLOSE, Verb.CLOSE_SPECIAL)
HEADLINE_VERBS = (Verb.REPORT, Verb.FILE, *CLOSING_VERBS)  # the events the figures count


@dataclass(frozen=True)
class Headline:
    period: str
    filed: int
    found: int  # of the filed, found by inspectors and cameras
    handled: int  # closed in the period
    closed_on_time: int  # of the closed, closed normally (正常结案)
    filed_closed: int  # of the filed, closed by as_of
    public_calls: int
    mean_hours: float | None  # report to closing, of the closed
    median_hours: float | None

    @property
    def discovery_rate(self) -> float | None:
        return ratio(self.found, self.filed)

    @property
    def handling_rate(self) -> float | None:
        return ratio(self.filed_closed, self.filed)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.closed_on_time, self.handled)

    def as_dict(self) -> dict[str, Any]:
        rates = {
            "discovery_rate": self.discovery_rate,
            "handling_rate": self.handling_rate,
            "on_time_rate": self.on_time_rate,
        }
        return asdict(self) | rates


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def events_in(period: Period, cases: QuerySet[Case] | None = None) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(at__gte=period.start, at__lt=period.end)
    return events if cases is None else events.filter(case__in=cases)


def counting(as_of: datetime) -> dict[str, Count]:
    """The headline's counts, as filtered COUNTs over case events."""
    return {
        "filed": Count("pk", filter=Q(verb=Verb.FILE)),
        "found": Count("pk", filter=Q(verb=Verb.FILE, case__channel__in=FOUND_CHANNELS)),
        "handled": Count("pk", filter=Q(verb__in=CLOSING_VERBS)),
        "closed_on_time": Count("pk", filter=Q(verb=Verb.CLOSE, outcome=ClosingType.NORMAL)),
        "public_calls": Count("pk", filter=Q(verb=Verb.REPORT, case__channel__in=PUBLIC_CHANNELS)),
        "filed_closed": Count(
            "pk",
            filter=Q(verb=Verb.FILE, case__closed_at__lt=as_of, case__status="closed"),
        ),
    }


def headline(
    period: Period,
    *,
    cases: QuerySet[Case] | None = None,
    scope: DataScope | None = None,
    as_of: datetime | None = None,
    live: bool = False,
) -> Headline:
    """The figures of `period`, over all cases or those of `cases` (a leader's territory, the
    cases of `scope`). A settled month's figures are those kept when it was settled (its
    handling rate as of then), unless `live`."""
    if not live and (kept := settled_headlines([period], scope_of(cases, scope))):
        return kept[period.first]
    as_of = as_of or timezone.now()
    events = events_in(period, cases).filter(verb__in=HEADLINE_VERBS)
    return headline_of(period, events.aggregate(**counting(as_of), **handling_times()), cases)


def headline_of(period: Period, row: dict[str, Any], cases: QuerySet[Case] | None) -> Headline:
    """A period's headline from its aggregate row (`counting` and `handling_times`); on
    SQLite, which has no median in SQL, the middle closing is read apart."""
    mean, median = row.pop("mean", None), row.pop("median", None)
    if connection.vendor != "postgresql" and row["handled"]:
        median = handling_hours(events_in(period, cases))[1]
    else:
        median = hours(median)
    return Headline(period=period.label, mean_hours=hours(mean), median_hours=median, **row)


def handling_times() -> dict[str, Aggregate]:
    """Mean (and, on PostgreSQL, median) time from report to closing, of the closings."""
    closing = Q(verb__in=CLOSING_VERBS)
    times: dict[str, Aggregate] = {"mean": Avg(took(), filter=closing)}
    if connection.vendor == "postgresql":
        times["median"] = Median(took(), filter=closing)
    return times


def handling_hours(events: QuerySet[CaseEvent]) -> tuple[float | None, float | None]:
    """Mean and median hours from report to closing of the cases closed among `events`."""
    closings = events.filter(verb__in=CLOSING_VERBS).annotate(took=took())
    mean = closings.aggregate(mean=Avg("took"))["mean"]
    count = closings.count()
    if not count:
        return None, None
    ordered = closings.order_by("took").values_list("took", flat=True)
    middle = [ordered[count // 2]] if count % 2 else list(ordered[count // 2 - 1 : count // 2 + 1])
    median = sum(middle, timedelta()) / len(middle)
    return hours(mean), hours(median)


def hours(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000  # SQLite averages durations as microseconds


def monthly(
    last: datetime,
    months: int,
    *,
    cases: QuerySet[Case] | None = None,
    scope: DataScope | None = None,
) -> list[Headline]:
    """The figures of each of the `months` months up to the one holding `last`, oldest first:
    settled months as kept, the others from one query grouped by the local month (and, on
    SQLite, which has no median, one query per month for the median hours)."""
    local = timezone.localtime(last).date()
    periods = Period.months(local, months)
    kept = settled_headlines(periods, scope_of(cases, scope))
    counted = [period for period in periods if period.first not in kept]
    found: dict[date, dict[str, Any]] = {}
    if counted:
        span = Period(counted[0].first, counted[-1].last)
        month = TruncMonth("at", tzinfo=ZoneInfo(settings.TIME_ZONE))
        rows = (
            events_in(span, cases)
            .filter(verb__in=HEADLINE_VERBS)
            .order_by()
            .values(month=month)
            .annotate(**counting(last), **handling_times())
        )
        for grouped in rows:
            values: dict[str, Any] = dict(grouped)
            found[_month_of(values.pop("month"))] = values
    return [
        kept.get(period.first)
        or headline_of(period, found.get(period.first) or dict.fromkeys(counting(last), 0), cases)
        for period in periods
    ]


def settled_headlines(periods: list[Period], scope: str | None) -> dict[date, Headline]:
    """The settled months among `periods`, over the scope named (none when None)."""
    if scope is None:
        return {}
    months = [period.first for period in periods if period.is_month]
    settled = SettledMonth.objects.filter(month__in=months, scope=scope)
    return {
        month: Headline(**figures) for month, figures in settled.values_list("month", "headline")
    }


def took() -> ExpressionWrapper:
    """From the report to the event (a closing)."""
    return ExpressionWrapper(F("at") - F("case__created_at"), output_field=DurationField())


class Median(Aggregate):
    """PostgreSQL's median (the mean of the two middle values of an even number)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


def _month_of(moment: date | datetime) -> date:
    """The first day of a local month, as TruncMonth gives it (a date on SQLite)."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)
