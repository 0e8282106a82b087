"""The supervision and command centres (监督中心、指挥中心): take reports, send inspectors to
verify public ones (核实), accept (受理), file (立案) or reject, dispatch (派遣) to the unit
routing suggests — now and then to a wrong one, which returns it (回退) — decide the units'
requests, urge (督办) at the deadline, send the check (核查), close (结案) and call the public
back (回访). Each hand-over takes `center_minutes` on average, within the centres' hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cases import workflow as wf
from cases.models import Case, Channel, ClosingType, Satisfaction, Status
from cases.reporting import report_case
from components.models import Component
from org.access import Actor
from simulate.simulation import units
from simulate.simulation.clock import Happening, next_within
from simulate.simulation.patrol import next_shift, on_duty
from simulate.simulation.problems import Problem
from simulate.simulation.world import person_of, unit_of

if TYPE_CHECKING:
    from simulate.simulation.engine import Simulation, Tracked

MERGEABLE = (Status.REPORTED, Status.VERIFYING, Status.ACCEPTED)
INSPECTOR_MINUTES = 30.0  # an inspector sent to a place gets there and answers


def hand_over(sim: Simulation, then: Happening) -> None:
    """`then(t)` after a centre hand-over, within the centres' hours."""
    at = sim.clock.now + timedelta(minutes=sim.minutes(sim.knobs.center_minutes))
    sim.clock.at(next_within(at, sim.knobs.center_hours), then)


# -- reports ---------------------------------------------------------------------------------


def _report(sim: Simulation, actor: Actor, channel: str, problem: Problem, now: datetime) -> Case:
    kind = sim.world.types[problem.kind].case_type
    grid = sim.world.grids[problem.grid]
    component = None
    if problem.component is not None:
        component = Component.objects.get(pk=problem.component)
    return report_case(
        actor=actor,
        channel=channel,
        description=f"{grid.code}网格发现{kind.name}问题",
        lon=problem.lon,
        lat=problem.lat,
        case_type=kind,
        component=component,
        request_id=sim.request_id(),
        now=now,
    )


def inspector_report(sim: Simulation, problem: Problem, inspector: Actor, now: datetime) -> None:
    case = _report(sim, inspector, Channel.INSPECTOR, problem, now)
    problem.found, problem.case = problem.found or "inspector", case.number
    tracked = sim.track(case, problem, public=False)
    hand_over(sim, lambda t: accept(sim, tracked, t))


def public_report(sim: Simulation, problem: Problem, channel: str, now: datetime) -> None:
    first = sim.cases.get(problem.case) if problem.case else None
    if first is not None:
        status = Case.objects.filter(number=first.number).values_list("status", flat=True)[0]
        if status not in MERGEABLE:
            return  # already with a unit: the call-taker says so, no new case
    case = _report(sim, sim.world.people.acceptor, channel, problem, now)
    if first is not None:
        hand_over(sim, lambda t: _merge(sim, case.number, first, t))
        return
    problem.found, problem.case = "public", case.number
    tracked = sim.track(case, problem, public=True)
    hand_over(sim, lambda t: send_verify(sim, tracked, t))


def _merge(sim: Simulation, number: str, into: Tracked, now: datetime) -> None:
    target = Case.objects.get(number=into.number)
    if target.status not in MERGEABLE:  # moved on meanwhile: the call was about it all the same
        wf.decline_case(number, actor=sim.world.people.acceptor, reason="已立案处置中", now=now)
        return
    wf.merge_case(number, actor=sim.world.people.acceptor, into=target, reason="同一问题", now=now)


