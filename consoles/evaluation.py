"""The evaluation pages (绩效评价): a period's scores and grades for one kind of object, each
figure a link to the cases and events behind it; the printable monthly report with the audit
chain's verdict; and its XLSX, made in the background (evaluation/runs.py). For leaders,
analysts and shift leaders, each over the cases their post may see (a street's leader evaluates
the street's regions and work).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, Task
from evaluation.indicators import COUNTS, count_of, rows
from evaluation.models import REGION_KINDS, ObjectKind, RunStatus, SettledMonth
from evaluation.periods import Period
from evaluation.report import build_report, check_chain
from evaluation.runs import request_run, runs_of, territory
from evaluation.scores import INDICATORS, Indicator, Row, evaluate
from lib.files import open_or_404
from org.access import Actor, Refusal, viewer_for
from org.roles import Role

EVALUATION_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SHIFT_LEADER, Role.SYSADMIN})
DRILL_LIMIT = 500  # rows shown of a figure's drill-down; the count is always whole
RUNS_SHOWN = 20  # the viewer's latest evaluation reports


EvaluationView = Callable[..., HttpResponse]  # (request, viewer, **the address's parts)


def evaluator_view(view: EvaluationView) -> Callable[..., HttpResponse]:
    """A page for the evaluating posts: others are told whose it is; a bad period, kind or
    figure in the address gets its refusal's message."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        viewer = viewer_for(request)
        if viewer.role not in EVALUATION_ROLES:
            message = _(
                "Evaluation is for leaders, analysts and shift leaders. Open the desk of one of "
                "these posts first if you hold one."
            )
            return render(request, "refused.html", {"message": message}, status=403)
        try:
            return view(request, viewer, **kwargs)
        except Refusal as refusal:
            # Not every refusal is about the post: a malformed period is the request's fault.
            heading = None if refusal.status == 403 else _("Please check what you asked for")
            context = {"message": refusal.message, "heading": heading}
            return render(request, "refused.html", context, status=refusal.status)

    return wrapped


def chosen_period(request: HttpRequest) -> Period:
    text = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
    return Period.parse(text)


def chosen_kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or ObjectKind.UNIT
    if kind not in ObjectKind.values:
        raise Refusal("bad_kind", _("There is no such kind of object to evaluate."))
    return kind


def page_context(viewer: Actor, request: HttpRequest) -> dict[str, Any]:
    period = chosen_period(request)
    return {
        "period": period,
        "previous": period.previous().label,
        "kinds": ObjectKind.choices,
        "whole_district": viewer.scope.whole_district,
        "settled": settled_for(viewer, period),
    }


def settled_for(viewer: Actor, period: Period) -> SettledMonth | None:
    """The settlement the viewer's figures come from, if the month is settled."""
    return SettledMonth.of(period, viewer.scope)


@evaluator_view
def evaluation_page(request: HttpRequest, viewer: Actor) -> HttpResponse:
    context = page_context(viewer, request)
    kind = chosen_kind(request)
    evaluated = evaluate(kind, context["period"], cases=territory(viewer), scope=viewer.scope)
    table = shown_rows(kind, evaluated)
    context |= {
        "kind": kind,
        "kind_label": ObjectKind(kind).label,
        "indicators": INDICATORS[kind],
        "counts": COUNTS[kind],
        "table": table,
        "is_region": kind in REGION_KINDS,
    }
    return render(request, "consoles/evaluation.html", context)


def shown_rows(kind: str, table: list[Row]) -> list[dict[str, Any]]:
    """Rows as the page shows them; of 9,000 grids, those with a case in the period."""
    if kind == ObjectKind.GRID:
        table = [row for row in table if any(row.counts.values())]
    return [
        {
            "row": row,
            "cells": [
                (shown(i, row.raw.values[i.key]), shown(i, row.exempt.values[i.key]))
                for i in row.indicators
            ],
            "counts": [
                (c, row.counts[c.key], row.counts.get(f"{c.key}__exempt")) for c in COUNTS[kind]
            ],
        }
        for row in table
    ]


