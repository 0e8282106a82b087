"""A server killed mid-request (SIGKILL, the power cut of a process) while inspectors report
through the API: every case that was stored is whole, with its events, its chain verifies and
its row agrees with them; nothing is half-written. PostgreSQL only: the server runs in other
processes, which need the test's database by name."""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.error
import urllib.request
import uuid

import pytest

from cases.audit import verify_all
from cases.models import Case
from org.tokens import issue_token
from tests.cases.conftest import WEST, World
from tests.cases.test_api import report_body
from tests.servers import free_port, postgres_only, start_server, wait_until

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), postgres_only]


def keep_reporting(port: int, key: str, answered: list[str], stop: threading.Event) -> None:
    while not stop.is_set():
        body = json.dumps(report_body(WEST, request_id=uuid.uuid4().hex)).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cases", body, method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                answered.append(json.load(answer)["number"])
        except (OSError, urllib.error.URLError):
            return  # the server is gone


def test_a_server_killed_while_reports_arrive_leaves_every_case_whole(world: World) -> None:
    _token, key = issue_token(world.inspector, "fault-test")
    port = free_port()
    server = start_server(port)
    answered: list[str] = []
    stop = threading.Event()
    senders = [
        threading.Thread(target=keep_reporting, args=(port, key, answered, stop)) for _ in range(4)
    ]
    for sender in senders:
        sender.start()
    wait_until(lambda: len(answered) > 10, timeout=30, what="reports before the kill")
    os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-request
    server.wait()
    stop.set()
    for sender in senders:
        sender.join()
    stored = set(Case.objects.values_list("number", flat=True))
    assert set(answered) <= stored  # every answered report was kept
    assert not Case.objects.filter(events__isnull=True).exists()  # none without its events
    assert list(verify_all()) == []
