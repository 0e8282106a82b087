"""One simulated stretch of the district's life, from `start` to `end` on the simulated clock:
problems occur, inspectors patrol and report, the public calls, the centres and the units move
each case through the real workflow functions (cases/reporting.py, cases/workflow/) with
`now=` the simulated moment. Nothing here writes a case or an event row itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import numpy as np
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from evaluation.settlement import unsettle
from simulate.simulation import center, patrol, public
from simulate.simulation.clock import Clock
from simulate.simulation.knobs import Knobs
from simulate.simulation.problems import Problem, occurrences
from simulate.simulation.world import World, load_world

REQUEST_PREFIX = "sim-"  # every simulated report's request_id starts so


@dataclass
class Tracked:
    """What the simulator remembers of a case while it moves."""

    number: str
    problem: Problem
    public: bool
    unit: int | None = None  # the handling unit it is with
    right_unit: int | None = None
    handled: bool = False  # reported back, waiting for the check
    pending: bool = False  # a request waits for the dispatcher
    reworked: bool = False
    suspended: bool = False


@dataclass
class Simulation:
    knobs: Knobs
    seed: int
    clock: Clock
    world: World
    rng: np.random.Generator
    problems: list[Problem] = field(default_factory=list)
    cases: dict[str, Tracked] = field(default_factory=dict)
    inspectors: list[patrol.Inspector] = field(default_factory=list)
    reports: int = 0
    _present: dict[int, dict[int, Problem]] = field(default_factory=lambda: defaultdict(dict))

    # -- problems in the world -----------------------------------------------------------------

    def occur(self, problem: Problem, now: datetime) -> None:
        self._present[problem.grid][problem.number] = problem
        self.clock.at(problem.goes_at, lambda t: self.goes_by_itself(problem))

    def goes_by_itself(self, problem: Problem) -> None:
        if not problem.case:  # a problem in a case goes when it is handled
            self.gone(problem)

    def gone(self, problem: Problem) -> None:
        problem.gone = True
        self._present[problem.grid].pop(problem.number, None)

    def present_in(self, grid: int) -> list[Problem]:
        return list(self._present[grid].values())

    # -- reports -------------------------------------------------------------------------------

    def found_on_patrol(self, problem: Problem, inspector: patrol.Inspector, now: datetime) -> None:
        if problem.case or problem.gone or not inspector.on_duty:
            return
        center.inspector_report(self, problem, inspector.actor, now)

    def request_id(self) -> str:
        self.reports += 1
        return f"{REQUEST_PREFIX}{self.seed}-{self.reports:06d}"

    def track(self, case: Case, problem: Problem, *, public: bool) -> Tracked:
        tracked = Tracked(case.number, problem, public)
        self.cases[case.number] = tracked
        return tracked

    # -- time ------------------------------------------------------------------------------------

    def minutes(self, mean: float) -> float:
        """A hand-over's duration: exponential around `mean`, never instant."""
        return 1.0 + float(self.rng.exponential(max(mean - 1.0, 0.0)))

    def later(self, mean_minutes: float, happening: Callable[[datetime], None]) -> None:
        self.clock.after(self.minutes(mean_minutes), happening)


def build(knobs: Knobs, *, seed: int, start: datetime, end: datetime) -> Simulation:
    rng = np.random.default_rng(seed)
    world = load_world(np.random.default_rng([seed, 1]))
    sim = Simulation(knobs, seed, Clock(start, end), world, rng)
    sim.problems = occurrences(world, knobs, np.random.default_rng([seed, 2]), start, end)
    for problem in sim.problems:
        sim.clock.at(problem.at, partial(sim.occur, problem))
        public.maybe_calls(sim, problem)
    sim.inspectors = patrol.deal_beats(sim)
    patrol.plan_days(sim)
    return sim


def run(sim: Simulation, *, progress: Callable[[datetime], None] | None = None) -> Simulation:
    """Run the clock to the end, a simulated day at a time (`progress` told after each). The
    months it writes into are no longer settled."""
    unsettle(timezone.localtime(sim.clock.start).date())
    day = sim.clock.start
    while day < sim.clock.end:
        day = min(day + timedelta(days=1), sim.clock.end)
        # A day per transaction: each verb still has its own (a savepoint), but SQLite
        # commits to disk once a simulated day instead of once a step.
        with transaction.atomic():
            sim.clock.run_until(day)
        if progress is not None:
            progress(day)
    return sim
