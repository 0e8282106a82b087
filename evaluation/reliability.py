"""Component reliability (部件可靠性): repeat failures and the mean time between failures (MTBF)
per component, per component type and per owner (权属单位), from the cases, in grouped SQL.

Definitions:

- A **failure** is a case naming the component whose problem was confirmed: filed (立案, the
  FILE event, kept on the case as `filed_at`), or handled on the spot by the inspector and closed
  (自处理, closed without filing). A case voided afterwards (作废: it was invalid) is none, and a
  case reopened and filed again stays one failure.
- A failure's **time** is when it was reported (`Case.created_at`): when the fault was found, not
  when the center came to file it. A period holds the failures reported in it.
- **Repeat failures**: the components with at least two failures in the period.
- **MTBF of a component**: the mean gap between its consecutive failures in the period, which
  is (last − first) ÷ (failures − 1); none below two failures.
- **MTBF of a type or an owner**: the mean of every gap between consecutive failures of one of
  its components, pooled: Σ (last − first) ÷ Σ (failures − 1). A component that failed once adds
  a failure and no gap. The textbook figure, operating time ÷ failures, would need each
  component's time in service, which the inventory does not keep (no history of installation
  and removal), and could not follow a restriction to a leader's cases; the pooled gap can.

Each figure is one grouped query; the gap before each failure is a correlated subquery (the
previous failure of the same component), which SQLite and PostgreSQL both run from the
component's index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from cases.models import Case, Status
from components.models import Component
from evaluation.periods import Period

COMPONENT_KEYS = (
    "component__identifier",
    "component__case_type__code",
    "component__case_type__name",
    "component__owner__name",
)
# Confirmed: filed, or closed without filing (only a case handled on the spot closes so).
CONFIRMED = (Q(filed_at__isnull=False) | Q(status=Status.CLOSED)) & ~Q(status=Status.VOIDED)


@dataclass(frozen=True)
class ComponentFailures:
    identifier: str
    type_code: str
    type_name: str
    owner: str  # the owner's name (权属单位), "" when none is recorded
    failures: int
    first_failure: datetime | None
    last_failure: datetime | None
    mtbf_hours: float | None


@dataclass(frozen=True)
class GroupFailures:
    """The failures of one component type or one owner."""

    code: str  # the type's code or the owner's unit code; "" for components without an owner
    name: str
    components: int  # components that failed in the period
    repeating: int  # of them, those that failed at least twice
    failures: int
    mtbf_hours: float | None


def failures(
    period: Period | None = None, *, cases: QuerySet[Case] | None = None
) -> QuerySet[Case]:
    """The failures reported in `period` (all of them when None), among `cases` if given."""
    found = (Case.objects.all() if cases is None else cases).filter(
        CONFIRMED, component__isnull=False
    )
    if period is not None:
        found = found.filter(created_at__gte=period.start, created_at__lt=period.end)
    return found.order_by()


def failing_components(
    period: Period,
    *,
    cases: QuerySet[Case] | None = None,
    minimum: int = 2,
    limit: int | None = 20,
) -> list[ComponentFailures]:
    """The components with at least `minimum` failures in the period, most failures first
    (then the latest failure first)."""
    rows = (
        failures(period, cases=cases)
        .values(*COMPONENT_KEYS)
        .annotate(failures=Count("pk"), first=Min("created_at"), last=Max("created_at"))
        .filter(failures__gte=minimum)
        .order_by("-failures", "-last", "component__identifier")
    )
    return [_component_row(row) for row in (rows if limit is None else rows[:limit])]


def component_failures(
    component: Component, *, cases: QuerySet[Case] | None = None
) -> ComponentFailures:
    """One component's failures over its whole history (none yet: 0 and no dates)."""
    found = (
        failures(cases=cases)
        .filter(component=component)
        .values(*COMPONENT_KEYS)
        .annotate(failures=Count("pk"), first=Min("created_at"), last=Max("created_at"))
        .first()
    )
    if found is not None:
        return _component_row(found)
    owner = component.owner.name if component.owner else ""
    kind = component.case_type
    return ComponentFailures(component.identifier, kind.code, kind.name, owner, 0, None, None, None)


def failures_by_type(
    period: Period, *, cases: QuerySet[Case] | None = None, limit: int | None = 20
) -> list[GroupFailures]:
    """Each component type with failures in the period, most failures first."""
    keys = ("component__case_type__code", "component__case_type__name")
    return _per_group(failures(period, cases=cases), keys, limit)


def failures_by_owner(
    period: Period, *, cases: QuerySet[Case] | None = None, limit: int | None = 20
) -> list[GroupFailures]:
    """Each owner (权属单位) whose components failed in the period, most failures first;
    components without a recorded owner make one row of their own (code and name "")."""
    keys = ("component__owner__code", "component__owner__name")
    return _per_group(failures(period, cases=cases), keys, limit)


def _component_row(row: dict[str, Any]) -> ComponentFailures:
    count, first, last = row["failures"], row["first"], row["last"]
    mtbf = _hours(last - first) / (count - 1) if count > 1 else None
    return ComponentFailures(
        identifier=row["component__identifier"],
        type_code=row["component__case_type__code"],
        type_name=row["component__case_type__name"],
        owner=row["component__owner__name"] or "",
        failures=count,
        first_failure=first,
        last_failure=last,
        mtbf_hours=mtbf,
    )


def _per_group(
    found: QuerySet[Case], keys: tuple[str, str], limit: int | None
) -> list[GroupFailures]:
    gap = ExpressionWrapper(F("created_at") - F("previous"), output_field=DurationField())
    rows = (
        found.annotate(previous=_previous_failure(found))
        .values(*keys)
        .annotate(
            failures=Count("pk"),
            components=Count("component", distinct=True),
            repeating=Count("component", distinct=True, filter=Q(previous__isnull=False)),
            gap_total=Sum(gap),
        )
        .order_by("-failures", F(keys[1]).asc(nulls_last=True))
    )
    return [_group_row(row, keys) for row in (rows if limit is None else rows[:limit])]


def _previous_failure(found: QuerySet[Case]) -> Subquery:
    """The time of the same component's failure just before this one (reported earlier, or at
    the same moment with a smaller id), among the same failures."""
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(
        created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")
    )
    before = found.filter(earlier, component=OuterRef("component"))
    return Subquery(before.order_by("-created_at", "-pk").values("created_at")[:1])


def _group_row(row: dict[str, Any], keys: tuple[str, str]) -> GroupFailures:
    # Every failure but each component's first follows another: one gap each.
    gaps, total = row["failures"] - row["components"], row["gap_total"]
    return GroupFailures(
        code=row[keys[0]] or "",
        name=row[keys[1]] or "",
        components=row["components"],
        repeating=row["repeating"],
        failures=row["failures"],
        mtbf_hours=_hours(total) / gaps if gaps else None,
    )


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600
