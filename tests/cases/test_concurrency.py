"""Two people acting on one case at once: exactly one wins (PostgreSQL, real transactions)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from cases import workflow as wf
from cases.models import Case, Channel, Photo, Status
from cases.photos import PhotoError
from cases.reporting import report_case
from org.access import Actor, Refusal
from org.roles import Role
from tests.cases.conftest import WEST, World
from tests.cases.making import make_cover, report_on, reported
from tests.cases.test_photos import encoded, picture, store, stored_files
from tests.conftest import make_person

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; each result is a value or an error."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(k: int) -> None:
        from django.db import connections

        barrier.wait()
        try:
            results[k] = actions[k]()
        except Refusal as error:
            results[k] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_dispatchers_at_once_one_wins_and_the_other_is_told(world: World) -> None:
    a = world.actors
    second = Actor.of(make_person("dispatcher_2", Role.DISPATCHER, world.org.center, "district"))
    case = report_case(
        actor=a.inspector, channel=Channel.INSPECTOR, description="垃圾",
        lon=WEST[0], lat=WEST[1],
    )  # fmt: skip
    wf.accept_case(case, actor=a.acceptor)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    units = world.org.department_a, world.org.department_b
    results = race(
        lambda: wf.dispatch_case(case.number, actor=a.dispatcher, unit=units[0], reason="派"),
        lambda: wf.dispatch_case(case.number, actor=second, unit=units[1], reason="派"),
    )
    errors = [r for r in results if isinstance(r, Refusal)]
    assert len(errors) == 1 and errors[0].code == "invalid_transition"
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.dispatch_count == 1
    assert list(case.events.values_list("verb", flat=True)).count("dispatch") == 1


def test_simultaneous_reports_get_distinct_numbers(world: World) -> None:
    def report(k: int) -> Callable[[], Case]:
        return lambda: report_case(
            actor=world.actors.inspector, channel=Channel.INSPECTOR,
            description=f"报告{k}", lon=WEST[0], lat=WEST[1], request_id=f"r{k}",
        )  # fmt: skip

    results = race(*(report(k) for k in range(6)))
    assert all(isinstance(r, Case) for r in results)
    serials = sorted(int(r.number[4:]) for r in results)  # none taken twice, none skipped
    assert serials == list(range(serials[0], serials[0] + 6))


def test_a_retried_report_racing_itself_creates_one_case(world: World) -> None:
    def send() -> Case:
        return report_case(
            actor=world.actors.inspector, channel=Channel.INSPECTOR, description="同一条",
            lon=WEST[0], lat=WEST[1], request_id="same-id",
        )  # fmt: skip

    results = race(send, send, send)
    assert len({r.pk for r in results}) == 1 and Case.objects.count() == 1


def test_two_uploads_racing_for_the_ninth_place_one_is_refused(world: World, media: Path) -> None:
    case = reported(world)
    data = encoded(picture((40, 30)))
    for _ in range(8):
        store(world, case, data)

    def upload() -> str:
        try:
            store(world, case, data)
        except PhotoError as error:
            return error.code
        return "stored"

    assert sorted(race(upload, upload)) == ["stored", "too_many_photos"]
    assert Photo.objects.filter(case=case).count() == 9
    assert len(stored_files(media)) == 18


def test_the_last_two_cases_on_a_component_ending_at_once_give_it_back(world: World) -> None:
    """Each ending locks the component before it counts the other cases on it: without the
    lock, each would see the other still open and neither would give the status back."""
    cover = make_cover(world)
    first, second = report_on(world, cover), report_on(world, cover)

    def decline(case: Case) -> Callable[[], Case]:
        return lambda: wf.decline_case(case.number, actor=world.actors.acceptor, reason="不属实")

    results = race(decline(first), decline(second))
    assert all(isinstance(r, Case) for r in results)
    cover.refresh_from_db()
    assert cover.status == "intact"
    assert list(cover.status_changes.values_list("to_status", flat=True)) == ["damaged", "intact"]


def test_a_report_racing_the_last_ending_leaves_the_component_damaged(world: World) -> None:
    cover = make_cover(world)
    first = report_on(world, cover)
    results = race(
        lambda: wf.decline_case(first.number, actor=world.actors.acceptor, reason="不属实"),
        lambda: report_on(world, cover),
    )
    assert all(isinstance(r, Case) for r in results)
    cover.refresh_from_db()
    assert cover.status == "damaged"  # the new report holds it, whichever came first
