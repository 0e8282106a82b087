"""The dashboard (大屏) for leaders and analysts, and the posts that run the loop: today's
figures, refreshed while it is open; the seed's headline figures for a period and month by
month; the last 30 days day by day; the types most filed; streets and units ranked; the unit
grids where cases gather; the components that keep failing. Over the cases the viewer's post
may see (a street's leader sees its street), every figure counted in SQL (aggregates, grouped
by day, type, street, unit or grid), never by a loop over cases: the page costs the same
number of queries whatever the number of cases.

The charts are ECharts (static/consoles/dashboard.js), the heat map Leaflet; they read their
data from a JSON script element, since the Content-Security-Policy allows no inline script.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Verb
from consoles import counters
from consoles.evaluation import EVALUATION_ROLES
from consoles.hotspots import filed_in, grid_counts, hotspots
from consoles.rankings import columns, standings
from evaluation.headline import CLOSING_VERBS, Headline, events_in, headline, monthly
from evaluation.models import ObjectKind
from evaluation.periods import Period
from evaluation.reliability import failing_components
from geo.map_layers import collection_json, feature_json, map_layers
from geo.models import District, Street
from geo.views import geojson, map_json
from org.access import Actor, Refusal, viewer_for
from org.roles import Role

DASHBOARD_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.DISPATCHER, Role.SHIFT_LEADER})
POLL_SECONDS = 10  # today's figures
RELOAD_SECONDS = 600  # the whole page, for a screen left open on the wall
TREND_MONTHS = 12
TREND_DAYS = 30
TOP_TYPES = 10
TOP_UNITS = 12
HOTSPOTS = 10


def refusal_message() -> str:
    return _(
        "The dashboard is for leaders, analysts, dispatchers and shift leaders. Open the desk "
        "of one of these posts first if you hold one."
    )


def scoped(viewer: Actor, visible: QuerySet[Case]) -> QuerySet[Case] | None:
    """The cases the period's figures are counted over: None when the viewer sees the whole
    district, so that the figures need not ask which cases are visible."""
    return None if viewer.scope.whole_district else visible


# -- the period -------------------------------------------------------------------------------


def chosen_period(text: str, today: date) -> tuple[Period, str]:
    """The period asked for (this month when none), and what was wrong with the one asked."""
    if not text:
        return Period.month(today), ""
    try:
        period = Period.parse(text)
    except Refusal as refusal:
        return Period.month(today), refusal.message
    if period.first > today:
        return Period.month(today), _("That period has not begun: this month is shown instead.")
    return period, ""


def period_choices(period: Period, today: date) -> list[str]:
    """This month and the eleven before, the newest first, and the period shown if another."""
    months = [p.label for p in reversed(Period.months(today, TREND_MONTHS))]
    return months if period.label in months else [period.label, *months]


def as_of(period: Period, now: datetime) -> datetime:
    """The moment the period's figures are counted at: now, or the period's last moment."""
    return min(now, period.end - timedelta(microseconds=1))


# -- the figures ------------------------------------------------------------------------------


def daily(period: Period, cases: QuerySet[Case] | None, today: date) -> dict[str, list[Any]]:
    """Reported, filed and closed on each of the 30 days up to the period's last (or today):
    one query, grouped by the local day."""
    last = min(period.last, today)
    days = Period(last - timedelta(days=TREND_DAYS - 1), last)
    local_day = TruncDate("at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    rows = (
        events_in(days, cases)
        .filter(verb__in=(Verb.REPORT, Verb.FILE, *CLOSING_VERBS))
        .order_by()
        .values(day=local_day)
        .annotate(
            reported=Count("pk", filter=Q(verb=Verb.REPORT)),
            filed=Count("pk", filter=Q(verb=Verb.FILE)),
            closed=Count("pk", filter=Q(verb__in=CLOSING_VERBS)),
        )
    )
    found = {row["day"]: row for row in rows}
    dates = [days.first + timedelta(days=n) for n in range(days.days)]
    series = {
        key: [found[day][key] if day in found else 0 for day in dates]
        for key in ("reported", "filed", "closed")
    }
    return {"labels": [day.strftime("%m-%d") for day in dates], **series}


def top_types(period: Period, cases: QuerySet[Case] | None) -> list[tuple[str, int]]:
    """The types with the most cases filed in the period: one query."""
    rows = (
        filed_in(period, cases)
        .filter(case_type__isnull=False)
        .order_by()
        .values("case_type_id", "case_type__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "case_type__name")[:TOP_TYPES]
    )
    return [(row["case_type__name"], row["n"]) for row in rows]


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def trend(months: list[Headline]) -> dict[str, list[Any]]:
    """The headline figures month by month, as the charts draw them."""
    return {
        "labels": [m.period for m in months],
        "filed": [m.filed for m in months],
        "handled": [m.handled for m in months],
        "publicCalls": [m.public_calls for m in months],
        "discoveryRate": [percent(m.discovery_rate) for m in months],
        "handlingRate": [percent(m.handling_rate) for m in months],
        "onTimeRate": [percent(m.on_time_rate) for m in months],
        "meanHours": [rounded(m.mean_hours) for m in months],
        "medianHours": [rounded(m.median_hours) for m in months],
    }


@dataclass(frozen=True)
class Figure:
    """One headline figure of the period, with the month before's when known."""

    key: str
    label: str
    value: float | int | None
    unit: str = ""
    before: float | int | None = None

    @property
    def change(self) -> float | None:
        """Up or down since the month before, when both are known."""
        if self.value is None or self.before is None:
            return None
        return round(self.value - self.before, 1)


