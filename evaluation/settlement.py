"""Settled months (月度结算): a whole month's counts, counted once and kept.

A month's figures keep moving while its cases do: an overdue appeal upheld, a filing voided,
a case closed that counts for the handling rate. A city publishes each month's evaluation once
the month is over and its appeals are decided (EVALUATION_SETTLE_DAYS after its end); from then
on those are the month's figures. Settling counts every kind's figures (indicators.figures_of)
and the headline (headline.headline), as the live evaluation does, and keeps them
(SettledMonth). The evaluation pages, reports, the `evaluate` command and the
dashboard then read a settled month from there instead of counting its million events again.
Scores and grades are still computed when read, from the weights and bands in force.

What happens to a case after its month is settled does not change the settled figures:
settling the month again counts them anew. The streets' territories that a leader or an
analyst evaluates are settled with the district, each over its own cases.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent
from evaluation.headline import headline
from evaluation.indicators import figures_of
from evaluation.models import ObjectKind, SettledMonth, scope_of
from evaluation.periods import Period
from org.access import Refusal
from org.models import DataScope, Membership
from org.roles import Role, Scope


def settle(
    period: Period, *, now: datetime | None = None, scopes: list[DataScope | None] | None = None
) -> list[SettledMonth]:
    """Count `period`, a month over for EVALUATION_SETTLE_DAYS, over the district (None) and
    each territory evaluated, or over `scopes`, and keep its figures (again, if it was settled
    before)."""
    now = now or timezone.now()
    if not period.is_month:
        raise Refusal("not_a_month", _("Only a whole month can be settled, e.g. 2026-10."))
    if now < settle_from(period):
        raise Refusal(
            "month_not_settled_yet",
            _("%(month)s can be settled from %(day)s: its appeals may still be decided.")
            % {"month": period.label, "day": f"{settle_from(period):%Y-%m-%d}"},
        )
    chosen = [None, *territories()] if scopes is None else scopes
    with transaction.atomic():
        return [settle_over(period, scope, now) for scope in chosen]


def settle_over(period: Period, scope: DataScope | None, now: datetime) -> SettledMonth:
    """Count the month over the district (None) or a scope's cases, and keep its figures."""
    cases = None if scope is None else Case.objects.within(scope)
    found = figures_of(ObjectKind.values, period, cases=cases, live=True)
    kept = {kind: [[key, counts] for key, counts in rows.items()] for kind, rows in found.items()}
    settled, _created = SettledMonth.objects.update_or_create(
        month=period.first,
        scope=scope_of(cases, scope),
        defaults={
            "settled_at": now,
            "figures": kept,
            "headline": asdict(headline(period, cases=cases, as_of=now, live=True)),
        },
    )
    return settled


def territories() -> list[DataScope]:
    """The streets' territories that someone evaluates: a leader's or an analyst's post."""
    posts = Membership.objects.active().filter(
        scope=Scope.TERRITORY, role__in=(Role.LEADER, Role.ANALYST)
    )
    units = sorted(set(posts.values_list("unit_id", flat=True)))
    return [DataScope(territory_unit_ids=frozenset({unit})) for unit in units]


def settle_from(period: Period) -> datetime:
    return period.end + timedelta(days=settings.EVALUATION_SETTLE_DAYS)


def unsettled(now: datetime | None = None) -> list[tuple[Period, list[DataScope | None]]]:
    """The months that may be settled, from the first event's month to the last month over for
    EVALUATION_SETTLE_DAYS, each with the scopes not settled yet: the district (None) and the
    territories evaluated now (a street led since the month was settled, say)."""
    now = now or timezone.now()
    first = CaseEvent.objects.order_by("at").values_list("at", flat=True).first()
    if first is None:
        return []
    needed: dict[str, DataScope | None] = {"": None} | {t.key: t for t in territories()}
    done: dict[date, set[str]] = {}
    for month_of, scope in SettledMonth.objects.values_list("month", "scope"):
        done.setdefault(month_of, set()).add(scope)
    months, month = [], Period.month(timezone.localtime(first).date())
    while settle_from(month) <= now:
        missing = [scope for key, scope in needed.items() if key not in done.get(month.first, ())]
        if missing:
            months.append((month, missing))
        month = Period.month(month.last + timedelta(days=1))
    return months


def unsettle(since: date) -> int:
    """Forget the settlements of the months from the one holding `since` (their events were
    rewritten, e.g. by a simulation)."""
    deleted, _by_model = SettledMonth.objects.filter(month__gte=since.replace(day=1)).delete()
    return deleted
