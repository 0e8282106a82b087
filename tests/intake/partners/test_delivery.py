"""Sending the outbox to a partner's HTTP server (a real one, on a thread): the signature
verifies with the partner's secret; a failure schedules a retry with backoff; after the last
attempt the delivery is a dead letter, which the admin re-queues."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from cases.models import Case
from intake.partners.delivery import backoff, claim_due, deliver_due, record
from intake.partners.models import Delivery, DeliveryStatus, Partner
from intake.partners.outbox import queue_status_push
from tests.intake.partners.conftest import MONDAY_10, Partners, incident, send

pytestmark = pytest.mark.django_db


@dataclass
class Received:
    """What the partner's server was sent (header names in lower case: they are
    case-insensitive), and the status it answers with."""

    answer: int = 200
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {name.lower(): value for name, value in self.headers.items()}
            received.requests.append((headers, body))
            self.send_response(received.answer)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/urbangrid", received
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def pending(partners: Partners, server: tuple[str, Received]) -> Delivery:
    """One pending push for the city platform, whose callback URL is the test server."""
    url, _received = server
    Partner.objects.filter(pk=partners.city.pk).update(callback_url=url)
    number = send(partners.city_key, incident("SJ-1")).json()["case"]
    [delivery] = queue_status_push(Case.objects.get(number=number), "accept", now=MONDAY_10)
    return delivery


def test_a_due_delivery_is_posted_signed_with_the_partners_secret(
    partners: Partners, pending: Delivery, server: tuple[str, Received]
) -> None:
    _url, received = server
    assert deliver_due(now=MONDAY_10) == {"delivered": 1}
    [(headers, body)] = received.requests
    signed = headers["x-urbangrid-timestamp"].encode() + b"." + body
    secret = Partner.objects.get(pk=partners.city.pk).callback_secret.encode()
    expected = "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-urbangrid-signature"], expected)
    assert headers["x-urbangrid-delivery"] == str(pending.pk)
    assert json.loads(body)["delivery"] == pending.pk  # signed with the body: no replay as new
    assert json.loads(body)["incident_id"] == "SJ-1"
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.delivered_at) == (
        DeliveryStatus.DELIVERED,
        1,
        MONDAY_10,
    )
    assert deliver_due(now=MONDAY_10 + timedelta(days=1)) == {}  # never sent twice


def test_a_sender_whose_lease_ran_out_never_undoes_the_one_that_took_over(
    pending: Delivery,
) -> None:
    [slow] = claim_due(MONDAY_10, 1)
    assert slow.next_attempt_at is not None  # the lease it holds
    lease_over = slow.next_attempt_at + timedelta(seconds=1)
    assert deliver_due(now=lease_over) == {"delivered": 1}  # another sender took it over
    assert record(slow, "TimeoutError: timed out", lease_over) == "lost"
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.last_error) == ("delivered", 1, "")


def test_a_failure_schedules_a_retry_with_exponential_backoff(
    pending: Delivery, server: tuple[str, Received]
) -> None:
    _url, received = server
    received.answer = 503
    assert deliver_due(now=MONDAY_10) == {"retry": 1}
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.last_error) == ("pending", 1, "HTTP 503")
    assert pending.next_attempt_at == MONDAY_10 + backoff(1)
    assert deliver_due(now=MONDAY_10 + backoff(1) - timedelta(seconds=1)) == {}  # not yet due
    later = MONDAY_10 + backoff(1)
    assert deliver_due(now=later) == {"retry": 1}
    pending.refresh_from_db()
    assert pending.next_attempt_at == later + backoff(2) == later + 2 * backoff(1)


def test_an_unreachable_partner_is_a_failure_not_a_crash(
    partners: Partners, pending: Delivery
) -> None:
    Partner.objects.filter(pk=partners.city.pk).update(callback_url="http://127.0.0.1:9/")
    assert deliver_due(now=MONDAY_10) == {"retry": 1}
    pending.refresh_from_db()
    assert pending.last_error


def fail_until_dead(settings: Any, server: tuple[str, Received]) -> datetime:
    settings.PARTNER_CALLBACK_MAX_ATTEMPTS = 3
    _url, received = server
    received.answer = 500
    at = MONDAY_10
    for _attempt in range(3):
        deliver_due(now=at)
        at += timedelta(days=1)
    return at


def test_after_the_last_failure_the_delivery_is_a_dead_letter(
    pending: Delivery, server: tuple[str, Received], settings: Any
) -> None:
    at = fail_until_dead(settings, server)
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.next_attempt_at) == ("dead", 3, None)
    assert pending.dead_at is not None
    assert deliver_due(now=at) == {}
    assert len(server[1].requests) == 3


def test_an_administrator_requeues_a_dead_letter_in_the_admin(
    pending: Delivery, server: tuple[str, Received], settings: Any
) -> None:
    fail_until_dead(settings, server)
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/partners/delivery/?status__exact=dead")
    assert listing.status_code == 200 and f">{pending.pk}<" in listing.content.decode()
    response = client.post(
        "/admin/partners/delivery/",
        {"action": "requeue_dead", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.dead_at) == ("pending", 0, None)
    server[1].answer = 200
    assert deliver_due() == {"delivered": 1}


def test_the_command_sends_once_and_says_what_happened(
    pending: Delivery, server: tuple[str, Received]
) -> None:
    out = StringIO()
    call_command("deliver_partner_callbacks", "--once", stdout=out)
    assert "delivered 1, to retry 0, given up 0" in out.getvalue()


def test_a_cases_later_push_waits_for_the_earlier_one(
    pending: Delivery, server: tuple[str, Received]
) -> None:
    _url, received = server
    [later] = queue_status_push(pending.case, "file", now=MONDAY_10)
    received.answer = 503
    assert deliver_due(now=MONDAY_10) == {"retry": 1}  # the first only
    assert deliver_due(now=MONDAY_10 + timedelta(seconds=1)) == {}  # the later one waits
    received.answer = 200
    assert deliver_due(now=MONDAY_10 + timedelta(days=1)) == {"delivered": 1}
    assert deliver_due(now=MONDAY_10 + timedelta(days=1)) == {"delivered": 1}
    verbs = [json.loads(body)["verb"] for _headers, body in received.requests]
    assert verbs == ["accept", "accept", "file"]
    later.refresh_from_db()
    assert later.status == DeliveryStatus.DELIVERED
