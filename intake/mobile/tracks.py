"""Duty and patrol tracks (巡查轨迹) of inspectors: going on and off duty, storing the positions
their phones report, and the two questions the consoles ask of them: who is on duty near a
case (to send a verify or check task), and how well each unit grid was patrolled.

Pings come in small batches (a phone buffers them while it has no signal). A batch is checked
whole and stored in one statement, or refused whole: a phone drops a refused batch, so one bad
GPS fix never blocks the ones after it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import batched
from typing import Any, Final

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from geo.lookup import locate_many, territory_index
from geo.messages import refusal
from lib.coords import CoordinateError, distance_m, to_wgs84
from org.access import Refusal
from org.models import Membership, Person
from org.roles import Role

from .models import Ping, Shift

MAX_BATCH: Final = 120  # an hour of pings at one every 30 s
FUTURE_SLACK: Final = timedelta(minutes=2)  # a phone's clock may run a little ahead
MAX_AGE: Final = timedelta(hours=12)  # older pings were buffered too long to mean anything
MAX_ACCURACY_M: Final = 5000.0  # a fix worse than this is a guess from the cell tower
COVERAGE_CHUNK: Final = 20_000
BOUNDS_MARGIN_DEGREES: Final = 0.05  # about 5 km around the district: patrols cross its edge

type Bounds = tuple[float, float, float, float]  # west, south, east, north


# -- duty (上岗 / 下岗) -------------------------------------------------------------------------


def open_shift(person: Person) -> Shift | None:
    return Shift.objects.filter(person=person, ended_at__isnull=True).first()


def start_shift(person: Person, *, now: datetime) -> Shift:
    """On duty. Going on duty again while on duty keeps the open shift (two taps, two tabs)."""
    shift = open_shift(person)
    if shift is not None:
        return shift
    try:
        with transaction.atomic():
            return Shift.objects.create(person=person, started_at=now)
    except IntegrityError:  # the other tab won the race: its shift is this one
        shift = open_shift(person)
        assert shift is not None
        return shift


def end_shift(person: Person, *, now: datetime) -> Shift | None:
    """Off duty; None if the inspector was not on duty."""
    shift = open_shift(person)
    if shift is not None:
        shift.ended_at = max(now, shift.started_at)
        shift.save(update_fields=["ended_at"])
    return shift


# -- pings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """One checked position: WGS84, aware time, accuracy in metres or None."""

    at: datetime
    lon: float
    lat: float
    accuracy: float | None


def record_pings(person: Person, raw: object, *, now: datetime, crs: str = "wgs84") -> int:
    """Store a batch of positions (a list of {at, lon, lat, accuracy}) for an inspector on
    duty; returns how many. Refused whole if any one is wrong, or if not on duty."""
    shift = open_shift(person)
    if shift is None:
        raise Refusal("not_on_duty", _("You are off duty: go on duty to share your position."), 409)
    fixes = check_pings(raw, now=now, since=shift.started_at, crs=crs)
    if not fixes:
        return 0
    Ping.objects.bulk_create(
        Ping(shift=shift, person=person, at=f.at, lon=f.lon, lat=f.lat, accuracy=f.accuracy)
        for f in fixes
    )
    latest = max(fixes, key=lambda f: f.at)
    # Only a newer fix moves the shift's last position (a buffered batch may arrive late).
    Shift.objects.filter(pk=shift.pk).exclude(last_at__gte=latest.at).update(
        last_at=latest.at, last_lon=latest.lon, last_lat=latest.lat, last_accuracy=latest.accuracy
    )
    return len(fixes)


def check_pings(raw: object, *, now: datetime, since: datetime, crs: str = "wgs84") -> list[Fix]:
    if not isinstance(raw, list):
        raise Refusal("bad_pings", _("Send the positions as a list."))
    if len(raw) > MAX_BATCH:
        raise Refusal(
            "too_many_pings",
            _("Send at most %(n)d positions at a time.") % {"n": MAX_BATCH},
        )
    bounds = district_bounds()
    fixes = []
    for n, item in enumerate(raw, start=1):
        try:
            fixes.append(_fix(item, now=now, since=since, crs=crs, bounds=bounds))
        except Refusal as problem:
            raise Refusal(
                problem.code,
                _("Position %(n)d: %(problem)s") % {"n": n, "problem": problem.message},
            ) from None
    return fixes


def _fix(
    item: object,
    *,
    now: datetime,
    since: datetime,
    crs: str,
    bounds: Bounds | None,
) -> Fix:
    if not isinstance(item, dict):
        raise Refusal("bad_ping", _("each position needs at, lon, lat and accuracy."))
    at = _moment(item.get("at"))
    if at > now + FUTURE_SLACK:
        raise Refusal("ping_in_future", _("its time lies in the future; check the phone's clock."))
    if at < max(since, now - MAX_AGE) - FUTURE_SLACK:
        raise Refusal("ping_too_old", _("it was measured before this duty began or too long ago."))
    try:
        lon, lat = to_wgs84(item.get("lon"), item.get("lat"), crs)
    except CoordinateError as error:
        raise refusal(error) from None
    if bounds is not None:
        west, south, east, north = bounds
        if not (west <= lon <= east and south <= lat <= north):
            raise Refusal("ping_far_away", _("it lies far outside the district."))
    return Fix(at, lon, lat, _accuracy(item.get("accuracy")))


def _moment(value: Any) -> datetime:
    try:  # parse_datetime refuses an impossible date or offset (02-30, +99:00) by raising
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise Refusal("bad_ping_time", _("its time is not a date and time (ISO 8601)."))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _accuracy(value: Any) -> float | None:
    if value is None:
        return None
    try:  # an int too large for a float overflows math.isfinite
        finite = not isinstance(value, bool) and isinstance(value, int | float)
        finite = finite and math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        raise Refusal("bad_accuracy", _("its accuracy is not a number of metres."))
    if not 0 <= value <= MAX_ACCURACY_M:
        raise Refusal(
            "bad_accuracy",
            _("its accuracy must lie between 0 and %(max)d metres.") % {"max": MAX_ACCURACY_M},
        )
    return float(value)


_bounds: tuple[object, Bounds | None] = (None, None)


def district_bounds() -> Bounds | None:
    """The district's extent with a margin, kept with the territory index it was read from
    (rebuilt when the territory changes); None without a territory."""
    global _bounds
    index = territory_index()
    if _bounds[0] is not index:
        boxes = [street.boundary.bounds for street in index.streets.values()]
        extent = (
            (
                min(b[0] for b in boxes) - BOUNDS_MARGIN_DEGREES,
                min(b[1] for b in boxes) - BOUNDS_MARGIN_DEGREES,
                max(b[2] for b in boxes) + BOUNDS_MARGIN_DEGREES,
                max(b[3] for b in boxes) + BOUNDS_MARGIN_DEGREES,
            )
            if boxes
            else None
        )
        _bounds = (index, extent)
    return _bounds[1]


# -- what the consoles ask ---------------------------------------------------------------------


@dataclass(frozen=True)
class OnDuty:
    """An inspector on duty, where the phone last was, and how far from the asked position."""

    person: Person
    distance_m: float
    last_seen: datetime
    lon: float
    lat: float
    accuracy: float | None


def nearest_on_duty(
    lon: float, lat: float, *, now: datetime, within_minutes: int = 15, limit: int = 5
) -> list[OnDuty]:
    """Inspectors on duty whose phone was heard in the last `within_minutes`, nearest to
    lon/lat (WGS84) first: whom to send a verify (核实) or check (核查) task to."""
    since = now - timedelta(minutes=within_minutes)
    # A shift left open by someone who no longer holds an inspector post sends no one.
    inspectors = Membership.objects.active().filter(role=Role.INSPECTOR).values("person_id")
    shifts = Shift.objects.filter(
        ended_at__isnull=True,
        last_at__gte=since,
        last_at__lte=now + FUTURE_SLACK,
        person_id__in=inspectors,
    ).select_related("person__user")
    found = [
        OnDuty(
            person=shift.person,
            distance_m=round(distance_m(lon, lat, shift.last_lon, shift.last_lat), 1),
            last_seen=shift.last_at,
            lon=shift.last_lon,
            lat=shift.last_lat,
            accuracy=shift.last_accuracy,
        )
        for shift in shifts
        if shift.last_at is not None and shift.last_lon is not None and shift.last_lat is not None
    ]
    found.sort(key=lambda near: (near.distance_m, near.person.pk))
    return found[:limit]


@dataclass(frozen=True)
class GridCoverage:
    """How a unit grid was patrolled in a period: pings inside it, by how many inspectors,
    and the first and last time one was there."""

    pings: int = 0
    inspectors: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def covered(self) -> bool:
        return self.pings > 0


def coverage(grid_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, GridCoverage]:
    """Patrol coverage per unit grid in [start, end): every grid asked for has an answer,
    an empty one if no inspector's ping fell in it. Pings are read in chunks (a month of a
    district's pings is about a million) and each chunk placed in one batch lookup, so a
    territory re-imported since places them on today's grids."""
    wanted = set(grid_ids)
    seen: dict[int, _Seen] = {}
    if wanted:
        pings = (
            Ping.objects.filter(at__gte=start, at__lt=end)
            .order_by()
            .values_list("lon", "lat", "person_id", "at")
        )
        for chunk in batched(pings.iterator(chunk_size=COVERAGE_CHUNK), COVERAGE_CHUNK):
            lons = np.fromiter((row[0] for row in chunk), dtype=np.float64, count=len(chunk))
            lats = np.fromiter((row[1] for row in chunk), dtype=np.float64, count=len(chunk))
            for grid_id, row in zip(locate_many(lons, lats).tolist(), chunk, strict=True):
                if grid_id in wanted:
                    seen.setdefault(grid_id, _Seen()).add(row[2], row[3])
    return {grid_id: _covered(seen.get(grid_id)) for grid_id in wanted}


class _Seen:
    """What the pings in one grid add up to, gathered one ping at a time."""

    def __init__(self) -> None:
        self.pings = 0
        self.people: set[int] = set()
        self.first: datetime | None = None
        self.last: datetime | None = None

    def add(self, person_id: int, at: datetime) -> None:
        self.pings += 1
        self.people.add(person_id)
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last


def _covered(seen: _Seen | None) -> GridCoverage:
    if seen is None:
        return GridCoverage()
    return GridCoverage(
        pings=seen.pings, inspectors=len(seen.people), first_at=seen.first, last_at=seen.last
    )
