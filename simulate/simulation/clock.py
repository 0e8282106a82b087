"""The simulated clock: a queue of things due to happen, run in time order.

Every workflow verb is called with `now=` the moment its event is due, and the queue runs
strictly in time order, so each case's events come in the order they happen and no verb is
asked to act before the step it follows.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

type Happening = Callable[[datetime], None]

# How busy each hour of the day is for problems and calls (0 = midnight): quiet at night,
# a morning and an evening peak.
HOUR_WEIGHTS = (0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.4, 1.5, 1.5, 1.4,
                1.2, 1.2, 1.3, 1.4, 1.4, 1.5, 1.5, 1.3, 1.0, 0.8, 0.5, 0.3)  # fmt: skip
# Monday first: weekends bring more litter and street trading, fewer works.
WEEKDAY_WEIGHTS = (1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.15)


class Clock:
    def __init__(self, start: datetime, end: datetime) -> None:
        self.start, self.end, self.now = start, end, start
        self._queue: list[tuple[datetime, int, Happening]] = []
        self._order = count()  # ties run in the order they were put in

    def at(self, when: datetime, happening: Happening) -> None:
        """Run `happening(when)` at `when`; nothing due after the end ever runs."""
        when = max(when, self.now)
        if when < self.end:
            heapq.heappush(self._queue, (when, next(self._order), happening))

    def after(self, minutes: float, happening: Happening) -> None:
        self.at(self.now + timedelta(minutes=minutes), happening)

    def run_until(self, until: datetime) -> None:
        while self._queue and self._queue[0][0] < until:
            when, _, happening = heapq.heappop(self._queue)
            self.now = when
            happening(when)
        self.now = max(self.now, until)


def local_hour(when: datetime) -> float:
    local = timezone.localtime(when)
    return local.hour + local.minute / 60


def next_within(when: datetime, hours: tuple[int, int]) -> datetime:
    """`when` if it falls within the daily `hours` (local, from, to), else the next opening."""
    local = timezone.localtime(when)
    opens, closes = hours
    if opens <= local.hour < closes:
        return when
    day = local if local.hour < opens else local + timedelta(days=1)
    return day.replace(hour=opens, minute=0, second=0, microsecond=0)
