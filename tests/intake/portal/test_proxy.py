"""Behind a reverse proxy the portal's limits count each citizen by the address the proxy
passes on (RATELIMIT_IP_META_KEY), not the proxy's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cases.conftest import World

pytestmark = pytest.mark.django_db
WRONG = {"number": "2026000001", "code": "ABCDEFGHJKMN"}


def test_each_citizen_behind_the_proxy_has_a_limit_of_their_own(
    world: World, settings: Any
) -> None:
    settings.PORTAL_LOOKUPS_PER_MINUTE = 1
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert proxy.post("/public/track/", WRONG, HTTP_X_REAL_IP="203.0.113.7").status_code == 400
    assert proxy.post("/public/track/", WRONG, HTTP_X_REAL_IP="203.0.113.7").status_code == 429
    assert proxy.post("/public/track/", WRONG, HTTP_X_REAL_IP="203.0.113.8").status_code == 400
