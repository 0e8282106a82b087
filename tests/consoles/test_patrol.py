"""Patrol coverage: each inspector area's grids patrolled on a day, from the phones' tracks."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from geo.lookup import place
from geo.models import InspectorArea, UnitGrid
from intake.mobile.tracks import end_shift, record_pings, start_shift
from tests.cases.conftest import WEST, World
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def test_the_least_patrolled_area_comes_first_and_the_inspector_on_duty_is_listed(
    world: World,
) -> None:
    here = place(*WEST).grid_id
    others = list(UnitGrid.objects.exclude(pk=here).order_by("code").values_list("pk", flat=True))
    walked = InspectorArea.objects.create(code="A01", name="一号责任网格")
    walked.grids.set([here, *others[:3]])
    walked.inspectors.add(world.person(world.inspector_2))
    idle = InspectorArea.objects.create(code="A02", name="二号责任网格")
    idle.grids.set(others[3:7])
    # Yesterday at noon, local time: the day asked for holds every ping whenever this runs.
    yesterday = timezone.localdate() - timedelta(days=1)
    noon = timezone.make_aware(datetime.combine(yesterday, time(12)))
    walker = world.person(world.inspector_2)
    start_shift(walker, now=noon - timedelta(minutes=20))
    record_pings(walker, pings_at(noon, 10, 5, 1), now=noon)
    end_shift(walker, now=noon)
    now = timezone.now()
    on_duty = world.person(world.inspector)
    start_shift(on_duty, now=now - timedelta(minutes=5))
    record_pings(on_duty, pings_at(now, 1), now=now)

    client = client_for(world.shift_leader)
    page = client.get(reverse("patrol"), {"day": yesterday.isoformat()}).content.decode()
    rows = re.findall(r'<tr data-area="(\w+)">(.*?)</tr>', page, re.S)
    assert [code for code, _ in rows] == ["A02", "A01"]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for _, row in rows]
    assert [c[2:6] for c in cells] == [["4", "0", "0 %", "0"], ["4", "1", "25 %", "3"]]
    listed = page.split('data-testid="on-duty"')[1]
    assert on_duty.name in listed and walker.name not in listed
    the_day_before = (yesterday - timedelta(days=1)).isoformat()
    earlier = client.get(reverse("patrol"), {"day": the_day_before}).content.decode()
    assert "25 %" not in earlier


def pings_at(moment: datetime, *minutes_before: int) -> list[dict[str, object]]:
    return [
        {"at": (moment - timedelta(minutes=m)).isoformat(), "lon": WEST[0], "lat": WEST[1]}
        for m in minutes_before
    ]


def test_posts_outside_the_supervision_center_and_its_watchers_are_refused(
    world: World,
) -> None:
    assert client_for(world.handler_a).get(reverse("patrol")).status_code == 403
    impossible = client_for(world.leader).get(reverse("patrol"), {"day": "2026-02-30"})
    assert impossible.status_code == 200  # shows today instead
    desk = client_for(world.acceptor).get(reverse("workspace", args=["acceptor"]))
    assert 'data-testid="patrol-link"' in desk.content.decode()
    assert 'data-testid="cameras-link"' in desk.content.decode()


def test_an_areas_grids_are_listed_one_by_one_the_unpatrolled_first(world: World) -> None:
    here = place(*WEST).grid_id
    others = list(UnitGrid.objects.exclude(pk=here).order_by("code").values_list("pk", flat=True))
    area = InspectorArea.objects.create(code="A01", name="一号责任网格")
    area.grids.set([here, *others[:2]])
    yesterday = timezone.localdate() - timedelta(days=1)
    noon = timezone.make_aware(datetime.combine(yesterday, time(12)))
    walker = world.person(world.inspector_2)
    start_shift(walker, now=noon - timedelta(minutes=20))
    record_pings(walker, pings_at(noon, 10, 5), now=noon)

    client = client_for(world.shift_leader)
    day = yesterday.isoformat()
    page = client.get(reverse("patrol"), {"day": day, "area": "A01"}).content.decode()
    section = page.split('data-testid="area-grids"')[1]
    rows = re.findall(r'<tr data-grid="(\w+)">(.*?)</tr>', section, re.S)
    codes = dict(UnitGrid.objects.values_list("pk", "code"))
    assert [code for code, _ in rows] == [codes[others[0]], codes[others[1]], codes[here]]
    walked = re.findall(r"<td[^>]*>(.*?)</td>", rows[2][1], re.S)
    assert walked[2:5] == ["1", "2", (noon - timedelta(minutes=10)).strftime("%H:%M")]
    for asked in ("A99", "A\x0001", "<script>"):
        answer = client.get(reverse("patrol"), {"day": day, "area": asked})
        assert answer.status_code == 200
        assert "没有此编码的责任网格" in answer.content.decode()
