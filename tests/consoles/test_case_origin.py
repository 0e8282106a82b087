"""The case page says where a partner's or an Open311 client's case came from, with their
links shown (never embedded), and asks nothing more for other channels."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Channel
from cases.reporting import report_case
from intake.open311.models import ServiceRequest
from intake.partners.keys import new_partner
from intake.partners.models import Camera, Incident
from org.access import Actor
from tests.cases.conftest import MONDAY_10, WEST, World
from tests.cases.making import reported
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def partner_case(channel: str, request_id: str) -> Case:
    return report_case(
        actor=Actor.partner(), channel=channel, description="告警: 道路积水",
        lon=WEST[0], lat=WEST[1], request_id=request_id, now=MONDAY_10,
    )  # fmt: skip


def origin_of(world: World, case: Case) -> list[str]:
    page = client_for(world.acceptor).get(reverse("case_detail", args=[case.number]))
    return [part.split("</dd>")[0] for part in page.text.split('data-testid="origin">')[1:]]


def test_a_camera_alarm_names_its_partner_incident_camera_and_snapshot(world: World) -> None:
    partner, _key = new_partner("ai-video", "视频智能识别平台", "camera")
    camera = Camera.objects.create(code="cam-001", name="中山路口", lon=WEST[0], lat=WEST[1])
    case = partner_case(Channel.CAMERA, "p:1")
    Incident.objects.create(
        partner=partner, incident_id="A-77", case=case, digest="0" * 64, camera=camera,
        snapshot_url="https://video.example/snap/77.jpg", received_at=MONDAY_10,
    )  # fmt: skip
    facts = origin_of(world, case)
    assert facts[:2] == ["视频智能识别平台 · A-77", "cam-001 中山路口"]
    assert 'href="https://video.example/snap/77.jpg" rel="noopener noreferrer nofollow"' in facts[2]


def test_an_open311_request_shows_its_media_as_a_link_and_the_condition_chosen(
    world: World,
) -> None:
    partner, _key = new_partner("app-311", "市民App", "open311")
    case = partner_case(Channel.OPEN311, "o:1")
    ServiceRequest.objects.create(
        case=case, partner=partner, token="t" * 32, service_code="event-0101",
        attributes={"condition": "1", "condition_text": "主次干道"},
        media_url="https://app.example/m/1.jpg", created_at=MONDAY_10,
    )  # fmt: skip
    facts = origin_of(world, case)
    assert facts[0] == "市民App · event-0101" and facts[1] == "主次干道"
    assert '<a href="https://app.example/m/1.jpg" rel=' in facts[2] and "<img" not in facts[2]


def test_an_inspectors_case_page_asks_nothing_about_partners(world: World) -> None:
    case = reported(world)
    client = client_for(world.acceptor)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("case_detail", args=[case.number]))
    assert not any("partners_incident" in q["sql"] or "open311" in q["sql"] for q in queries)
    assert origin_of(world, case) == []
