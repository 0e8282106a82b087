"""The headline figures month by month (the dashboard's trend): one grouped query giving what
each month's own figures give."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from evaluation.headline import headline, monthly
from evaluation.periods import Period
from tests.cases.conftest import MONDAY_10, World
from tests.cases.making import filed, handling, public_report
from tests.evaluation.test_indicators import closed

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def test_the_months_figures_in_one_query_are_each_months_own(world: World) -> None:
    october = MONDAY_10 - 28 * DAY
    for at, late in ((october, 2 * DAY), (MONDAY_10, 0 * DAY), (MONDAY_10, DAY)):
        closed(world, handling(world, at), at=at + late + DAY)
    closed(world, handling(world, october), at=october + 2 * DAY)  # an even number in October
    filed(world)  # filed, not closed
    public_report(world)
    last = Period.month(date(2026, 12, 1)).end - timedelta(microseconds=1)
    months = monthly(last, 4)
    assert [m.period for m in months] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert months == [headline(Period.parse(m.period), as_of=last) for m in months]
    assert (months[1].handled, months[2].handled, months[2].public_calls) == (2, 2, 1)
    assert months[1].median_hours == pytest.approx((48 + 72) / 2)  # report to closing
