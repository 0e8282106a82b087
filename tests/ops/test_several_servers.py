"""Two app servers (gunicorn, as behind a load balancer) on one PostgreSQL, sharing a cache in
Redis and a task queue in the database (docs/deploy.md, "Beyond one machine"): one browser
goes back and forth between them and nothing depends on which server answers. PostgreSQL
only: the servers are other processes, which need the test database by name."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult

from cases.models import Case
from evaluation.models import EvaluationRun, RunStatus
from org.tokens import issue_token
from tests.cases.conftest import WEST, World
from tests.cases.test_api import report_body
from tests.conftest import PASSWORD
from tests.servers import ROOT, database_url, free_port, postgres_only, redis_url, start_server

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), postgres_only]


class Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    def json(self) -> Any:
        return json.loads(self.body)


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is the answer to look at, not a page to go to


class Browser:
    """One client, its cookies sent to whichever server it talks to (cookies ignore ports,
    as a load balancer's one address would)."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), KeepRedirects()
        )

    def send(self, url: str, form: dict[str, str] | None = None) -> Answer:
        """GET, or POST `form` with the CSRF token of the cookie unless it brings one."""
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.csrf_token()} | form
            body = urllib.parse.urlencode(form).encode()
        return answer_of(self.opener.open, urllib.request.Request(url, body))

    def csrf_token(self) -> str:
        return next((c.value or "" for c in self.cookies if c.name == "csrftoken"), "")

    def sign_in(self, server: str, username: str, password: str) -> Answer:
        page = self.send(f"{server}/login/").body.decode()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "no sign-in form"
        form = {"username": username, "password": password, "csrfmiddlewaretoken": match[1]}
        return self.send(f"{server}/login/", form)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two servers of one worker each, configured alike: a shared Redis cache (under a key
    prefix of their own, so no earlier run's counts are found) and the database task queue.
    One report per hour per address means four sends an hour (intake/portal/limits.py)."""
    env = {
        "CACHE_URL": redis_url(),
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "TASK_QUEUE": "database",
        "PORTAL_REPORTS_PER_HOUR": "1",
        "SIGN_IN_FAILURES": "2",
        "MEDIA_ROOT": str(tmp_path),
    }
    ports = [free_port(), free_port()]
    started = [start_server(port, workers=1, env=env) for port in ports]
    yield tuple(f"http://127.0.0.1:{port}" for port in ports)  # type: ignore[misc]
    for server in started:
        server.terminate()
        server.wait(timeout=30)


def with_password(user: User) -> None:
    """A password the servers can check: they use Django's default hashers, not the tests'
    fast one (cheap iterations: the first sign-in upgrades it)."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "severalservers", iterations=1000)
    user.save()


def test_one_browser_is_served_alike_by_either_server(
    world: World, servers: tuple[str, str], tmp_path: Path
) -> None:
    a, b = servers
    with_password(world.leader)
    with_password(world.dispatcher)

    # A session started on A is known to B: sessions are in the database.
    leader = Browser()
    assert leader.sign_in(a, "leader", PASSWORD).status == 302
    assert leader.send(f"{b}/evaluation/runs/").status == 200
    assert Browser().send(f"{b}/evaluation/runs/").status == 302  # to the sign-in page

    # The same report sent to A, then retried on B, is one case.
    _token, key = issue_token(world.inspector, "phone-1")
    api = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps(report_body(WEST, request_id="phone-1-0001")).encode()
    first = post_json(f"{a}/api/v1/cases", body, api)
    retried = post_json(f"{b}/api/v1/cases", body, api)
    assert (first.status, retried.status) == (201, 200)
    assert first.json()["number"] == retried.json()["number"]
    assert Case.objects.filter(request_id="phone-1-0001").count() == 1

    # The portal's limit counts the sends made to both: each server saw two, under its four.
    citizen = Browser()
    sent = [citizen.send(f"{server}/public/report/", {}).status for server in (a, b, a, b)]
    assert 429 not in sent
    assert [citizen.send(f"{server}/public/report/", {}).status for server in (a, b)] == [429, 429]

    # The sign-in throttle counts wrong passwords made on both (attempts in the database).
    stranger = Browser()
    assert stranger.sign_in(a, "dispatcher", "wrong-password").status == 200  # the form again
    assert stranger.sign_in(b, "dispatcher", "wrong-password").status == 429
    assert stranger.sign_in(a, "dispatcher", PASSWORD).status == 429  # paused on A as well

    # A report asked for on B waits in the queue until a worker, anywhere, runs it.
    asked = leader.send(f"{b}/evaluation/runs/", {"period": "2026-11"})
    assert asked.status == 302
    run = EvaluationRun.objects.get()
    assert run.status == RunStatus.QUEUED and DBTaskResult.objects.get().status == "READY"
    work = run_worker(tmp_path)
    assert work.returncode == 0, work.stderr
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.workbook.name
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def post_json(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    request = urllib.request.Request(url, body, headers=headers, method="POST")
    return answer_of(urllib.request.urlopen, request)


def answer_of(open_: Any, request: urllib.request.Request) -> Answer:
    try:
        with open_(request, timeout=30) as answer:
            return Answer(answer.status, answer.read())
    except urllib.error.HTTPError as refused:
        return Answer(refused.code, refused.read())


def run_worker(media_root: Path) -> subprocess.CompletedProcess[str]:
    """`manage.py db_worker` as deployed, but bounded: it runs what is queued, then exits."""
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "TASK_QUEUE": "database",
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
