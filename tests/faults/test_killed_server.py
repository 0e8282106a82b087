"""A server killed mid-request (SIGKILL, the power cut of a process) while inspectors report
through the API: every case that was stored is whole, with its events, its chain verifies and
its row agrees with them; nothing is half-written. PostgreSQL only: the server runs in other
processes, which need the test's database by name."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from cases.audit import verify_all
from cases.models import Case
from org.tokens import issue_token
from tests.cases.conftest import WEST, World
from tests.cases.test_api import report_body

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the server processes need the test database by name (PostgreSQL)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=os.environ | {"DATABASE_URL": url}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


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
    time.sleep(3)
    os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-request
    server.wait()
    stop.set()
    for sender in senders:
        sender.join()
    stored = set(Case.objects.values_list("number", flat=True))
    assert len(answered) > 10, "too few reports went through to prove anything"
    assert set(answered) <= stored  # every answered report was kept
    assert not Case.objects.filter(events__isnull=True).exists()  # none without its events
    assert list(verify_all()) == []
