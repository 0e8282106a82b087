"""A partner authenticates with its own key only: no key, a wrong key or a revoked key answer
401 in the API's error format, and no key ever reaches a log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case
from org.tokens import issue_token
from tests.intake.partners.conftest import Partners, World, incident, send

pytestmark = pytest.mark.django_db


def test_a_missing_key_answers_401_in_the_error_format(partners: Partners) -> None:
    response = Client().post(
        "/api/v1/partners/incidents", incident(), content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert not Case.objects.exists()


def test_a_wrong_key_answers_401(partners: Partners) -> None:
    response = send(partners.police_key[:-2] + "xx", incident())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_revoked_key_answers_401(partners: Partners) -> None:
    partners.police.revoked_at = timezone.now()
    partners.police.save()
    assert send(partners.police_key, incident()).status_code == 401
    assert not Case.objects.exists()


def test_a_staff_token_or_session_is_not_a_partner_key(partners: Partners, world: World) -> None:
    _token, staff_key = issue_token(world.acceptor, "desk")
    assert send(staff_key, incident()).status_code == 401
    client = Client()
    client.force_login(world.acceptor)
    response = client.get("/api/v1/partners/incidents/JQ1")
    assert response.status_code == 401


def test_no_partner_key_reaches_a_log(
    partners: Partners, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.DEBUG = True  # ninja's own bearer would log a wrong header in debug mode
    wrong = partners.police_key[::-1]
    with caplog.at_level(logging.DEBUG):
        send(partners.police_key, incident())
        send(wrong, incident())
        send(partners.police_key, {"incident_id": "bad id with spaces"})
    logged = " ".join(record.getMessage() + str(record.args) for record in caplog.records)
    assert partners.police_key not in logged and wrong not in logged
