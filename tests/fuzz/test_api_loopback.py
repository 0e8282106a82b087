"""Schemathesis over loopback: generated requests to every operation of the JSON API, well-formed
and not, sent over HTTP to a real gunicorn with production settings, signed in as the
dispatcher, must never get a server error. The in-process run (test_api_schema.py) covers more
examples; this one adds the server, the socket and production's middleware. PostgreSQL only:
the server needs the test database by name."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from config.api import api
from org.tokens import issue_token
from tests.cases.conftest import World
from tests.cases.making import dispatched
from tests.servers import PRODUCTION, free_port, postgres_only, start_server

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), postgres_only]


def test_no_request_over_loopback_gets_a_server_error(world: World) -> None:
    dispatched(world)  # a case for the case operations to find
    _token, key = issue_token(world.dispatcher, "schemathesis-loopback")
    # Built here, not at import: every xdist worker collects this module, on SQLite too.
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    port = free_port()
    server = start_server(port, env=PRODUCTION)
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=schema.as_strategy())
    def no_server_error(case: Any) -> None:
        answer = case.call(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )  # fmt: skip
        seen.add(f"{case.method} {case.path}")
        assert answer.status_code < 500, (case.method, case.formatted_path, answer.text[:300])

    try:
        no_server_error()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    assert len(seen) >= 20  # the examples reached most operations, not a few
