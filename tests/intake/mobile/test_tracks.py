"""Duty and patrol tracks: going on and off duty, checking and storing position pings, the
nearest inspectors on duty, and patrol coverage per unit grid."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from geo.models import UnitGrid
from intake.mobile import tracks
from intake.mobile.models import Ping, Shift
from org.access import Refusal
from org.models import Membership
from tests.cases.conftest import EAST, MONDAY_10, WEST, World
from tests.geo.territory import STEP, X0, Y0, grid_code

pytestmark = pytest.mark.django_db


def ping(at: Any = MONDAY_10, where: tuple[float, float] = WEST, **extra: Any) -> dict[str, Any]:
    return {"at": at.isoformat(), "lon": where[0], "lat": where[1], "accuracy": 8.0, **extra}


def on_duty(world: World, user: Any = None, at: Any = MONDAY_10) -> Any:
    person = world.person(user or world.inspector)
    tracks.start_shift(person, now=at - timedelta(hours=1))
    return person


def test_going_on_duty_twice_keeps_one_shift_and_off_duty_closes_it(world: World) -> None:
    person = world.person(world.inspector)
    first = tracks.start_shift(person, now=MONDAY_10)
    again = tracks.start_shift(person, now=MONDAY_10 + timedelta(minutes=1))
    assert again.pk == first.pk
    closed = tracks.end_shift(person, now=MONDAY_10 + timedelta(hours=8))
    assert closed is not None and closed.ended_at == MONDAY_10 + timedelta(hours=8)
    assert tracks.open_shift(person) is None
    assert tracks.end_shift(person, now=MONDAY_10 + timedelta(hours=9)) is None
    assert Shift.objects.count() == 1


def test_a_batch_of_pings_is_stored_and_moves_the_last_position(world: World) -> None:
    person = on_duty(world)
    later = MONDAY_10 + timedelta(seconds=30)
    stored = tracks.record_pings(
        person, [ping(MONDAY_10), ping(later, EAST)], now=later + timedelta(seconds=5)
    )
    assert stored == 2 and Ping.objects.filter(person=person).count() == 2
    shift = Shift.objects.get(person=person)
    assert (shift.last_at, shift.last_lon, shift.last_lat) == (later, EAST[0], EAST[1])
    # A batch buffered offline arriving late never moves the last position back.
    tracks.record_pings(person, [ping(MONDAY_10 - timedelta(minutes=5))], now=later)
    shift.refresh_from_db()
    assert shift.last_at == later


def test_pings_off_duty_are_refused(world: World) -> None:
    person = world.person(world.inspector)
    with pytest.raises(Refusal) as refused:
        tracks.record_pings(person, [ping()], now=MONDAY_10)
    assert refused.value.code == "not_on_duty" and refused.value.status == 409


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"at": (MONDAY_10 + timedelta(minutes=10)).isoformat()}, "ping_in_future"),
        ({"at": (MONDAY_10 - timedelta(hours=2)).isoformat()}, "ping_too_old"),  # before duty
        ({"at": "yesterday"}, "bad_ping_time"),
        ({"lon": 116.4, "lat": 39.9}, "ping_far_away"),  # Beijing, far from the district
        ({"lon": "east", "lat": 1}, "bad_position"),
        ({"lat": 106.3, "lon": 26.6}, "bad_position"),  # swapped: said so
        ({"accuracy": -1}, "bad_accuracy"),
        ({"accuracy": 50_000}, "bad_accuracy"),
        ({"accuracy": True}, "bad_accuracy"),
        ({"accuracy": "NaN"}, "bad_accuracy"),
        ({"at": "2026-02-30T10:00:00"}, "bad_ping_time"),  # parse_datetime raises on these
        ({"at": "2026-11-23T10:00:00+99:00"}, "bad_ping_time"),
        ({"accuracy": 10**400}, "bad_accuracy"),  # too large for a float
        ({"lon": 10**400}, "bad_position"),
    ],
)
def test_a_bad_ping_refuses_the_whole_batch(world: World, bad: dict[str, Any], code: str) -> None:
    person = on_duty(world)
    batch = [ping(), {**ping(), **bad}]
    with pytest.raises(Refusal) as refused:
        tracks.record_pings(person, batch, now=MONDAY_10)
    assert refused.value.code == code
    assert "2" in refused.value.message  # which position was wrong
    assert not Ping.objects.exists()


def test_a_batch_must_be_a_short_list(world: World) -> None:
    person = on_duty(world)
    with pytest.raises(Refusal) as refused:
        tracks.record_pings(person, {"at": "now"}, now=MONDAY_10)
    assert refused.value.code == "bad_pings"
    with pytest.raises(Refusal) as refused:
        tracks.record_pings(person, [ping()] * (tracks.MAX_BATCH + 1), now=MONDAY_10)
    assert refused.value.code == "too_many_pings"
    assert not Ping.objects.exists()


def test_nearest_on_duty_lists_recently_seen_inspectors_nearest_first(world: World) -> None:
    near = on_duty(world, world.inspector)
    far = on_duty(world, world.inspector_2)
    tracks.record_pings(near, [ping(MONDAY_10, WEST)], now=MONDAY_10)
    tracks.record_pings(far, [ping(MONDAY_10, EAST)], now=MONDAY_10)
    here = (WEST[0] + STEP / 4, WEST[1])
    found = tracks.nearest_on_duty(*here, now=MONDAY_10 + timedelta(minutes=1))
    assert [f.person for f in found] == [near, far]
    assert 20 < found[0].distance_m < 30  # a quarter of 0.001° of longitude at 26.6° N
    assert 270 < found[1].distance_m < 280
    assert found[0].last_seen == MONDAY_10
    assert tracks.nearest_on_duty(*here, now=MONDAY_10, limit=1)[0].person == near


def test_nearest_on_duty_leaves_out_the_silent_and_those_off_duty(world: World) -> None:
    silent = on_duty(world, world.inspector)
    gone = on_duty(world, world.inspector_2)
    tracks.record_pings(silent, [ping(MONDAY_10)], now=MONDAY_10)
    tracks.record_pings(
        gone, [ping(MONDAY_10 + timedelta(minutes=20))], now=MONDAY_10 + timedelta(minutes=20)
    )
    tracks.end_shift(gone, now=MONDAY_10 + timedelta(minutes=21))
    later = MONDAY_10 + timedelta(minutes=22)
    assert tracks.nearest_on_duty(*WEST, now=later) == []  # silent for 22 min, other off duty
    assert [f.person for f in tracks.nearest_on_duty(*WEST, now=later, within_minutes=30)] == [
        silent
    ]
    Membership.objects.filter(person=silent).update(is_active=False)  # no longer an inspector
    assert tracks.nearest_on_duty(*WEST, now=later, within_minutes=30) == []


def test_coverage_counts_pings_and_inspectors_per_grid(world: World) -> None:
    first = on_duty(world, world.inspector)
    second = on_duty(world, world.inspector_2)
    west_grid = UnitGrid.objects.get(code=grid_code("001", "001", 3))  # south-west corner
    inside = (X0 + 0.2 * STEP, Y0 + 0.3 * STEP)  # the same grid as WEST
    tracks.record_pings(first, [ping(MONDAY_10, WEST), ping(MONDAY_10, inside)], now=MONDAY_10)
    tracks.record_pings(
        second, [ping(MONDAY_10 + timedelta(minutes=5), WEST)], now=MONDAY_10 + timedelta(minutes=5)
    )
    tracks.record_pings(
        second, [ping(MONDAY_10 + timedelta(hours=3), EAST)], now=MONDAY_10 + timedelta(hours=3)
    )
    grids = list(UnitGrid.objects.values_list("pk", flat=True))
    found = tracks.coverage(grids, MONDAY_10, MONDAY_10 + timedelta(hours=1))
    assert set(found) == set(grids)
    assert found[west_grid.pk].pings == 3 and found[west_grid.pk].inspectors == 2
    assert found[west_grid.pk].first_at == MONDAY_10
    assert found[west_grid.pk].last_at == MONDAY_10 + timedelta(minutes=5)
    assert [pk for pk, c in found.items() if c.covered] == [west_grid.pk]  # EAST was later
    assert tracks.coverage([], MONDAY_10, MONDAY_10 + timedelta(hours=1)) == {}
