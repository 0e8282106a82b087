"""The portal's rate limits per IP: reports per hour, tracking lookups per minute, each with a
clear page in the reader's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cases.models import Case
from cases.photos import decode
from intake.portal import forms
from tests.cases.conftest import World
from tests.intake.portal.conftest import photo, report_data

pytestmark = pytest.mark.django_db


def test_reports_past_the_hourly_limit_are_refused_with_a_clear_page(
    world: World, settings: object
) -> None:
    settings.PORTAL_REPORTS_PER_HOUR = 2  # type: ignore[attr-defined]
    client = Client()
    for _ in range(2):
        assert client.post("/public/report/", report_data(client)).status_code == 200
    refused = client.post("/public/report/", report_data(client))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "请等待 60 分钟后再试" in refused.content.decode()
    assert Case.objects.count() == 2
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    assert other_ip.post("/public/report/", report_data(other_ip)).status_code == 200


def test_mistakes_do_not_use_up_the_reports_but_endless_sends_are_capped(
    world: World, settings: object
) -> None:
    settings.PORTAL_REPORTS_PER_HOUR = 1  # type: ignore[attr-defined]
    client = Client()
    for _ in range(3):
        assert (
            client.post("/public/report/", report_data(client, description="")).status_code == 400
        )
    assert client.post("/public/report/", report_data(client)).status_code == 200
    assert client.post("/public/report/", report_data(client, description="")).status_code == 429


def test_tracking_lookups_past_the_limit_are_refused(world: World, settings: object) -> None:
    settings.PORTAL_LOOKUPS_PER_MINUTE = 3  # type: ignore[attr-defined]
    client = Client()
    for _ in range(3):
        wrong = client.post("/public/track/", {"number": "2026000001", "code": "ABCDEFGHJKMN"})
        assert wrong.status_code == 400
    refused = client.post("/public/track/", {"number": "2026000001", "code": "ABCDEFGHJKMN"})
    assert refused.status_code == 429
    assert "请等待 1 分钟后再试" in refused.content.decode() or "请稍等一分钟" in (
        refused.content.decode()
    )
    english = client.post(
        "/public/track/",
        {"number": "2026000001", "code": "ABCDEFGHJKMN"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 429 and "Please wait a minute" in english.content.decode()


def test_a_send_after_the_last_allowed_report_is_refused_before_its_photos_are_read(
    world: World, settings: object, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PORTAL_REPORTS_PER_HOUR = 2  # type: ignore[attr-defined]
    decoded: list[object] = []

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args)
        return decode(*args, **kwargs)

    monkeypatch.setattr(forms, "decode", counting_decode)
    client = Client()
    for _ in range(2):
        answer = client.post("/public/report/", report_data(client, photos=[photo()]))
        assert answer.status_code == 200
    assert len(decoded) == 2
    refused = client.post("/public/report/", report_data(client, photos=[photo()]))
    assert refused.status_code == 429
    assert len(decoded) == 2  # the third photo was never decoded
    assert Case.objects.count() == 2
