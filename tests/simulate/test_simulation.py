"""The simulator drives the real workflow over the small test world: it is deterministic under
a seed, a simulated month keeps every invariant of the trail, and the figures move the right
way when the district changes (fewer inspectors, a slower unit).

Each run happens inside a savepoint rolled back after it, so runs with the same seed do not
meet each other's cases. The small world is made once for the module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases.audit import verify_all
from cases.models import CaseEvent, Verb
from simulate.simulation import engine
from simulate.simulation.figures import Figures, measure, simulated_cases
from simulate.simulation.knobs import AFTER, Knobs
from tests.conftest import rolled_back_at_the_end
from tests.simulate.test_demo_cases import make_demo_world

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]

# The small world has 16 grids in two beats: a slow walk keeps coverage from being total.
SMALL = AFTER.but(problems_per_day=4.0, grids_per_hour=1.0, bursts_per_month=2.0, inspectors=4)
END = timezone.make_aware(datetime(2026, 11, 20, 18, 0))


@pytest.fixture(scope="module", autouse=True)
def small_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with rolled_back_at_the_end(django_db_blocker):
        make_demo_world()
        yield


def simulate(
    knobs: Knobs, *, days: int, seed: int = 7, keep: bool = False, unit: str = ""
) -> Figures:
    """Run `days` ending at END; rolled back unless `keep`. The platform's figures over the
    cases of `unit` if one is named."""
    start = END - timedelta(days=days)
    with transaction.atomic():
        sim = engine.run(engine.build(knobs, seed=seed, start=start, end=END))
        figures = measure(sim.problems, seed=seed, start=start, end=END, unit=unit)
        transaction.set_rollback(not keep)
    return figures


@pytest.fixture(scope="module")
def month(small_world: None, django_db_blocker: Any) -> Iterator[Figures]:
    """A simulated month, kept for the invariant tests (rolled back with the module)."""
    with django_db_blocker.unblock():
        yield simulate(SMALL.but(problems_per_day=3.0), days=30, seed=5, keep=True)


def test_the_same_seed_gives_the_same_history() -> None:
    first = simulate(SMALL, days=4, seed=11)
    second = simulate(SMALL, days=4, seed=11)
    assert first.platform.filed > 0
    assert first == second


def test_a_month_keeps_the_trail_whole(month: Figures) -> None:
    cases = simulated_cases(5)
    assert month.platform.filed > 15 and month.platform.handled > 10
    assert list(verify_all(among=cases)) == []


def test_every_closed_case_passed_an_on_site_check(month: Figures) -> None:
    for case in simulated_cases(5).filter(events__verb=Verb.CLOSE).distinct():
        events = list(case.events.order_by("sequence").values_list("verb", "data"))
        closing = max(n for n, (verb, _) in enumerate(events) if verb == Verb.CLOSE)
        checks = [data for verb, data in events[:closing] if verb == Verb.CHECK]
        assert checks and checks[-1]["passed"] is True, case.number


def test_the_counters_equal_the_events(month: Figures) -> None:
    counted = simulated_cases(5).annotate(
        dispatches=Count("events", filter=Q(events__verb=Verb.DISPATCH)),
        urges=Count("events", filter=Q(events__verb=Verb.URGE)),
        failed_checks=Count(
            "events", filter=Q(events__verb=Verb.CHECK, events__data__passed=False)
        ),
        returns=Count(
            "events", filter=Q(events__verb=Verb.DECIDE_RETURN, events__data__approved=True)
        ),
    )
    for case in counted:
        assert case.dispatch_count == case.dispatches, case.number
        assert case.urge_count == case.urges, case.number
        assert case.rework_count == case.failed_checks, case.number
        assert case.return_count == case.returns, case.number


def test_a_month_walks_the_special_paths(month: Figures) -> None:
    verbs = Counter(
        CaseEvent.objects.filter(case__in=simulated_cases(5)).values_list("verb", flat=True)
    )
    for verb in (Verb.REPORT, Verb.VERIFY, Verb.FILE, Verb.DISPATCH, Verb.SIGN, Verb.FEEDBACK,
                 Verb.CHECK, Verb.CLOSE):  # fmt: skip
        assert verbs[verb] > 0, verb
    assert month.occurred > month.found > 0


def test_fewer_inspectors_find_less() -> None:
    knobs = SMALL.but(public_share=0.0)
    few = simulate(knobs.but(inspectors=1), days=8)
    many = simulate(knobs.but(inspectors=8), days=8)
    assert few.occurred == many.occurred  # the same problems, seen by fewer eyes
    assert few.discovery_rate is not None and many.discovery_rate is not None
    assert few.discovery_rate < many.discovery_rate
    assert few.platform.filed < many.platform.filed


def test_a_slower_unit_takes_longer_and_closes_less_on_time() -> None:
    knobs = SMALL.but(handling_hours=3.0, public_share=0.0, inspectors=8)
    usual = simulate(knobs, days=8, unit="S01")
    slow = simulate(knobs.but(slow_unit="S01", slow_factor=8.0), days=8, unit="S01")
    assert usual.platform.mean_hours is not None and slow.platform.mean_hours is not None
    assert slow.platform.mean_hours > 2 * usual.platform.mean_hours
    assert slow.platform.handled < usual.platform.handled


def test_the_command_prints_the_figures_and_does_not_double_a_history() -> None:
    with transaction.atomic():
        out = StringIO()
        call_command("simulate", days=1, seed=3, quiet=True, inspectors=2, stdout=out)
        assert "discovery rate, found ÷ occurred" in out.getvalue()
        made = simulated_cases(3).count()
        assert made > 0
        again = StringIO()
        call_command("simulate", days=1, seed=3, if_empty=True, quiet=True, stdout=again)
        assert "nothing to do" in again.getvalue()
        assert simulated_cases(3).count() == made
        transaction.set_rollback(True)


@pytest.mark.parametrize("start_hour", [9.5, 10.05, 15.25])
def test_a_stretch_starting_in_the_middle_of_a_shift_walks_only_what_is_left(
    start_hour: float,
) -> None:
    """The shift's hours before the clock starts are not walked (one ending before the start
    asked numpy for a negative number of grids, at whatever time of day `make run` began)."""
    start = END.replace(hour=0) - timedelta(days=1) + timedelta(hours=start_hour)
    end = start + timedelta(hours=6)
    with transaction.atomic():
        sim = engine.run(engine.build(SMALL, seed=3, start=start, end=end))
        transaction.set_rollback(True)
    assert sim.clock.now == end
