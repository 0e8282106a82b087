"""The demo cases walk every path of the loop through the workflow functions, and leave work
waiting on every desk, with lights of every colour and photos, in the current edition.

The small world and the first load are made once for the module (rolled back at its end).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from hashlib import sha256
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cases.deadlines import Light, light
from cases.models import OPEN_STATUSES, Case, PendingRequest, Photo, PhotoStage, Status, Verb
from catalog.models import CaseType, Edition, FilingCondition, LimitUnit, MajorClass
from consoles.queues import waiting
from geo.territory_import import import_territory
from org.access import Actor
from org.models import Unit
from simulate.demo_cases import DEMO_UNIT, PATHS, load_demo_cases
from simulate.demo_org import load_organisation
from tests.conftest import rolled_back_at_the_end, settled
from tests.geo.territory import DISTRICT, small_territory

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]


@pytest.fixture(scope="module")
def first_load(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    """The counts of load_demo_cases(seed=3) on the demo world."""
    media = tmp_path_factory.mktemp("media")
    with rolled_back_at_the_end(django_db_blocker), override_settings(MEDIA_ROOT=media):
        make_demo_world()
        yield settled(load_demo_cases(seed=3))


def make_demo_world() -> None:
    load_organisation()
    offices = {
        DISTRICT + "001": Unit.objects.get(code="S01"),
        DISTRICT + "002": Unit.objects.get(code="S02"),
    }
    assert import_territory(small_territory(), offices=offices).ok
    edition = Edition.objects.create(
        code="gbt47678-2026", name="GB/T 47678.5", type_code_length=5, is_current=True
    )
    events = MajorClass.objects.create(edition=edition, kind="event", code="06", name="市容环境")
    for code, name, value, unit in [
        ("06010", "暴露垃圾", 4, LimitUnit.WORKING_HOUR),
        ("06036", "乱堆杂物", 1, LimitUnit.WORKING_DAY),
        ("06001", "私搭乱建", 15, LimitUnit.WORKING_DAY),  # only the yellow cases' long limit
    ]:
        case_type = CaseType.objects.create(major=events, code=code, name=name)
        FilingCondition.objects.create(
            case_type=case_type, condition=f"存在{name}", limit_value=value,
            limit_unit=unit, closing_condition="处置完毕",
        )  # fmt: skip


def test_every_path_is_walked_and_the_trail_verifies(first_load: dict[str, int]) -> None:
    counts = first_load
    cases = Case.objects.filter(request_id__startswith="demo-3-")
    assert cases.filter(request_id__regex=r"^demo-3-\d{3}$").count() == sum(PATHS.values())
    closed_paths = ("closed", "closed_late", "public_verified", "public_reopened", "co_handled",
                    "returned", "extended", "suspended_resumed", "reworked", "closed_specially",
                    "self_handled", "appealed", "awaiting_callback")  # fmt: skip
    assert counts[Status.CLOSED] == sum(PATHS[p] for p in closed_paths)
    assert counts[Status.SUSPENDED] >= PATHS["suspended"]
    assert counts[Status.VOIDED] == PATHS["voided"] and counts[Status.MERGED] == PATHS["merged"]
    assert counts[Status.DECLINED] == PATHS["declined"]
    assert counts[Status.REJECTED] == PATHS["rejected"]
    assert cases.filter(closing_type="special").count() == PATHS["closed_specially"]
    called_back = PATHS["public_verified"] + PATHS["public_reopened"]
    assert cases.exclude(satisfaction="").count() == called_back
    assert cases.filter(reopen_count=1).count() == PATHS["public_reopened"]
    assert cases.filter(co_handlings__replied_at__isnull=False).count() == PATHS["co_handled"]
    assert cases.filter(closing_type="overdue").count() >= PATHS["closed_late"]
    assert cases.filter(return_count=1).count() == PATHS["returned"]
    assert cases.filter(rework_count=1).count() == PATHS["reworked"]
    assert cases.filter(exempt=True).count() == PATHS["appealed"]
    now = timezone.now()
    overdue_open = [c for c in cases.filter(status=Status.HANDLING) if c.is_overdue(now)]
    assert len(overdue_open) >= PATHS["open_overdue"]
    assert cases.filter(status=Status.HANDLING).overdue(now).count() == len(overdue_open)
    # The long limit is for the yellow cases only: closed history never ends in the future.
    long = cases.filter(condition__case_type__code="06001")
    assert long.count() == PATHS["yellow"] and not long.exclude(status=Status.HANDLING).exists()
    # The demo handler's unit has work waiting: one to sign for, one handling, one urged.
    waiting = cases.filter(responsible_unit__code=DEMO_UNIT)
    assert waiting.filter(status=Status.DISPATCHED).exists()
    assert waiting.filter(status=Status.HANDLING, urge_due_at__isnull=True).exists()
    assert waiting.filter(status=Status.HANDLING, urge_due_at__isnull=False).exists()
    assert all(e.at <= now for c in cases for e in c.events.all())
    call_command("verify_audit")


def test_loading_again_adds_nothing(first_load: dict[str, int]) -> None:
    assert load_demo_cases(seed=3) == first_load


def in_path(path: str) -> list[Case]:
    """The demo cases (seed 3) that took `path`: request ids are numbered in PATHS order."""
    first = 0
    for name, count in PATHS.items():
        if name == path:
            ids = [f"demo-3-{n:03d}" for n in range(first, first + count)]
            return list(Case.objects.filter(request_id__in=ids).order_by("request_id"))
        first += count
    raise KeyError(path)


def test_every_open_status_and_every_request_has_cases_waiting(first_load: dict[str, int]) -> None:
    cases = Case.objects.filter(request_id__startswith="demo-3-")
    for status in (*OPEN_STATUSES, Status.SUSPENDED):
        assert cases.filter(status=status).count() >= 2, status
    for request in PendingRequest.values:
        assert cases.filter(pending_request=request).exists(), request


def test_every_desk_of_the_demo_posts_shows_work(first_load: dict[str, int]) -> None:
    now = timezone.now()
    for username in ("acceptor", "shiftleader", "dispatcher", "leader", "handler", "unitadmin"):
        actor = Actor.of(User.objects.get(username=username))
        empty = [queue.key for queue, count, _rows in waiting(actor, now) if not count]
        assert empty == [], username


def test_lights_are_green_yellow_and_red_and_the_yellow_ones_stay_yellow_for_hours(
    first_load: dict[str, int],
) -> None:
    now = timezone.now()
    open_cases = Case.objects.filter(request_id__startswith="demo-3-", status__in=OPEN_STATUSES)
    lights = {light(case, now) for case in open_cases}
    assert {Light.GREEN, Light.YELLOW, Light.RED} <= lights
    yellow = in_path("yellow")
    assert len(yellow) == PATHS["yellow"]
    for case in yellow:
        assert case.status == Status.HANDLING
        assert light(case, now) == light(case, now + timedelta(hours=3)) == Light.YELLOW
        assert case.due_at is not None
        assert light(case, case.due_at + timedelta(minutes=1)) == Light.RED


def test_photos_of_each_stage_are_stored_like_uploads(first_load: dict[str, int]) -> None:
    photos = Photo.objects.filter(case__request_id__startswith="demo-3-")
    assert {p.stage for p in photos} == set(PhotoStage.values)
    closed = in_path("closed")[0]
    assert {p.stage for p in closed.photos.all()} == set(PhotoStage.values)
    for photo in photos.select_related("case")[:20]:
        with photo.image.open("rb") as stored:
            data = stored.read()
        assert data[:2] == b"\xff\xd8" and len(data) < 20_000  # a small JPEG
        [event] = photo.case.events.filter(verb=Verb.ADD_PHOTO, data__photo=photo.pk)
        assert event.data["sha256"] == sha256(data).hexdigest()
