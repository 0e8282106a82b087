"""The public (公众): someone calls the hotline, or writes on the portal or in the app, about a
share of the problems they see — found by an inspector already or not. A call about a problem
whose case is still at the centre's desk is merged into it (合并); one whose case is already
with a unit is answered on the phone and makes no new case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cases.models import Channel
from simulate.simulation import center
from simulate.simulation.problems import Problem

if TYPE_CHECKING:
    from simulate.simulation.engine import Simulation

# Which public channel a call comes through.
CHANNELS = ((Channel.HOTLINE, 0.7), (Channel.WEB, 0.1), (Channel.APP, 0.2))


def maybe_calls(sim: Simulation, problem: Problem) -> None:
    if sim.rng.random() >= sim.knobs.public_share:
        return
    delay = timedelta(hours=float(sim.rng.exponential(sim.knobs.public_delay_hours)))
    sim.clock.at(problem.at + delay, lambda t: calls(sim, problem, t))


def calls(sim: Simulation, problem: Problem, now: datetime) -> None:
    if problem.gone:  # nobody calls about what is no longer there
        return
    k = int(sim.rng.choice(len(CHANNELS), p=[share for _, share in CHANNELS]))
    center.public_report(sim, problem, CHANNELS[k][0], now)