def send_verify(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    inspector = on_duty(sim, tracked.problem.grid)
    if inspector is None:  # nobody on patrol: the task is sent when a shift begins
        sim.clock.at(next_shift(now), lambda t: send_verify(sim, tracked, t))
        return
    person = person_of(inspector.actor)
    wf.send_verify(tracked.number, actor=sim.world.people.acceptor, inspector=person, now=now)
    sim.later(INSPECTOR_MINUTES, lambda t: _verify(sim, tracked, inspector.actor, t))


def _verify(sim: Simulation, tracked: Tracked, inspector: Actor, now: datetime) -> None:
    found = tracked.problem.present
    reason = "现场确认属实" if found else "现场未发现该问题"
    wf.verify_report(tracked.number, actor=inspector, found=found, reason=reason, now=now)
    if found:
        hand_over(sim, lambda t: accept(sim, tracked, t))
    else:
        hand_over(sim, lambda t: _decline(sim, tracked, t))


def _decline(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    reason = "核实未发现问题"
    wf.decline_case(tracked.number, actor=sim.world.people.acceptor, reason=reason, now=now)


# -- accept, file, dispatch -----------------------------------------------------------------


def accept(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    wf.accept_case(tracked.number, actor=sim.world.people.acceptor, now=now)
    if sim.rng.random() < sim.knobs.reject_share:
        hand_over(sim, lambda t: _reject(sim, tracked, t))
    else:
        hand_over(sim, lambda t: file(sim, tracked, t))


def _reject(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    reason = "未达到立案标准"
    wf.reject_case(tracked.number, actor=sim.world.people.shift_leader, reason=reason, now=now)
    sim.gone(tracked.problem)  # too small to count: it is let be


def file(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    condition = sim.world.types[tracked.problem.kind].condition
    case = wf.file_case(
        tracked.number, actor=sim.world.people.shift_leader, condition=condition, now=now
    )
    unit = case.suggested_unit_id or case.territory_unit_id
    if unit not in sim.world.people.terminals:
        unit = case.territory_unit_id
    tracked.right_unit = unit
    hand_over(sim, lambda t: dispatch(sim, tracked, t))


def dispatch(sim: Simulation, tracked: Tracked, now: datetime, *, again: bool = False) -> None:
    """派遣: to the unit routing suggests; a first dispatch now and then goes wrong."""
    terminals = sim.world.people.terminals
    unit = tracked.right_unit
    wrong = not again and sim.rng.random() < sim.knobs.misroute_share
    if wrong or unit not in terminals:
        others = sorted(u for u in terminals if u != unit)
        unit = others[int(sim.rng.integers(len(others)))]
    assert unit is not None
    # A reason on every dispatch: one not to the suggested unit needs it (routing may suggest a
    # unit without a duty terminal, and a wrong dispatch is by definition not the suggestion).
    reason = "回退后重新派遣" if again else "按辖区先行派遣" if wrong else "按职责分工派遣"
    actor = sim.world.people.dispatcher
    case = wf.dispatch_case(
        tracked.number, actor=actor, unit=unit_of(terminals[unit]), reason=reason, now=now
    )
    tracked.unit = unit
    if sim.knobs.urge_late and case.handling_due_at is not None:
        sim.clock.at(case.handling_due_at, lambda t: _urge(sim, tracked, t))
    units.dispatched(sim, tracked, now)


def _urge(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    if tracked.handled or tracked.suspended or tracked.unit != tracked.right_unit:
        return
    reason = "已到处置时限，请尽快处置"
    wf.urge_case(tracked.number, actor=sim.world.people.dispatcher, reason=reason, now=now)
    units.urged(sim, tracked, now)


# -- the units' requests ----------------------------------------------------------------------


def decide(sim: Simulation, tracked: Tracked, verb: str, now: datetime) -> None:
    """The dispatcher decides a return, extension or suspension; the unit goes on after."""
    dispatcher = sim.world.people.dispatcher
    if verb == "return":
        wf.decide_return(tracked.number, actor=dispatcher, approve=True, reason="同意回退", now=now)
        tracked.pending, tracked.unit = False, None
        hand_over(sim, lambda t: dispatch_again(sim, tracked, t))
        return
    if verb == "extension":
        wf.decide_extension(tracked.number, actor=dispatcher, approve=True, now=now)
    else:
        wf.decide_suspension(tracked.number, actor=dispatcher, approve=True, now=now)
        tracked.suspended = True
    tracked.pending = False


def dispatch_again(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    dispatch(sim, tracked, now, again=True)


def review_appeal(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    """超时申诉: the dispatcher's first review, then a leader's final one."""
    approve = sim.rng.random() < 0.7
    dispatcher = sim.world.people.dispatcher
    wf.decide_appeal(tracked.number, actor=dispatcher, approve=approve, now=now)
    if not approve:
        tracked.pending = False
        return
    hand_over(sim, lambda t: _final_review(sim, tracked, t))


def _final_review(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    approve = sim.rng.random() < 0.8
    wf.decide_appeal(tracked.number, actor=sim.world.people.leader, approve=approve, now=now)
    tracked.pending = False


def resume(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    wf.resume_case(tracked.number, actor=sim.world.people.dispatcher, reason="条件具备", now=now)
    tracked.suspended = False
    units.signed(sim, tracked, now, taken_up=True, asks=False)


# -- check, close, call back -----------------------------------------------------------------


def send_check(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    inspector = on_duty(sim, tracked.problem.grid)
    if inspector is None:
        sim.clock.at(next_shift(now), lambda t: send_check(sim, tracked, t))
        return
    person = person_of(inspector.actor)
    wf.send_check(tracked.number, actor=sim.world.people.acceptor, inspector=person, now=now)
    sim.later(INSPECTOR_MINUTES, lambda t: _check(sim, tracked, inspector.actor, t))


def _check(sim: Simulation, tracked: Tracked, inspector: Actor, now: datetime) -> None:
    failed = not tracked.reworked and sim.rng.random() < sim.knobs.rework_share
    if failed:
        reason = "现场仍有残留，未处理到位"
        wf.check_case(tracked.number, actor=inspector, passed=False, reason=reason, now=now)
        tracked.reworked, tracked.handled = True, False
        units.rework(sim, tracked, now)
        return
    wf.check_case(tracked.number, actor=inspector, passed=True, reason="现场核查合格", now=now)
    hand_over(sim, lambda t: close(sim, tracked, t))


def close(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    case = wf.close_case(tracked.number, actor=sim.world.people.shift_leader, now=now)
    sim.gone(tracked.problem)
    if case.closing_type == ClosingType.OVERDUE and sim.rng.random() < sim.knobs.appeal_share:
        units.appeal(sim, tracked, now)
    if tracked.public:
        sim.later(120.0, lambda t: _call_back(sim, tracked, t))


def _call_back(sim: Simulation, tracked: Tracked, now: datetime) -> None:
    if tracked.pending:  # an appeal is under review: call back after
        sim.later(240.0, lambda t: _call_back(sim, tracked, t))
        return
    at = next_within(now, sim.knobs.center_hours)
    if at != now:
        sim.clock.at(at, lambda t: _call_back(sim, tracked, t))
        return
    acceptor = sim.world.people.acceptor
    if sim.rng.random() < sim.knobs.dissatisfied_share:
        reason = "市民反映问题仍未解决"
        wf.callback_case(
            tracked.number,
            actor=acceptor,
            satisfaction=Satisfaction.DISSATISFIED,
            reason=reason,
            now=now,
        )
        tracked.problem.gone, tracked.handled, tracked.unit = False, False, None
        hand_over(sim, lambda t: file(sim, tracked, t))
        return
    satisfied = Satisfaction.SATISFIED if sim.rng.random() < 0.7 else Satisfaction.BASICALLY
    wf.callback_case(tracked.number, actor=acceptor, satisfaction=satisfied, now=now)
