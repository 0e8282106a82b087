"""Inspectors on patrol (巡查): each walks the grids of the beats dealt to them, on a roster
with two days off a week, going on and off duty and sending their positions through the same
functions the inspector app uses (intake/mobile/tracks.py), so the tracks and the patrol
coverage pages show the simulated patrols. A problem present in a grid being walked through is
seen with `spot_chance`: discovery follows coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.utils import timezone

from intake.mobile import tracks
from org.access import Actor
from simulate.simulation.world import person_of

if TYPE_CHECKING:
    from simulate.simulation.engine import Simulation

# Two shifts a day (local hours): morning and afternoon patrols.
SHIFTS = ((8.0, 12.0), (13.5, 17.5))
PING_ACCURACY_M = 10.0
HOUR = timedelta(hours=1)


@dataclass
class Inspector:
    actor: Actor
    number: int
    route: list[int]  # grid indexes, walked round and round
    step: int = 0
    on_duty: bool = False
    pings: list[dict[str, object]] = field(default_factory=list)  # not yet sent
    route_set: frozenset[int] = frozenset()

    def works_on(self, day: datetime) -> bool:
        """Two days off a week, staggered so every day has people on patrol."""
        return (timezone.localtime(day).weekday() + self.number) % 7 < 5


def deal_beats(sim: Simulation) -> list[Inspector]:
    """Give the first `inspectors` inspectors the beats in turn: fewer inspectors than beats
    each walk several; more share them, starting at different grids."""
    people = sim.world.people.inspectors[: sim.knobs.inspectors]
    beats = sim.world.beats
    inspectors = []
    for n, actor in enumerate(people):
        own = [beats[k] for k in range(n % len(beats), len(beats), max(len(people), 1))]
        route = [grid for beat in own for grid in beat] or beats[n % len(beats)]
        sharing = n // len(beats)  # how many before this one walk the same beat
        start = (sharing * len(route) // 3) % len(route) if route else 0
        inspectors.append(Inspector(actor, n, route, step=start, route_set=frozenset(route)))
    return inspectors


def plan_days(sim: Simulation) -> None:
    """Put every shift of every inspector on the clock."""
    day = timezone.localtime(sim.clock.start).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < sim.clock.end:
        for inspector in sim.inspectors:
            if inspector.works_on(day):
                for begins, ends in SHIFTS:
                    _plan_shift(sim, inspector, day, begins, ends)
        day += timedelta(days=1)


def _plan_shift(
    sim: Simulation, inspector: Inspector, day: datetime, begins: float, ends: float
) -> None:
    start, end = day + timedelta(hours=begins), day + timedelta(hours=ends)
    if end <= sim.clock.start:
        return
    sim.clock.at(start, lambda t: go_on_duty(sim, inspector, t))
    hour = start
    while hour < end:
        until = min(hour + HOUR, end)
        if until > sim.clock.start:  # an hour over before the clock starts is not walked
            sim.clock.at(hour, partial(walk, sim, inspector, until=until))
        hour += HOUR
    sim.clock.at(end, lambda t: go_off_duty(sim, inspector, t))


def go_on_duty(sim: Simulation, inspector: Inspector, now: datetime) -> None:
    tracks.start_shift(person_of(inspector.actor), now=now)
    inspector.on_duty = True


def go_off_duty(sim: Simulation, inspector: Inspector, now: datetime) -> None:
    send_pings(inspector, now)
    tracks.end_shift(person_of(inspector.actor), now=now)
    inspector.on_duty = False


def walk(sim: Simulation, inspector: Inspector, now: datetime, *, until: datetime) -> None:
    """An hour's walk through the next grids of the route, seeing what is there. The phone
    keeps the positions and sends them when the shift ends (one batch, as its outbox does
    without signal; also far fewer writes for the simulator)."""
    if not inspector.on_duty:
        return
    count = int(sim.rng.poisson(sim.knobs.grids_per_hour * ((until - now) / HOUR)))
    if not count or not inspector.route:
        return
    gap = (until - now) / count
    for k in range(count):
        grid = inspector.route[inspector.step % len(inspector.route)]
        inspector.step += 1
        at = now + gap * k
        lon, lat = sim.world.grids[grid].point
        inspector.pings.append(
            {"at": at.isoformat(), "lon": lon, "lat": lat, "accuracy": PING_ACCURACY_M}
        )
        for problem in sim.present_in(grid):
            if not problem.case and sim.rng.random() < sim.knobs.spot_chance:
                sim.clock.at(at, partial(sim.found_on_patrol, problem, inspector))


def send_pings(inspector: Inspector, now: datetime) -> None:
    """What the phone buffered, sent in batches as the app does."""
    while inspector.pings:
        batch = inspector.pings[: tracks.MAX_BATCH]
        del inspector.pings[: tracks.MAX_BATCH]
        tracks.record_pings(person_of(inspector.actor), batch, now=now)


def on_duty(sim: Simulation, grid: int) -> Inspector | None:
    """Whom to send a verify or check task to: the inspector walking that grid's beat if on
    duty, else anyone on duty (None: the task waits for the next shift)."""
    walking = [i for i in sim.inspectors if i.on_duty]
    if not walking:
        return None
    own = [i for i in walking if grid in i.route_set]
    chosen = own or walking
    return chosen[int(sim.rng.integers(len(chosen)))]


def next_shift(now: datetime) -> datetime:
    """The next moment a shift begins (someone is on every day)."""
    local = timezone.localtime(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    for days in range(3):
        for begins, _ends in SHIFTS:
            start = day + timedelta(days=days, hours=begins, minutes=1)
            if start > local:
                return start
    return local + timedelta(hours=12)
