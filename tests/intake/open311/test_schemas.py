"""Every answer of every endpoint, JSON and XML, against the schemas the Open311 project
published (published.py says which schema covers which answer, and where they are wrong)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from cases import workflow as wf
from cases.models import Case
from intake.open311.models import ServiceRequest
from tests.intake.open311.conftest import COVER, GARBAGE, Open311
from tests.intake.open311.published import ITEMS, from_xml, problems, schema_of, xml_problems

pytestmark = pytest.mark.django_db

# The XML document element of each kind of answer (formats.py, after the spec's examples).
ROOTS = {
    "discovery": "discovery",
    "services": "services",
    "service_definition": "service_definition",
    "requests": "service_requests",
    "posted": "service_requests",
    "token": "service_requests",
    "errors": "errors",
}


def checked(o311: Open311, url: str, kind: str, *, query: str = "", **post: Any) -> Any:
    """GET `url` with `query` (or POST `post` to requests) in JSON and in XML; both must fit
    the schema of `kind`, and the XML must carry the same fields in the same order as the JSON.
    Returns the JSON."""
    answers = {}
    for fmt in ("json", "xml"):
        address = f"/open311/v2/{url}.{fmt}" + (f"?{query}" if query else "")
        response = o311.post(fmt, **post) if post else o311.client.get(address)
        assert response.status_code == 200, (address, response.content)
        answers[fmt] = response.content
    data = json.loads(answers["json"])
    assert problems(data, kind) == [], (url, data)
    root = ET.fromstring(answers["xml"])
    assert xml_problems(root, kind, ROOTS[kind]) == [], (url, answers["xml"].decode())
    assert _shape(root) == _shape_of(data, ROOTS[kind]), url
    return data


def _shape(element: ET.Element) -> Any:
    """An XML element's names, without its text: (tag, [children])."""
    return (element.tag, [_shape(child) for child in element])


def _shape_of(data: Any, tag: str) -> Any:
    """The element names the JSON `data` should have in XML (formats.py writes a null or a
    scalar as one element, a list's items as the spec's item elements)."""
    if isinstance(data, dict):
        return (tag, [_shape_of(value, name) for name, value in data.items()])
    if isinstance(data, list):
        return (tag, [_shape_of(value, ITEMS[tag]) for value in data])
    return (tag, [])


def posted(o311: Open311, **fields: Any) -> tuple[Case, str]:
    response = o311.post(**o311.at_west(**fields))
    assert response.status_code == 200, response.content
    [made] = json.loads(response.content)
    request = ServiceRequest.objects.select_related("case").get(token=made["token"])
    return request.case, request.token


def test_discovery_services_and_definitions_fit_the_schemas(o311: Open311) -> None:
    checked(o311, "discovery", "discovery")
    services = checked(o311, "services", "services")
    assert {s["service_code"] for s in services} == {GARBAGE, COVER}
    event = checked(o311, f"services/{GARBAGE}", "service_definition")
    assert [a["code"] for a in event["attributes"]] == ["condition"]
    assert event["attributes"][0]["values"]  # a singlevaluelist lists its values
    component = checked(o311, f"services/{COVER}", "service_definition")
    assert [a["code"] for a in component["attributes"]] == ["component_id"]


def test_post_answers_fit_the_schema(o311: Open311) -> None:
    made = checked(o311, "requests", "posted", **o311.at_west(description="路边有垃圾"))
    assert set(made[0]) == {"service_request_id", "token", "service_notice"}
    with_account = checked(
        o311, "requests", "posted", **o311.at_west(description="又有垃圾", account_id="acct-7")
    )
    assert with_account[0]["account_id"] == "acct-7"


def test_requests_lists_with_and_without_filters_fit_the_schema(o311: Open311) -> None:
    assert checked(o311, "requests", "requests") == []
    first, _token = posted(o311, media_url="https://photos.example.com/1.jpg")
    second, _token = posted(o311, service_code=COVER, description="井盖丢了")
    listed = checked(o311, "requests", "requests")
    assert [r["service_request_id"] for r in listed] == [second.number, first.number]
    for query in (
        f"service_request_id={first.number},{second.number}",
        f"service_code={COVER}",
        "status=open",
        "status=closed",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-03-01T00:00:00%2B08:00",
        "page=1&page_size=1",
        "jurisdiction_id=520199",
    ):
        checked(o311, "requests", "requests", query=query)


