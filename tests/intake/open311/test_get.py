"""GET requests, one request and tokens: public fields only, the spec's filters and paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import timezone

from cases import workflow as wf
from cases.models import Case, Channel
from intake.open311 import listing
from intake.open311.models import ServiceRequest
from intake.open311.posting import Posted, post_request
from tests.cases.conftest import WEST
from tests.cases.making import reported
from tests.intake.open311.conftest import COVER, GARBAGE, Open311, body, xml

pytestmark = pytest.mark.django_db

PRIVATE = ("张三丰", "13812345678", "zhang@example.com", "phone-1", "acct-9")


def made(o311: Open311, words: str, *, ago: timedelta = timedelta(0), **fields: Any) -> Case:
    """A request posted `ago` before now, with the reporter's private contact."""
    posted = Posted(
        api_key=o311.key,
        fields={
            **{"service_code": GARBAGE, "lat": str(WEST[1]), "long": str(WEST[0])},
            **{"first_name": "三丰", "last_name": "张", "phone": "13812345678"},
            **{"email": "zhang@example.com", "device_id": "phone-1", "account_id": "acct-9"},
            "description": words,
            **fields,
        },
    )
    return post_request(posted, now=timezone.now() - ago).case


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in body(response)]


def test_a_request_shows_public_fields_and_never_the_contact(o311: Open311) -> None:
    case = made(o311, "路边有成堆垃圾", media_url="https://photos.example.com/1.jpg")
    response = o311.client.get("/open311/v2/requests.json")
    [request] = body(response)
    assert request["service_request_id"] == case.number
    assert (request["status"], request["service_code"]) == ("open", GARBAGE)
    assert (request["service_name"], request["description"]) == ("暴露垃圾", "路边有成堆垃圾")
    assert request["media_url"] == "https://photos.example.com/1.jpg"
    assert (request["lat"], request["long"]) == (round(WEST[1], 7), round(WEST[0], 7))
    assert request["requested_datetime"].endswith("+08:00")
    assert request["status_notes"] and request["service_notice"]
    assert request["agency_responsible"] is None and request["expected_datetime"] is None
    for fmt in ("json", "xml"):
        for url in ("requests", f"requests/{case.number}", f"request/{case.number}"):
            text = o311.client.get(f"/open311/v2/{url}.{fmt}").content.decode()
            assert case.number in text
            assert not [word for word in PRIVATE if word in text]


def test_requests_in_xml_use_the_specs_elements(o311: Open311) -> None:
    case = made(o311, "垃圾")
    root = xml(o311.client.get(f"/open311/v2/requests/{case.number}.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert [child.tag for child in request] == [
        *("service_request_id", "status", "status_notes", "service_name", "service_code"),
        *("description", "agency_responsible", "service_notice", "requested_datetime"),
        *("updated_datetime", "expected_datetime", "address", "address_id", "zipcode"),
        *("lat", "long", "media_url"),
    ]
    assert (request.findtext("service_request_id"), request.findtext("status")) == (
        case.number,
        "open",
    )


def test_a_dispatched_request_names_the_unit_and_the_handling_deadline(o311: Open311) -> None:
    world = o311.world
    case = made(o311, "垃圾")
    actors = world.actors
    wf.send_verify(case, actor=actors.acceptor, inspector=world.person(world.inspector))
    wf.verify_report(case, actor=actors.inspector, found=True)
    wf.accept_case(case, actor=actors.acceptor)
    wf.file_case(case, actor=actors.shift_leader, condition=world.normal)
    wf.dispatch_case(case, actor=actors.dispatcher, unit=world.org.department_a, reason="属地")
    [request] = body(o311.client.get(f"/open311/v2/requests/{case.number}.json"))
    assert request["agency_responsible"] == "区市政所"
    case.refresh_from_db()
    assert request["expected_datetime"] == listing.when(case.handling_due_at)


def test_a_declined_request_is_closed(o311: Open311) -> None:
    case = made(o311, "垃圾")
    open_one = made(o311, "又有垃圾")
    wf.decline_case(case, actor=o311.world.actors.acceptor, reason="重复上报")
    found = body(o311.client.get(f"/open311/v2/requests/{case.number}.json"))[0]
    assert found["status"] == "closed" and found["updated_datetime"]
    assert numbers(o311.client.get("/open311/v2/requests.json?status=closed")) == [case.number]
    assert numbers(o311.client.get("/open311/v2/requests.json?status=open")) == [open_one.number]
    both = o311.client.get("/open311/v2/requests.json?status=open,closed")
    assert set(numbers(both)) == {case.number, open_one.number}
    declared_twice = o311.client.get("/open311/v2/requests.json?status=open&status=closed")
    assert set(numbers(declared_twice)) == {case.number, open_one.number}


def test_only_open311_requests_are_published(o311: Open311) -> None:
    inspectors = reported(o311.world, at=timezone.now())
    assert inspectors.channel == Channel.INSPECTOR
    assert numbers(o311.client.get("/open311/v2/requests.json")) == []
    response = o311.client.get(f"/open311/v2/requests/{inspectors.number}.json")
    assert (response.status_code, body(response)[0]["code"]) == (404, 404)


def test_the_list_covers_the_last_90_days_unless_dates_are_given(o311: Open311) -> None:
    old = made(o311, "旧垃圾", ago=timedelta(days=100))
    new = made(o311, "新垃圾", ago=timedelta(days=1))
    assert numbers(o311.client.get("/open311/v2/requests.json")) == [new.number]
    start = (timezone.now() - timedelta(days=120)).date().isoformat()
    assert numbers(o311.client.get(f"/open311/v2/requests.json?start_date={start}")) == [old.number]
    around = timezone.localtime(old.created_at)
    query = {
        "start_date": (around - timedelta(hours=1)).isoformat(),
        "end_date": (around + timedelta(hours=1)).isoformat(),
    }
    assert numbers(o311.client.get("/open311/v2/requests.json", query)) == [old.number]
    unencoded = f"start_date={query['start_date']}&end_date={query['end_date']}"
    assert numbers(o311.client.get(f"/open311/v2/requests.json?{unencoded}")) == [old.number]


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-01-01&end_date=2026-06-01",  # more than 90 days
        "start_date=2026-06-01&end_date=2026-05-01",
        "start_date=yesterday",
        "status=pending",
        "page=0",
        "page_size=1001",
        "page_size=ten",
        "service_request_id=" + ",".join(str(n) for n in range(101)),
    ],
)
def test_a_bad_filter_is_a_400(o311: Open311, query: str) -> None:
    response = o311.client.get(f"/open311/v2/requests.xml?{query}")
    assert response.status_code == 400
    assert xml(response).findtext("error/code") == "400"


