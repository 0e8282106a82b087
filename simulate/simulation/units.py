"""The handling units (专业部门、街道): sign for what they are sent (签收) or return it when it
is not theirs (回退), handle it in a time that depends on the type of problem, and report back
(处置反馈); some ask for more time (延期) or to park a case (挂账), answer an urging (督办回复),
handle again after a failed check (返工), and appeal a late closing (超时申诉).

Before the platform a unit got round to only part of what it was sent (`taken_up`); the rest
waited in its backlog.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cases import workflow as wf
from cases.models import Case, Status
from org.access import Actor
from simulate.simulation import center
from simulate.simulation.clock import next_within
from simulate.simulation.world import unit_of

if TYPE_CHECKING:
    from simulate.simulation.engine import Simulation, Tracked

UNIT_HOURS = (8, 20)  # units work days, with their evening crews
HANDLING_SPREAD = 0.8  # sigma of the log-normal handling time
EXTENSION_MINUTES = 480
SUSPENDED_DAYS = (3.0, 10.0)


def terminal(sim: Simulation, tracked: Tracked) -> Actor:
    assert tracked.unit is not None
    return sim.world.people.terminals[tracked.unit]


def slowness(sim: Simulation, tracked: Tracked) -> float:
    """`slow_factor` for the unit named by `slow_unit` (a what-if), 1 for the others."""
    if not sim.knobs.slow_unit:
        return 1.0
    return (
        sim.knobs.slow_factor
        if unit_of(terminal(sim, tracked)).code == sim.knobs.slow_unit
        else 1.0
    )


def at_work(sim: Simulation, minutes: float) -> datetime:
    """`minutes` from now, moved into the units' working hours."""
    return next_within(sim.clock.now + timedelta(minutes=minutes), UNIT_HOURS)


def dispatched(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    minutes = sim.minutes(sim.knobs.sign_minutes * slowness(sim, tracked))
    sim.clock.at(at_work(sim, minutes), lambda t: _sign(sim, tracked, t))


def _sign(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    if tracked.unit != tracked.right_unit:
        reason = "该问题不属于本单位职责范围"
        wf.return_case(tracked.number, actor=terminal(sim, tracked), reason=reason, now=now)
        tracked.pending = True
        center.hand_over(sim, lambda t: center.decide(sim, tracked, "return", t))
        return
    wf.sign_case(tracked.number, actor=terminal(sim, tracked), now=now)
    signed(sim, tracked, now, taken_up=sim.rng.random() < sim.knobs.taken_up, asks=True)


def handling_minutes(sim: Simulation, tracked: Tracked) -> float:
    """Type-specific: the type's own median, spread log-normally."""
    median = sim.knobs.handling_hours * sim.world.types[tracked.problem.kind].hours
    median *= slowness(sim, tracked)
    return 60.0 * float(sim.rng.lognormal(math.log(median), HANDLING_SPREAD))


def signed(sim: Simulation, tracked: Tracked, now: datetime, *, taken_up: bool, asks: bool) -> None:
    if not taken_up:
        return  # it waits in the unit's backlog
    minutes = handling_minutes(sim, tracked)
    # A unit asks for time or a pause as it signs, when it sees what the job is.
    if asks and sim.rng.random() < sim.knobs.suspension_share:
        _ask(sim, tracked, "suspension", now)
        return
    if asks and sim.rng.random() < sim.knobs.extension_share:
        _ask(sim, tracked, "extension", now)
        minutes *= 2
    sim.clock.at(at_work(sim, minutes), lambda t: _feedback(sim, tracked, t))


def _ask(sim: Simulation, tracked: Tracked, request: str, now: datetime) -> None:
    actor = terminal(sim, tracked)
    if request == "extension":
        reason = "需调配专用设备"
        wf.request_extension(
            tracked.number, actor=actor, minutes=EXTENSION_MINUTES, reason=reason, now=now
        )
    else:
        wf.request_suspension(tracked.number, actor=actor, reason="需纳入维修计划", now=now)
        days = float(sim.rng.uniform(*SUSPENDED_DAYS))
        sim.clock.at(now + timedelta(days=days), lambda t: center.resume(sim, tracked, t))
    tracked.pending = True
    center.hand_over(sim, lambda t: center.decide(sim, tracked, request, t))


def _feedback(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    if tracked.pending or tracked.suspended:  # wait for the dispatcher's decision
        sim.later(30.0, lambda t: _feedback(sim, tracked, t))
        return
    wf.feedback_case(
        tracked.number, actor=terminal(sim, tracked), reason="已按要求处置完毕", now=now
    )
    tracked.handled = True
    center.hand_over(sim, lambda t: center.send_check(sim, tracked, t))


def urged(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    sim.later(float(sim.rng.uniform(30, 240)), lambda t: _answer(sim, tracked, t))


def _answer(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    waiting = Case.objects.filter(number=tracked.number, urge_due_at__isnull=False)
    if tracked.handled or not waiting.exists():  # reporting back, or an earlier answer, did
        return
    reason = "已安排处置队，尽快完成"
    wf.answer_urge(tracked.number, actor=terminal(sim, tracked), reason=reason, now=now)


def rework(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    """返工: the same unit handles it again, quicker the second time."""
    minutes = handling_minutes(sim, tracked) / 2
    sim.clock.at(at_work(sim, minutes), lambda t: _feedback(sim, tracked, t))


def appeal(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    sim.clock.at(at_work(sim, 24 * 60.0), lambda t: _appeal(sim, tracked, t))


def _appeal(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    case = Case.objects.get(number=tracked.number)
    # Only a case still closed: one reopened at the call-back is being handled again.
    if case.status != Status.CLOSED or case.exempt or case.pending_request:
        return
    if not case.is_overdue(now):
        return
    reason = "连续降雨无法施工"
    wf.appeal_overdue(tracked.number, actor=terminal(sim, tracked), reason=reason, now=now)
    tracked.pending = True
    center.hand_over(sim, lambda t: center.review_appeal(sim, tracked, t))