def test_one_request_fits_the_schema_at_every_step(o311: Open311) -> None:
    world, actors = o311.world, o311.world.actors
    case, _token = posted(o311, media_url="https://photos.example.com/1.jpg")
    for url in (f"requests/{case.number}", f"request/{case.number}"):
        [request] = checked(o311, url, "requests")
        assert request["expected_datetime"] is None and request["media_url"]
    wf.send_verify(case, actor=actors.acceptor, inspector=world.person(world.inspector))
    wf.verify_report(case, actor=actors.inspector, found=True)
    wf.accept_case(case, actor=actors.acceptor)
    wf.file_case(case, actor=actors.shift_leader, condition=world.normal)
    wf.dispatch_case(case, actor=actors.dispatcher, unit=world.org.department_a, reason="属地")
    [dispatched] = checked(o311, f"requests/{case.number}", "requests")
    assert dispatched["agency_responsible"] and dispatched["expected_datetime"]
    declined, _token = posted(o311, description="重复的垃圾")
    wf.decline_case(declined, actor=actors.acceptor, reason="重复上报")
    [closed] = checked(o311, f"requests/{declined.number}", "requests")
    assert closed["status"] == "closed" and closed["updated_datetime"]


def test_a_token_answer_fits_the_schema(o311: Open311) -> None:
    case, token = posted(o311)
    assert checked(o311, f"tokens/{token}", "token") == [
        {"service_request_id": case.number, "token": token}
    ]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("requests?status=pending", 400),
        ("services/event-9999", 404),
        ("requests/2026999999", 404),
        ("tokens/nothing", 404),
        ("nowhere", 404),
    ],
)
def test_errors_fit_the_error_list(o311: Open311, url: str, status: int) -> None:
    path, _q, query = url.partition("?")
    answers = []
    for fmt in ("json", "xml"):
        response = o311.client.get(f"/open311/v2/{path}.{fmt}" + (f"?{query}" if query else ""))
        assert response.status_code == status
        answers.append(response.content)
    data = json.loads(answers[0])
    assert problems(data, "errors") == [] and data[0]["code"] == status
    assert xml_problems(ET.fromstring(answers[1]), "errors", "errors") == []


def test_refused_posts_and_methods_fit_the_error_list(o311: Open311) -> None:
    for fields, status in (({"api_key": "wrong"}, 403), ({"api_key": None}, 400)):
        for fmt in ("json", "xml"):
            response = o311.post(fmt, **o311.at_west(**fields))
            assert response.status_code == status
            if fmt == "json":
                assert problems(json.loads(response.content), "errors") == []
            else:
                assert xml_problems(ET.fromstring(response.content), "errors", "errors") == []
    response = o311.client.delete("/open311/v2/services.json")
    assert response.status_code == 405
    assert problems(json.loads(response.content), "errors") == []


# The checks themselves must be able to fail.


def test_the_schemas_refuse_what_the_spec_does_not_allow() -> None:
    service = {
        "service_code": "event-0110",
        "service_name": "暴露垃圾",
        "metadata": True,
        "type": "realtime",
    }
    assert problems([service], "services") == []
    assert problems([{**service, "type": "sometimes"}], "services")
    assert problems([{k: v for k, v in service.items() if k != "metadata"}], "services")
    request = {
        "service_request_id": "2026000001",
        "status": "open",
        "service_code": "event-0110",
        "requested_datetime": "2026-11-23T10:00:00+08:00",
        "lat": 26.5,
    }
    assert problems([request], "requests") == []
    assert problems([{**request, "requested_datetime": "2026-11-23T10:00:00"}], "requests")
    assert problems([{**request, "requested_datetime": "2026-11-23 10:00"}], "requests")
    assert problems([{**request, "lat": "26.5"}], "requests")
    assert problems([{**request, "media_url": "photos/1.jpg"}], "requests")
    assert problems([{**request, "service_request_id": 2026000001}], "requests")
    assert problems([{"service_request_id": "1", "account_id": None}], "posted")
    assert problems({"service_request_id": "1", "token": "t"}, "token")  # not a list
    assert problems([{"code": "400", "description": "x"}], "errors")


def test_xml_is_read_by_the_schemas_types() -> None:
    services = schema_of("services")
    good = ET.fromstring(
        "<services><service><service_code>event-0110</service_code>"
        "<service_name>暴露垃圾</service_name><description/><metadata>true</metadata>"
        "<type>realtime</type></service></services>"
    )
    assert from_xml(good, services)[0]["metadata"] is True
    assert from_xml(good, services)[0]["description"] is None
    assert xml_problems(good, "services", "services") == []
    text = ET.tostring(good, encoding="unicode")
    for right, wrong in (
        ("<metadata>true</metadata>", "<metadata>yes</metadata>"),
        ("<type>realtime</type>", "<type>sometimes</type>"),
        ("<service_code>event-0110</service_code>", ""),
    ):
        assert right in text
        assert xml_problems(ET.fromstring(text.replace(right, wrong)), "services", "services")
    renamed = text.replace("<service>", "<item>").replace("</service>", "</item>")
    assert xml_problems(ET.fromstring(renamed), "services", "services")
    assert xml_problems(good, "services", "service_list")