def test_ids_override_the_other_filters_and_service_code_filters(o311: Open311) -> None:
    garbage = made(o311, "垃圾")
    cover = made(o311, "井盖丢了", service_code=COVER)
    old = made(o311, "旧垃圾", ago=timedelta(days=200))
    ids = f"{old.number},{cover.number},2026999999"
    asked = o311.client.get(f"/open311/v2/requests.json?service_request_id={ids}&status=closed")
    assert set(numbers(asked)) == {old.number, cover.number}
    assert numbers(o311.client.get(f"/open311/v2/requests.json?service_code={COVER}")) == [
        cover.number
    ]
    assert numbers(o311.client.get(f"/open311/v2/requests.json?service_code={GARBAGE}")) == [
        garbage.number
    ]
    both = o311.client.get(f"/open311/v2/requests.json?service_code={GARBAGE},{COVER}")
    assert set(numbers(both)) == {garbage.number, cover.number}
    assert numbers(o311.client.get("/open311/v2/requests.json?service_code=event-9999")) == []


def test_pages_hold_at_most_1000_requests_newest_first(
    o311: Open311, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "PAGE_MAX", 2)  # the default page size and its ceiling
    cases = [made(o311, f"垃圾{n}", ago=timedelta(minutes=n)) for n in range(5)]
    newest_first = [case.number for case in cases]
    assert numbers(o311.client.get("/open311/v2/requests.json")) == newest_first[:2]
    assert numbers(o311.client.get("/open311/v2/requests.json?page=3")) == newest_first[4:]
    assert numbers(o311.client.get("/open311/v2/requests.json?page=2&page_size=1")) == [
        newest_first[1]
    ]
    assert o311.client.get("/open311/v2/requests.json?page_size=3").status_code == 400
    assert listing.read_filters(QueryDict(""), timezone.now()).page_size == 2


def test_a_page_is_one_query_however_many_rows(
    o311: Open311, django_assert_max_num_queries: Any
) -> None:
    made(o311, "垃圾")
    with django_assert_max_num_queries(1):
        assert len(numbers(o311.client.get("/open311/v2/requests.json"))) == 1
    for n in range(6):
        made(o311, f"垃圾{n}")
    with django_assert_max_num_queries(1):
        root = xml(o311.client.get("/open311/v2/requests.xml"))
    assert len(root.findall("request")) == 7


def test_a_token_gives_the_request_id(o311: Open311) -> None:
    case = made(o311, "垃圾")
    token = ServiceRequest.objects.get(case=case).token
    assert body(o311.client.get(f"/open311/v2/tokens/{token}.json")) == [
        {"service_request_id": case.number, "token": token}
    ]
    root = xml(o311.client.get(f"/open311/v2/tokens/{token}.xml"))
    assert [child.tag for child in root.iterfind("request/*")] == ["service_request_id", "token"]
    assert o311.client.get("/open311/v2/tokens/nothing.json").status_code == 404


@pytest.mark.parametrize(
    ("query", "english"),
    [
        # '²'.isdigit() is True, but int('²') fails
        ("page=%C2%B2", "page must be a whole number from 1."),
        ("page_size=%C2%B2", "page_size must be a whole number from 1."),
        # dates whose arithmetic or conversion to UTC overflows
        ("end_date=0001-01-01", "end_date must be a date and time"),
        ("start_date=9999-12-31", "start_date must be a date and time"),
        ("start_date=0001-01-01T00:00:00&end_date=0001-01-05", "start_date must be a date"),
        ("start_date=9999-12-31T23:00:00-23:00", "start_date must be a date and time"),
        # NUL and other control characters, which PostgreSQL cannot compare
        ("service_request_id=%00", "The text holds control characters."),
        ("service_request_id=2026000001%01", "The text holds control characters."),
        ("service_code=event-%00", "The text holds control characters."),
        ("service_code=%1B", "The text holds control characters."),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_filter_that_cannot_be_read_is_a_400_in_the_requests_language(
    o311: Open311, query: str, english: str, fmt: str
) -> None:
    made(o311, "垃圾")
    url = f"/open311/v2/requests.{fmt}?{query}"
    response = o311.client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 400, response.content
    if fmt == "json":
        [error] = body(response)
        code, description = error["code"], error["description"]
    else:
        root = xml(response)
        assert root.tag == "errors"
        code, description = (
            int(root.findtext("error/code") or 0),
            root.findtext("error/description"),
        )
    assert code == 400 and (description or "").startswith(english)
    chinese = o311.client.get(url)
    assert chinese.status_code == 400 and english not in chinese.content.decode()
