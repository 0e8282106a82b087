"""The portal's tests: the small world of tests/cases, a fresh media folder, and rate-limit
counters that start at zero in a window that never ends mid-test."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import django_ratelimit.core
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.cases.conftest import MONDAY_10, WEST, media, world  # noqa: F401  (fixtures)
from tests.cases.test_photos import encoded, picture

FROZEN = 1_900_000_000.0


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.clear()
    # django-ratelimit counts per time window; a frozen clock keeps a test in one window.
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: FROZEN))


def photo(name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, encoded(picture()), "image/jpeg")


def report_data(client: Client, **changes: Any) -> dict[str, Any]:
    """What the report form sends, with its hidden request id and code as rendered."""
    page = client.get("/public/report/").content.decode()
    hidden = dict(re.findall(r'name="(request_id|code)" value="([^"]+)"', page))
    data: dict[str, Any] = {
        "description": "小区门口堆了很多垃圾",
        "lon": WEST[0],
        "lat": WEST[1],
        "address": "",
        "case_type": "",
        "contact_name": "张三丰",
        "contact_phone": "13812345678",
        **hidden,
    }
    data.update(changes)
    return data


def receipt_of(content: bytes) -> tuple[str, str]:
    """The case number and the tracking code shown on the receipt page."""
    page = content.decode()
    number = re.search(r'data-testid="case-number">(\d+)<', page)
    code = re.search(r'data-testid="tracking-code" class="code">([A-Z0-9-]+)<', page)
    assert number and code, page
    return number[1], code[1]


__all__ = ["MONDAY_10", "WEST", "photo", "receipt_of", "report_data"]
