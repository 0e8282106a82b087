"""A period's evaluation as one report: the headline figures, every kind's table, and whether
the audit chain of the cases under it verifies, so anyone can check the figures' ground."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from cases.audit import Finding, verify_all
from cases.models import Case, CaseEvent
from evaluation.headline import Headline, headline
from evaluation.indicators import figures_of
from evaluation.models import ObjectKind
from evaluation.periods import Period
from evaluation.scores import Row, evaluate
from org.models import DataScope


@dataclass(frozen=True)
class ChainCheck:
    """The audit chains of the cases with an event in the period (cases/audit.py)."""

    cases: int
    findings: list[Finding]

    @property
    def verifies(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class Report:
    period: Period
    headline: Headline
    tables: dict[str, list[Row]]
    chain: ChainCheck | None


def cases_in(period: Period, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    touched = CaseEvent.objects.filter(at__gte=period.start, at__lt=period.end).values("case_id")
    chosen = Case.objects.all() if cases is None else cases
    return chosen.filter(pk__in=touched)


def check_chain(period: Period, cases: QuerySet[Case] | None = None) -> ChainCheck:
    among = cases_in(period, cases)
    return ChainCheck(cases=among.count(), findings=list(verify_all(among=among)))


def build_report(
    period: Period,
    *,
    cases: QuerySet[Case] | None = None,
    scope: DataScope | None = None,
    kinds: tuple[str, ...] = tuple(ObjectKind.values),
    verify: bool = True,
) -> Report:
    """The period's report over all cases or those of `cases`, the cases of `scope` (a settled
    month is read from its settlement)."""
    found = figures_of(kinds, period, cases=cases, scope=scope)  # shared scans read once
    return Report(
        period=period,
        headline=headline(period, cases=cases, scope=scope),
        tables={kind: evaluate(kind, period, cases=cases, found=found[kind]) for kind in kinds},
        chain=check_chain(period, cases) if verify else None,
    )
