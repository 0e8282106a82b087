"""The API's edge against bad input: bodies too big, not JSON, with control characters or
values of the wrong type; credentials never written to a log; a description a device can
discover everything a verb needs from."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from cases.models import Case, CaseNumber
from org.tokens import issue_token
from tests.cases.conftest import WEST, World
from tests.cases.making import handling
from tests.cases.test_api import call, code, report_body

pytestmark = pytest.mark.django_db


def fields(response: Any) -> list[tuple[str, str]]:
    return [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]


def nothing_stored() -> bool:
    return not Case.objects.exists() and not CaseNumber.objects.filter(last__gt=0).exists()


def test_a_nul_character_in_a_description_is_refused_not_a_server_error(world: World) -> None:
    response = call(world.inspector, "post", "/cases", report_body(description="井盖\x00缺失"))
    assert (response.status_code, code(response)) == (422, "invalid_input")
    assert fields(response) == [("body.description", "control_characters")]
    assert response.json()["error"]["fields"][0]["message"] == "The text holds control characters."
    bad_query = call(world.dispatcher, "get", "/cases", {"street": "0\x001"})
    assert (bad_query.status_code, code(bad_query)) == (422, "invalid_input")
    assert nothing_stored()


def test_a_control_character_in_a_component_identifier_answers_422(world: World) -> None:
    response = call(world.dispatcher, "get", "/components/%01x/cases")
    assert response.status_code == 422
    assert fields(response) == [("path.identifier", "control_characters")]


def test_a_body_over_the_upload_limit_answers_413(world: World) -> None:
    body = json.dumps(report_body(description="长" * 1_000_000))  # ≈ 3 MB of UTF-8
    response = call(world.inspector, "post", "/cases", body)
    assert (response.status_code, code(response)) == (413, "body_too_large")
    assert nothing_stored()


def test_a_description_longer_than_2000_characters_is_refused(world: World) -> None:
    response = call(world.inspector, "post", "/cases", report_body(description="长" * 2001))
    assert fields(response) == [("body.description", "string_too_long")]
    assert response.json()["error"]["fields"][0]["message"] == "Give at most 2000 characters."
    assert nothing_stored()


def test_only_a_json_content_type_is_read_as_json(world: World) -> None:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(world.inspector)
    body = json.dumps(report_body())
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.post("/api/v1/cases", body, content_type=content_type)
        assert (response.status_code, code(response)) == (415, "unsupported_media_type")
    assert nothing_stored()
    ok = client.post("/api/v1/cases", body, content_type="application/json; charset=utf-8")
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": True, "reason": "久"}, "body.minutes"),
        ({"minutes": "60", "reason": "久"}, "body.minutes"),
        ({"minutes": 60.5, "reason": "久"}, "body.minutes"),
        ({"minutes": 2**31, "reason": "久"}, "body.minutes"),
    ],
)
def test_minutes_must_be_a_real_whole_number(world: World, body: Any, field: str) -> None:
    number = handling(world).number
    response = call(world.handler_a, "post", f"/cases/{number}/request_extension", body)
    assert response.status_code == 422 and [f for f, _code in fields(response)] == [field]
    assert Case.objects.get(number=number).pending_request == ""


def test_a_decision_must_be_true_or_false(world: World) -> None:
    number = handling(world).number
    call(
        world.handler_a,
        "post",
        f"/cases/{number}/request_extension",
        {"minutes": 60, "reason": "雨"},
    )
    response = call(
        world.dispatcher, "post", f"/cases/{number}/decide_extension", {"approve": "yes"}
    )
    assert fields(response) == [("body.approve", "bool_type")]


def test_no_key_reaches_a_log_whatever_the_authorization_header(
    world: World, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.DEBUG = True  # ninja's own bearer logs a wrong header in debug mode
    _token, key = issue_token(world.inspector, "phone")
    secret = key[::-1]
    with caplog.at_level(logging.DEBUG):
        for header in (f"Token {key}", f"Bearer {secret}", f"bearer  {secret}", key):
            Client().get("/api/v1/cases", headers={"Authorization": header})
    logged = " ".join(record.getMessage() + str(record.args) for record in caplog.records)
    assert key not in logged and secret not in logged


def test_the_openapi_names_each_status_enum_once(client: Client) -> None:
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    components = schema["components"]["schemas"]
    case_status = components["Status"]["enum"]
    assert "reported" in case_status and "damaged" not in case_status
    assert "damaged" in components["ComponentStatus"]["enum"]
    listing = schema["paths"]["/api/v1/cases"]["get"]["parameters"]
    status = next(p for p in listing if p["name"] == "status")
    assert status["schema"]["anyOf"][0]["items"]["$ref"].endswith("/Status")


def test_a_device_finds_the_types_conditions_units_and_inspectors_a_verb_needs(
    world: World,
) -> None:
    types = call(world.inspector, "get", "/catalog/types", {"kind": "event"}).json()
    assert [(t["code"], t["name"]) for t in types] == [("0110", "暴露垃圾")]
    conditions = call(world.shift_leader, "get", "/catalog/conditions", {"type": "0110"}).json()
    assert [c["id"] for c in conditions] == [world.normal.pk, world.urgent.pk]
    assert conditions[1]["urgency"] == "urgent" and conditions[1]["limit"] == "2 natural hours"
    units = call(world.dispatcher, "get", "/units", {"kind": ["department", "street"]}).json()
    assert {u["code"] for u in units} == {"DA", "DB", "S01", "S02"}
    inspectors = call(world.acceptor, "get", "/inspectors").json()
    assert [i["username"] for i in inspectors] == ["inspector", "inspector_2"]
    assert call(None, "get", "/units").status_code == 401


def test_reporting_into_the_right_place_needs_no_condition_lookup_by_hand(world: World) -> None:
    """A whole loop's inputs come from the API itself (no database ids known in advance)."""
    number = call(world.inspector, "post", "/cases", report_body(where=WEST)).json()["number"]
    call(world.acceptor, "post", f"/cases/{number}/accept")
    condition = call(world.shift_leader, "get", "/catalog/conditions", {"type": "0110"}).json()[0]
    filed = call(
        world.shift_leader, "post", f"/cases/{number}/file", {"condition": condition["id"]}
    )
    assert filed.json()["status"] == "filed"


def test_a_request_id_reused_for_another_report_answers_409_with_the_first_case(
    world: World,
) -> None:
    first = call(world.inspector, "post", "/cases", report_body(request_id="phone-7:42"))
    again = call(world.inspector, "post", "/cases", report_body(request_id="phone-7:42"))
    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()["number"]
    other = report_body(request_id="phone-7:42", description="路灯不亮")
    refused = call(world.inspector, "post", "/cases", other)
    assert (refused.status_code, code(refused)) == (409, "request_id_reused")
    assert (
        refused.json()["error"]["case"] == number and number in refused.json()["error"]["message"]
    )
    assert Case.objects.count() == 1
    following = call(world.inspector, "post", "/cases", report_body(request_id="phone-7:43"))
    assert following.json()["number"] == number[:4] + f"{int(number[4:]) + 1:06d}"  # none lost