def figures(current: Headline, before: Headline | None) -> list[Figure]:
    def of(h: Headline | None) -> dict[str, float | int | None]:
        if h is None:
            return {}
        return {
            "discovery_rate": percent(h.discovery_rate),
            "handled": h.handled,
            "mean_hours": rounded(h.mean_hours),
            "median_hours": rounded(h.median_hours),
            "handling_rate": percent(h.handling_rate),
            "on_time_rate": percent(h.on_time_rate),
            "public_calls": h.public_calls,
        }

    this, then = of(current), of(before)
    labels = [
        ("discovery_rate", _("Discovery rate (主动发现率)"), "%"),
        ("handled", _("Cases closed (结案数)"), ""),
        ("mean_hours", _("Mean handling time"), _("h")),
        ("median_hours", _("Median handling time"), _("h")),
        ("handling_rate", _("Handling rate (结案率)"), "%"),
        ("on_time_rate", _("On-time rate (按期结案率)"), "%"),
        ("public_calls", _("Public reports (公众举报)"), ""),
    ]
    return [Figure(key, label, this[key], unit, then.get(key)) for key, label, unit in labels]


def territory_streets(viewer: Actor) -> list[str]:
    """The codes of the streets a territorial post answers for (the heat map shows them);
    none for the whole district or a unit's post."""
    if viewer.scope.whole_district or not viewer.scope.territory_unit_ids:
        return []
    offices = viewer.scope.territory_unit_ids
    return list(Street.objects.filter(office_id__in=offices).values_list("full_code", flat=True))


def territory_name(viewer: Actor) -> str:
    if viewer.scope.whole_district:
        return District.objects.order_by("code").values_list("name", flat=True).first() or ""
    return viewer.unit.name if viewer.unit else ""


def texts() -> dict[str, str]:
    """What dashboard.js shows, in the user's language."""
    return {
        "reported": _("Reports"),
        "filed": _("Filed"),
        "closed": _("Closed"),
        "handled": _("Closed (结案数)"),
        "publicCalls": _("Public reports"),
        "discoveryRate": _("Discovery rate"),
        "handlingRate": _("Handling rate"),
        "onTimeRate": _("On-time rate"),
        "meanHours": _("Mean hours"),
        "medianHours": _("Median hours"),
        "cases": _("Cases"),
        "h": _("h"),
        "noData": _("No cases in this period."),
        "grid": _("Unit grid"),
        "failed": _("The map could not load its data."),
    }


