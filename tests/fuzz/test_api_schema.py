"""Schemathesis against the JSON API's own OpenAPI description: generated requests to every
operation, well-formed and not, signed in as the dispatcher (the post that may call the most
verbs), must never get a server error. Examples are bounded so the suite stays fast."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.api import api
from org.tokens import issue_token
from tests.cases.conftest import World
from tests.cases.making import dispatched

# The description the API serves at /api/v1/openapi.json, built without a request (a request
# would need the database before the test has it); the requests go to the WSGI application.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _connection_kept() -> Iterator[None]:
    """As Django's test client does, requests do not close the connection at their end: it
    holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(world: World) -> dict[str, str]:
    dispatched(world)  # a case for the case operations to find
    _token, key = issue_token(world.dispatcher, "schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
