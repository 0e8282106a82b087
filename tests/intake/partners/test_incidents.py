"""Incidents become cases: located by position, camera or address; idempotent on the
partner's own incident id; bad payloads refused in the caller's language with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from shapely import LineString, Point

from cases.models import Case, CaseNumber, Channel, Status
from geo.gazetteer import forget_gazetteer
from geo.models import DoorPlate, Road, RoadClass
from intake.partners.models import Incident
from tests.intake.partners.conftest import WEST, Partners, incident, send

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return (
        not Case.objects.exists()
        and not Incident.objects.exists()
        and not CaseNumber.objects.filter(last__gt=0).exists()
    )


def test_a_new_incident_answers_201_with_a_case_in_the_partners_channel(
    partners: Partners,
) -> None:
    response = send(partners.police_key, incident())
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(number=body["case"])
    assert (body["incident_id"], body["status"]) == ("JQ20261123-0001", Status.REPORTED)
    assert (case.channel, case.reporter, case.contact_phone) == (
        Channel.POLICE,
        None,
        "13900001111",
    )
    assert Incident.objects.get(partner=partners.police, incident_id="JQ20261123-0001").case == case


def test_the_same_incident_again_answers_200_with_the_same_case(partners: Partners) -> None:
    first = send(partners.police_key, incident()).json()["case"]
    again = send(partners.police_key, incident())
    assert again.status_code == 200
    assert again.json()["case"] == first
    assert Case.objects.count() == 1


def test_the_same_id_with_other_content_answers_409_naming_the_first_case(
    partners: Partners,
) -> None:
    first = send(partners.police_key, incident()).json()["case"]
    other = send(partners.police_key, incident(description="另一件事"))
    assert other.status_code == 409
    error = other.json()["error"]
    assert (error["code"], error["case"]) == ("incident_id_reused", first)
    assert first in error["message"]
    assert Case.objects.count() == 1


def test_two_partners_may_use_the_same_incident_id(partners: Partners) -> None:
    a = send(partners.police_key, incident("A-1"))
    b = send(partners.city_key, incident("A-1"))
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["case"] != b.json()["case"]
    assert Case.objects.get(number=b.json()["case"]).channel == Channel.CITY


def test_a_partner_reads_only_its_own_incidents(partners: Partners) -> None:
    number = send(partners.police_key, incident("A-1")).json()["case"]
    headers = {"Authorization": f"Bearer {partners.police_key}"}
    mine = Client().get("/api/v1/partners/incidents/A-1", headers=headers)
    assert mine.status_code == 200
    assert (mine.json()["case"], mine.json()["status"]) == (number, "reported")
    theirs = Client().get(
        "/api/v1/partners/incidents/A-1",
        headers={"Authorization": f"Bearer {partners.city_key}"},
    )
    assert theirs.status_code == 404


def test_an_alarm_naming_a_camera_is_located_at_the_camera(partners: Partners) -> None:
    body = incident("AI-1", camera="CAM-0001", snapshot_url="https://cams.example/1.jpg")
    del body["lon"], body["lat"]
    response = send(partners.cameras_key, body)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["case"])
    assert (case.point.x, case.point.y) == pytest.approx(WEST)
    assert case.channel == Channel.CAMERA
    stored = Incident.objects.get(incident_id="AI-1")
    assert (stored.camera, stored.snapshot_url) == (partners.camera, "https://cams.example/1.jpg")


def test_an_unknown_or_inactive_camera_is_refused(partners: Partners) -> None:
    partners.camera.is_active = False
    partners.camera.save()
    body = incident("AI-1", camera="CAM-0001")
    del body["lon"], body["lat"]
    response = send(partners.cameras_key, body, language="zh-hans")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_such_camera"
    assert "摄像" in response.json()["error"]["message"]
    assert nothing_stored()


def test_a_camera_and_a_position_together_are_refused(partners: Partners) -> None:
    response = send(partners.cameras_key, incident("AI-1", camera="CAM-0001"))
    assert response.status_code == 422
    assert nothing_stored()


@pytest.fixture
def door_plate(partners: Partners) -> Iterator[None]:
    forget_gazetteer()
    x, y = WEST
    road = Road.objects.create(
        name="中山路", road_class=RoadClass.MAIN, line=LineString([(x - 0.001, y), (x + 0.001, y)])
    )
    DoorPlate.objects.create(road=road, number="12", point=Point(x, y))
    yield
    forget_gazetteer()


def test_an_incident_with_only_an_address_is_geocoded(door_plate: None, partners: Partners) -> None:
    body = incident("JQ-2", address="中山路12号")
    del body["lon"], body["lat"]
    response = send(partners.police_key, body)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["case"])
    assert (case.point.x, case.point.y) == pytest.approx(WEST)
    assert case.address == "中山路12号"


def test_an_address_not_found_is_refused_with_nothing_stored(partners: Partners) -> None:
    body = incident("JQ-2", address="不存在路999号")
    del body["lon"], body["lat"]
    response = send(partners.police_key, body, language="zh-hans")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "address_not_found"
    assert nothing_stored()


def test_an_incident_without_any_place_is_refused(partners: Partners) -> None:
    body = incident()
    del body["lon"], body["lat"]
    response = send(partners.police_key, body)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "location_required")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"incident_id": ""}, "body.incident_id"),
        ({"incident_id": "a/b"}, "body.incident_id"),
        ({"incident_id": "x" * 65}, "body.incident_id"),
        ({"description": "长" * 2001}, "body.description"),
        ({"lon": "east"}, "body.lon"),
        ({"lat": 91}, "body.lat"),
        ({"crs": "mars"}, "body.crs"),
        ({"snapshot_url": "javascript:alert(1)"}, "body.snapshot_url"),
        ({"contact_phone": "1" * 31}, "body.contact_phone"),
        ({"observed_at": "yesterday"}, "body.observed_at"),
        ({"priority": "high"}, "body.priority"),
    ],
)
def test_a_bad_payload_answers_422_in_chinese_and_stores_nothing(
    partners: Partners, change: dict[str, Any], field: str
) -> None:
    response = send(partners.police_key, incident(**change), language="zh-hans")
    assert response.status_code == 422
    error = response.json()["error"]
    assert [f["field"] for f in error["fields"]] == [field]
    assert "字段" in error["message"]  # the field list's sentence, translated
    assert nothing_stored()


def test_malformed_json_answers_400_and_stores_nothing(partners: Partners) -> None:
    response = send(partners.police_key, '{"incident_id": ', language="zh-hans")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed_json")
    assert nothing_stored()


def test_a_position_outside_the_district_is_refused_with_nothing_stored(
    partners: Partners,
) -> None:
    response = send(partners.police_key, incident(lon=116.39, lat=39.9))
    assert response.status_code in (400, 422)
    assert nothing_stored()


def test_an_observation_in_the_future_is_refused(partners: Partners) -> None:
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    response = send(partners.police_key, incident(observed_at=later))
    assert response.json()["error"]["code"] == "observed_in_future"
    assert nothing_stored()


def test_an_unknown_type_code_is_refused(partners: Partners) -> None:
    response = send(partners.police_key, incident(type="9999"))
    assert (response.status_code, response.json()["error"]["code"]) == (422, "no_such_type")
    assert nothing_stored()


def test_a_known_type_code_types_the_case(partners: Partners) -> None:
    response = send(partners.police_key, incident(type="0110"))
    case_type = Case.objects.get(number=response.json()["case"]).case_type
    assert case_type is not None and case_type.code == "0110"


def test_a_road_without_a_number_is_too_vague_to_place_a_case(
    door_plate: None, partners: Partners
) -> None:
    body = incident("JQ-3", address="中山路")
    del body["lon"], body["lat"]
    response = send(partners.police_key, body)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "address_not_found")
    assert nothing_stored()
