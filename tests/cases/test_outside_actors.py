"""Actors without a post (the public, partner systems) act on the one case they hold, and a
device's time of observation is kept within bounds."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import workflow as wf
from cases.models import Case, Channel, Satisfaction, Status
from cases.photos import store_photo
from cases.reporting import report_case, server_request_id
from org.access import Actor, Refusal
from tests.cases.conftest import MONDAY_10, WEST, World
from tests.cases.making import public_report
from tests.cases.test_callback import closed_public_case
from tests.cases.test_photos import encoded, picture

pytestmark = pytest.mark.django_db


def test_the_public_rates_only_the_case_whose_tracking_code_it_showed(world: World) -> None:
    case = closed_public_case(world)
    with pytest.raises(Refusal) as stranger:
        wf.callback_case(case, actor=Actor.public(), satisfaction=Satisfaction.SATISFIED)
    assert stranger.value.code == "out_of_scope"
    with pytest.raises(Refusal) as other:
        wf.callback_case(case, actor=Actor.public("2026999999"), satisfaction="satisfied")
    assert other.value.code == "out_of_scope"
    case = wf.callback_case(
        case, actor=Actor.public(case.number), satisfaction=Satisfaction.DISSATISFIED, reason="没扫"
    )
    assert case.status == Status.ACCEPTED  # reopened for the supervision center
    event = case.events.order_by("-sequence").first()
    assert event is not None and (event.actor, event.role) == (None, "public")
    assert event.data["satisfaction"] == Satisfaction.DISSATISFIED


def test_no_other_verb_is_open_to_the_public(world: World) -> None:
    case = public_report(world)
    with pytest.raises(Refusal) as refused:
        wf.accept_case(case, actor=Actor.public(case.number))
    assert refused.value.code == "wrong_role"


def test_the_public_adds_report_photos_only_to_its_new_report(world: World, media: Path) -> None:
    case = public_report(world)

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("p.jpg", encoded(picture()), "image/jpeg")

    with pytest.raises(Refusal):
        store_photo(case, "report", upload(), actor=Actor.public(), now=MONDAY_10)
    photo = store_photo(case, "report", upload(), actor=Actor.public(case.number), now=MONDAY_10)
    assert photo.uploaded_by is None
    wf.send_verify(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    with pytest.raises(Refusal):  # once the center works on it, the report is complete
        store_photo(case, "report", upload(), actor=Actor.public(case.number), now=MONDAY_10)


def report_seen(world: World, seen_at: datetime) -> Case:
    return report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="井盖缺失",
        lon=WEST[0], lat=WEST[1], case_type=world.garbage, observed_at=seen_at, now=MONDAY_10,
        request_id=f"seen-{seen_at}",
    )  # fmt: skip


def test_a_queued_report_keeps_when_it_was_seen_within_bounds(world: World) -> None:
    case = report_seen(world, MONDAY_10 - timedelta(hours=5))
    assert (case.observed_at, case.created_at) == (MONDAY_10 - timedelta(hours=5), MONDAY_10)
    assert case.events.get().data["observed_at"] == (MONDAY_10 - timedelta(hours=5)).isoformat()
    assert report_seen(world, MONDAY_10 + timedelta(minutes=4)).observed_at is not None
    for wrong, code in (
        (MONDAY_10 + timedelta(minutes=6), "observed_in_future"),
        (MONDAY_10 - timedelta(hours=73), "observed_too_old"),
    ):
        with pytest.raises(Refusal) as refused:
            report_seen(world, wrong)
        assert refused.value.code == code


def test_the_city_platform_refers_cases_down_as_a_partner(world: World) -> None:
    case = report_case(
        actor=Actor.partner(), channel=Channel.CITY, description="市级平台转办: 路灯不亮",
        lon=WEST[0], lat=WEST[1], request_id="city:12345-1", now=MONDAY_10,
    )  # fmt: skip
    assert (case.channel, case.reporter, case.is_public) == (Channel.CITY, None, False)
    with pytest.raises(Refusal) as public:
        report_case(
            actor=Actor.public(), channel=Channel.CITY, description="冒充市级平台",
            lon=WEST[0], lat=WEST[1], now=MONDAY_10,
        )  # fmt: skip
    assert public.value.code == "wrong_role"


def test_a_request_id_of_one_channel_never_answers_for_another(world: World) -> None:
    first = report_case(
        actor=Actor.public(), channel=Channel.WEB, description="占道经营",
        lon=WEST[0], lat=WEST[1], request_id="shared-id-0001", now=MONDAY_10,
    )  # fmt: skip
    with pytest.raises(Refusal) as taken:
        report_case(
            actor=Actor.partner(), channel=Channel.POLICE, description="占道经营",
            lon=WEST[0], lat=WEST[1], request_id="shared-id-0001", now=MONDAY_10,
        )  # fmt: skip
    assert (taken.value.code, taken.value.status) == ("request_id_taken", 409)
    assert "2026" not in taken.value.message  # the other channel's case is not named
    assert Case.objects.get(request_id="shared-id-0001") == first


def test_a_partners_request_id_cannot_be_computed_without_the_servers_secret(
    settings: Any,
) -> None:
    one = server_request_id("partner", "7\n110-000777")
    assert one == server_request_id("partner", "7\n110-000777") and one.startswith("partner-")
    assert server_request_id("open311", "7\n110-000777") != one
    settings.SECRET_KEY = "another secret of fifty characters or more, for this test"
    assert server_request_id("partner", "7\n110-000777") != one
