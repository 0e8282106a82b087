"""Which cases a person may see, as a queryset filter (the mirror of DataScope.covers)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.models import Case
from org.models import DataScope


def visible_cases(scope: DataScope) -> QuerySet[Case]:
    cases = Case.objects.all()
    if scope.whole_district:
        return cases
    if scope.is_empty:
        return cases.none()
    return cases.filter(
        Q(territory_unit_id__in=scope.territory_unit_ids)
        | Q(responsible_unit_id__in=scope.unit_ids)
    )
