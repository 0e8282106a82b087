"""Published GeoReport v2 clients against the real server (pytest-django's live_server).

`georeport` (PyPI, 2025) is the maintained Python client: it reads services, service
definitions and requests, in JSON and in XML (through xmltodict), but cannot post, resolve a
token or read discovery. `civicbot` (PyPI, 2026) has the only Python 3 client that posts and
resolves tokens (`civicbot.open311.Open311Client`). The older clients on PyPI, `open311` 1.1
(2011) and `three` 0.8.0 (2013), are Python 2 only and fail to import on Python 3.13. Neither has
a call for discovery; it is read with civicbot's HTTP transport, and the endpoint URL it gives
is where both clients are pointed.

Only the live server may be reached: any other connection fails the test (`no_internet`).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from civicbot import Endpoint, HttpError, HttpTransport, Open311Client, ValidationError
from civicbot.http import RateLimiter
from django.test.testcases import LiveServerThread
from django.utils import timezone
from georeport import GeoReport

from cases.models import Case, Channel
from intake.open311.models import ServiceRequest
from tests.browser.conftest import OneRequestAtATime
from tests.cases.conftest import WEST
from tests.intake.open311.conftest import COVER, GARBAGE, Open311

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOCAL = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server() -> None:
    """The live server is one per test process: if these tests start it, it must be the
    browser tests' kind too (tests/browser/conftest.py), whichever of them runs first."""
    LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every socket connection this test's clients make; any to another host fails."""
    connect = socket.socket.connect
    made: list[Any] = []

    def local_only(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            made.append(address)
            assert address[0] in LOCAL, f"a client tried to reach {address}"
        connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    monkeypatch.setenv("NO_PROXY", "*")  # never through a proxy, even if one is set
    yield made


@pytest.fixture
def root(live_server: Any, no_internet: list[Any]) -> str:
    return f"{live_server.url}/open311/v2/"


def poster(root: str) -> Open311Client:
    """civicbot's client for our endpoint; it files for real only when told dry_run=False and
    confirm="SEND". Its politeness delay between calls to one host is not needed here."""
    endpoint = Endpoint(id="urbangrid", name="UrbanGrid", base_url=root, write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="520199")


def test_published_clients_discover_post_and_track_a_request(
    o311: Open311, root: str, no_internet: list[Any]
) -> None:
    writer = poster(root)
    discovery = writer.http.get_json(root + "discovery.json")
    [endpoint] = discovery["endpoints"]
    assert endpoint["url"] == root
    assert "application/json" in endpoint["formats"]

    reader = GeoReport(endpoint["url"], jurisdiction="520199")
    services = {s["service_code"]: s for s in reader.get_service_list()}
    assert set(services) == {GARBAGE, COVER}
    assert services[GARBAGE]["service_name"] == "暴露垃圾"
    assert services[GARBAGE]["metadata"] is True
    definition = reader.get_service_definition(GARBAGE)
    [condition] = definition["attributes"]
    assert (condition["code"], condition["datatype"]) == ("condition", "singlevaluelist")
    keys = [value["key"] for value in condition["values"]]
    assert keys == ["1", "2"]

    # The client checks the attributes against our definition before sending anything.
    with pytest.raises(ValidationError, match="condition"):
        writer.create_request(
            GARBAGE, lat=WEST[1], lng=WEST[0], attributes={"condition": "9"}, definition=definition
        )
    sent = writer.create_request(
        GARBAGE,
        dry_run=False,
        confirm="SEND",
        api_key=o311.key,
        validate_remote=True,  # it reads services and the definition itself first
        lat=WEST[1],
        lng=WEST[0],
        description="路边有成堆垃圾",
        attributes={"condition": "2"},
        device_id="civicbot-1",
    )
    [made] = sent.response
    number, token = made["service_request_id"], made["token"]
    request_row = ServiceRequest.objects.select_related("case").get(token=token)
    case = request_row.case
    assert (case.number, case.channel, case.case_type) == (
        number,
        Channel.OPEN311,
        o311.world.garbage,
    )
    assert request_row.partner == o311.partner
    assert request_row.attributes["condition"] == "2"
    assert request_row.device_id == "civicbot-1"

    assert writer.get_token(token) == [{"service_request_id": number, "token": token}]
    found = reader.get_service_request(number)
    assert found["service_request_id"] == number
    assert (found["status"], found["service_code"]) == ("open", GARBAGE)
    assert found["description"] == "路边有成堆垃圾"
    assert writer.get_request(number) == found

    now = timezone.now()
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = reader.get_service_requests(
        service_code=GARBAGE, status="open", start_date=since, end_date=until
    )
    assert [r["service_request_id"] for r in listed] == [number]
    assert reader.get_service_requests(service_code=COVER) == []
    assert reader.get_service_requests(status="closed") == []
    assert writer.list_requests(service_request_ids=[number]) == listed
    assert no_internet and all(address[0] in {"127.0.0.1", "::1"} for address in no_internet)


def test_a_published_client_reads_the_xml(o311: Open311, root: str) -> None:
    response = o311.post(**o311.at_west())
    number = response.json()[0]["service_request_id"]
    reader = GeoReport(root, output_format="xml")
    services = reader.get_service_list()  # xmltodict: a list of two <service> elements
    assert {s["service_code"] for s in services} == {GARBAGE, COVER}
    assert {s["metadata"] for s in services} == {"true"}
    definition = reader.get_service_definition(GARBAGE)
    attribute = definition["attributes"]["attribute"]
    assert attribute["code"] == "condition"
    assert [v["key"] for v in attribute["values"]["value"]] == ["1", "2"]
    request = reader.get_service_request(number)  # one <request>: a dict
    assert (request["service_request_id"], request["service_code"]) == (number, GARBAGE)
    assert request["address_id"] is None  # an empty element
    assert reader.get_service_requests()["service_request_id"] == number
    assert Case.objects.get(number=number).channel == Channel.OPEN311


def test_a_client_is_told_why_a_post_is_refused(o311: Open311, root: str) -> None:
    writer = poster(root)
    with pytest.raises(HttpError) as refused:
        writer.create_request(
            GARBAGE, dry_run=False, confirm="SEND", api_key="not-a-key", lat=WEST[1], lng=WEST[0]
        )
    assert refused.value.status == 403
    assert '"code": 403' in refused.value.body
    assert not Case.objects.exists()