# -- the pages --------------------------------------------------------------------------------


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "refused.html", {"message": refusal_message()}, status=403)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request)
    if viewer.role not in DASHBOARD_ROLES:
        return _refused(request)
    now = timezone.now()
    today = timezone.localdate(now)
    period, problem = chosen_period(request.GET.get("period", ""), today)
    visible = Case.objects.visible_to(viewer)  # asked once: a street's scope costs a query
    cases = scoped(viewer, visible)
    counted_at = as_of(period, now)
    months = monthly(counted_at, TREND_MONTHS, cases=cases, scope=viewer.scope)
    if months[-1].period == period.label:
        current, before = months[-1], months[-2]
    else:  # a year or a range of days
        current = headline(period, cases=cases, scope=viewer.scope, as_of=counted_at)
        before = None
    types = top_types(period, cases)
    config = {
        "text": texts(),
        "months": trend(months),
        "days": daily(period, cases, today),
        "types": {"names": [name for name, n in types], "counts": [n for name, n in types]},
        "heat": {
            "url": f"{reverse('dashboard_grids')}?period={period.label}",
            "outlines": reverse("map_outlines"),
            "streets": territory_streets(viewer),
            "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        },
        "reloadSeconds": RELOAD_SECONDS,
    }
    today_figures = counters.today(viewer, now, visible)
    context = {
        "viewer": viewer,
        "territory": territory_name(viewer),
        "period": period,
        "periods": period_choices(period, today),
        "problem": problem,
        "now": now,
        "figures": figures(current, before),
        "live": {"today": today_figures},
        "fingerprint": fingerprint(today_figures),
        "poll_seconds": POLL_SECONDS,
        "streets": standings(ObjectKind.STREET, period, cases, scope=viewer.scope),
        "street_columns": columns(ObjectKind.STREET),
        # Every handling unit is evaluated; the wall lists those with cases in the period.
        "units": standings(
            ObjectKind.UNIT, period, cases, scope=viewer.scope, limit=TOP_UNITS, idle=False
        ),
        "unit_columns": columns(ObjectKind.UNIT),
        "hotspots": hotspots(period, cases, HOTSPOTS),
        "components": failing_components(period, cases=cases),
        "types": types,
        "sees_evaluation": viewer.role in EVALUATION_ROLES,
        "dashboard_config": config,
    }
    return render(request, "consoles/dashboard.html", context)


def fingerprint(today: counters.Figures) -> str:
    """Today's figures hashed: a poll that finds the same answers 204 and nothing moves."""
    shown = (*((counter.key, n) for counter, n in today.counts), int(today.overdue))
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:20]


def dashboard_live(request: HttpRequest) -> HttpResponse:
    """Today's figures for htmx: 204 when nothing changed since `seen`."""
    if not request.user.is_authenticated:  # signed out meanwhile: the page goes to sign in
        login = redirect_to_login(reverse("dashboard"))
        return HttpResponse(status=204, headers={"HX-Redirect": login["Location"]})
    viewer = viewer_for(request)
    if viewer.role not in DASHBOARD_ROLES:  # the post was given up: reloading shows why
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    now = timezone.now()
    today = counters.today(viewer, now, Case.objects.visible_to(viewer))
    seen = fingerprint(today)
    if request.GET.get("seen") == seen:
        return HttpResponse(status=204)
    context = {"live": {"today": today}, "fingerprint": seen, "poll_seconds": POLL_SECONDS}
    return HttpResponse(render_to_string("consoles/_dashboard_live.html", context))


@map_json
def dashboard_grids(request: HttpRequest) -> HttpResponse:
    """The heat map's layer: each unit grid with cases filed in the period (the densest
    first, at most MAX_HEAT_GRIDS), its outline from the map's grid layer and its count."""
    viewer = viewer_for(request)
    if viewer.role not in DASHBOARD_ROLES:
        raise Refusal("wrong_role", refusal_message(), 403)
    today = timezone.localdate()
    period, problem = chosen_period(request.GET.get("period", ""), today)
    if problem:
        raise Refusal("bad_period", problem)
    counts = grid_counts(period, scoped(viewer, Case.objects.visible_to(viewer)))
    layers = map_layers()
    features = []
    for grid in counts:
        position = layers.position(grid.code)
        if position is not None:  # the layers may briefly be a revision behind
            properties = {"code": grid.code, "cases": grid.cases}
            features.append(
                feature_json(layers.ids[position], properties, layers.geometries[position])
            )
    most = counts[0].cases if counts else 0
    return geojson(collection_json(features, period=period.label, most=most))