def shown(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if indicator.percent else f"{value:g}"


@evaluator_view
def evaluation_drill(request: HttpRequest, viewer: Actor) -> HttpResponse:
    """The rows behind one figure: the cases, with the event or task that counted each."""
    try:
        period, kind = chosen_period(request), chosen_kind(request)
        count = count_of(kind, request.GET.get("count", ""))
        key = int(request.GET.get("key", ""))
        if not -(2**63) <= key < 2**63:  # beyond any id the databases hold
            raise ValueError(key)
    except (Refusal, KeyError, ValueError):
        message = _("This figure does not exist: go back to the evaluation and choose another.")
        raise Refusal("bad_figure", message) from None
    exempt = request.GET.get("exempt") == "1"
    found = rows(kind, key, count.key, period, exempt=exempt, cases=territory(viewer))
    context = {
        "period": period,
        "kind": kind,
        "kind_label": ObjectKind(kind).label,
        "count": count,
        "exempt": exempt,
        "total": found.count(),
        "lines": drill_lines(found),
        "limit": DRILL_LIMIT,
        "settled": settled_for(viewer, period),
    }
    return render(request, "consoles/evaluation_drill.html", context)


# What a drill-down row shows of each source: its order, moment, what happened, deadline.
DRILL_FIELDS: dict[type[Any], tuple[str, str, str, str]] = {
    CaseEvent: ("at", "at", "get_verb_display", "step_due_at"),
    Task: ("due_at", "done_at", "get_kind_display", "due_at"),
    Case: ("handling_due_at", "dispatched_at", "get_status_display", "handling_due_at"),
}


def drill_lines(found: QuerySet[Any]) -> list[dict[str, Any]]:
    """Each row (the first DRILL_LIMIT) as a case number, a moment and what happened."""
    order, at, what, due = DRILL_FIELDS[found.model]
    if found.model is not Case:
        found = found.select_related("case")
    return [
        {
            "number": row.number if isinstance(row, Case) else row.case.number,
            "at": getattr(row, at),
            "what": getattr(row, what)(),
            "due": getattr(row, due),
        }
        for row in found.order_by(order)[:DRILL_LIMIT]
    ]


@evaluator_view
def evaluation_report(request: HttpRequest, viewer: Actor) -> HttpResponse:
    """The printable monthly report: headline figures, then every kind's table."""
    context = page_context(viewer, request)
    report = build_report(
        context["period"], cases=territory(viewer), scope=viewer.scope, verify=False
    )
    tables = [
        (ObjectKind(kind).label, INDICATORS[kind], shown_rows(kind, table))
        for kind, table in report.tables.items()
    ]
    context |= {"report": report, "tables": tables}
    return render(request, "consoles/evaluation_report.html", context)


@evaluator_view
def evaluation_chain(request: HttpRequest, viewer: Actor) -> HttpResponse:
    """The audit chain's verdict for the report's cases (loaded after the page: it rehashes
    every event of the period's cases)."""
    chain = check_chain(chosen_period(request), territory(viewer))
    return render(request, "consoles/_evaluation_chain.html", {"chain": chain})


@evaluator_view
def evaluation_runs(request: HttpRequest, viewer: Actor) -> HttpResponse:
    """The viewer's evaluation reports: ask for one (POST), see them being made and download
    them. The list polls itself while one is still being made."""
    if request.method == "POST":
        period = Period.parse(request.POST.get("period", ""))
        request_run(viewer, period)
        return redirect(reverse("evaluation_runs") + f"?period={period.label}")
    runs = list(runs_of(viewer.user)[:RUNS_SHOWN])  # type: ignore[arg-type]
    context = page_context(viewer, request) | {"runs": runs}
    context["polling"] = any(run.pending for run in runs)
    partial = request.htmx and request.GET.get("part") == "list"  # type: ignore[attr-defined]
    template = "consoles/_evaluation_runs.html" if partial else "consoles/evaluation_runs.html"
    return render(request, template, context)


@evaluator_view
def evaluation_run_file(request: HttpRequest, viewer: Actor, pk: int) -> HttpResponse:
    """A run's workbook, for the one who asked for it only."""
    ready = runs_of(viewer.user).filter(status=RunStatus.DONE).exclude(workbook="")  # type: ignore[arg-type]
    run = get_object_or_404(ready, pk=pk)
    name = str(run.workbook.name).rsplit("/", 1)[-1]
    return FileResponse(  # type: ignore[return-value]
        open_or_404(run.workbook),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
