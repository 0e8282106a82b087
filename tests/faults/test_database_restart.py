"""PostgreSQL restarted while inspectors report through the API: while it is down every request
answers 503 or finds the server unreachable, never 500; once it is back the workers reconnect
by themselves, the clients' retries with the same request id store each report once, and the
audit trail verifies. The database is a private cluster the test starts, stops and starts
again, with a copy of the test database: the machine's shared server is never restarted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import psycopg
import pytest

from org.tokens import issue_token
from tests.cases.conftest import WEST, World
from tests.cases.test_api import report_body
from tests.servers import (
    PRODUCTION,
    ROOT,
    database_url,
    free_port,
    has_postgres_programs,
    postgres_only,
    private_cluster,
    start_server,
    wait_until,
)

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    postgres_only,
    has_postgres_programs,
]

CLIENTS = 4
UNREACHABLE = 0  # no HTTP status: the connection failed or timed out


def send(port: int, key: str, request_id: str) -> tuple[int, dict[str, object]]:
    body = json.dumps(report_body(WEST, request_id=request_id)).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/cases", body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as refused:
        said = refused.read().decode(errors="replace")
        try:
            answer: dict[str, object] = json.loads(said)
        except ValueError:
            answer = {"body": said[:500]}  # not the API's JSON: Django's own page, say
        return refused.code, {"retry_after": refused.headers.get("Retry-After"), **answer}
    except OSError:
        return UNREACHABLE, {}


@dataclass
class Reports:
    answered: dict[str, str] = field(default_factory=dict)  # request id → case number
    answered_at: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # of every answer that was not a case
    wrong: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def keep_reporting(port: int, key: str, reports: Reports, stop: threading.Event) -> None:
    """New reports until `stop`; one that got no case is sent again with its request id
    until it gets one, as a phone's queue does."""
    pending: str | None = None
    give_up = None
    while pending is not None or not stop.is_set():
        if stop.is_set():
            give_up = give_up or time.monotonic() + 15
            if time.monotonic() > give_up:
                break
        request_id = pending or uuid.uuid4().hex
        status, answer = send(port, key, request_id)
        with reports.lock:
            if status in (200, 201):
                reports.answered[request_id] = str(answer["number"])
                reports.answered_at.append(time.monotonic())
                pending = None
                continue
            reports.statuses.append(status)
            if status not in (503, UNREACHABLE) or (status == 503 and not answer["retry_after"]):
                reports.wrong.append((status, answer))
        pending = request_id
        time.sleep(0.05)
    if pending is not None:
        reports.unanswered.append(pending)


def stored(url: str) -> tuple[dict[str, str], int]:
    """request id → number of every case in the database at `url`, and how many cases have
    no event."""
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        rows = db.execute("SELECT request_id, number FROM cases_case").fetchall()
        bare = db.execute(
            "SELECT count(*) FROM cases_case c"
            " WHERE NOT EXISTS (SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id)"
        ).fetchone()
    return {request_id: number for request_id, number in rows}, int(bare[0] if bare else 0)


def test_postgresql_restarted_under_load_loses_nothing_and_answers_no_500(world: World) -> None:
    _token, key = issue_token(world.inspector, "restart-test")
    with private_cluster() as cluster:
        cluster.copy_database(database_url(), "urbangrid")
        url = cluster.url("urbangrid")
        port = free_port()
        server = start_server(port, database=url, env=PRODUCTION)
        reports, stop = Reports(), threading.Event()
        clients = [
            threading.Thread(target=keep_reporting, args=(port, key, reports, stop))
            for _ in range(CLIENTS)
        ]
        try:
            for client in clients:
                client.start()
            wait_until(lambda: len(reports.answered) > 10, timeout=30, what="reports before")
            cluster.stop()
            # The clients keep sending to a server without its database.
            wait_until(lambda: reports.statuses.count(503) > 4, timeout=30, what="503s")
            cluster.start()
            restarted = time.monotonic()
            wait_until(
                lambda: sum(at > restarted for at in reports.answered_at) > 10,
                timeout=30, what="reports after the restart (the workers reconnected)",
            )  # fmt: skip
        finally:
            stop.set()
            for client in clients:
                client.join()
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        verified = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, capture_output=True,
            text=True, env=os.environ | {"DATABASE_URL": url},
        )  # fmt: skip
        cases, bare = stored(url)

    assert reports.wrong == []  # only 503 with Retry-After, or no connection at all
    assert reports.unanswered == []  # every report got its case once the database was back
    answered = reports.answered
    assert {rid: cases.get(rid) for rid in answered} == answered  # each answer is stored
    assert len(cases) == len(set(cases.values()))  # once: one case per request id
    assert bare == 0  # no case without its events
    assert verified.returncode == 0, verified.stdout + verified.stderr
