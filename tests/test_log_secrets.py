"""No secret in any log line: with every logger at DEBUG, a wrong password, API tokens good
and bad, partner keys good and bad, a reporter's phone number and a text message to a duty
phone pass through sign-in, the API, the partner channel and the SMS backend, and none of
them is written to the log."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from org.sms import send_sms
from org.tokens import issue_token
from tests.cases.conftest import World
from tests.intake.partners.conftest import (  # noqa: F401  (fixtures)
    Partners,
    incident,
    media,
    partners,
    send,
    world,
)

pytestmark = pytest.mark.django_db


def test_no_password_token_key_or_phone_number_reaches_the_log(
    world: World,  # noqa: F811
    partners: Partners,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password, phone, duty_phone = "Not-the-password-42", "13900001111", "13700002222"
    Client().post(reverse("login"), {"username": "inspector", "password": password})
    _token, key = issue_token(world.inspector, "手机")
    bad_key = key[:-4] + "abcd"
    for bearer in (key, bad_key):
        Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {bearer}"})
    assert send(partners.police_key, incident(contact_phone=phone)).status_code == 201
    send(partners.police_key[:-4] + "abcd", incident("JQ-2"))
    send_sms(duty_phone, "您有一件新的案卷待处置")
    secrets = [password, key, bad_key, partners.police_key, phone, duty_phone]
    assert "Unauthorized: /api/v1/partners/incidents" in caplog.text  # the paths were logged
    assert duty_phone[-4:] in caplog.text  # the text message was, with the number masked
    assert [secret for secret in secrets if secret in caplog.text] == []
