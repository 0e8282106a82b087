"""The language chosen in the top bar outlives the browser session."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_language_cookie_lasts_a_year_not_a_session(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 60 * 60 and cookie["expires"]
    page = client.get(reverse("login"))
    assert "Sign in" in page.content.decode()
