"""The load balancer's probe: 200 "ok" while the database answers, 503 with Retry-After when it
does not; not redirected to HTTPS in production, where balancers probe over plain HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from config import probe

pytestmark = pytest.mark.django_db


def test_the_probe_says_ok_while_the_database_answers() -> None:
    answer = Client().get("/healthz")
    assert (answer.status_code, answer.content, answer["Content-Type"]) == (
        200, b"ok", "text/plain"
    )  # fmt: skip
    assert "no-cache" in answer["Cache-Control"]


def test_the_probe_only_answers_get_and_head() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.head("/healthz").status_code == 200
    refused = client.post("/healthz", {"x": "\x00"})
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"


class Away:
    def __enter__(self) -> Any:
        raise OperationalError("connection refused")

    def __exit__(self, *args: object) -> None:
        return None


def test_without_the_database_the_probe_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe.connection, "cursor", Away)
    answer = Client(raise_request_exception=False).get("/healthz")
    assert answer.status_code == 503 and answer["Retry-After"] == "5"


@override_settings(SECURE_SSL_REDIRECT=True)  # as in production; the exemption is the settings'
def test_in_production_the_probe_is_not_sent_to_https_but_the_pages_are() -> None:
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301
