"""The center looks up what a partner sent beside a case in the admin, read-only."""

from __future__ import annotations

from typing import Any

import pytest

from intake.open311.models import ServiceRequest
from tests.intake.open311.conftest import Open311

pytestmark = pytest.mark.django_db


def test_the_admin_shows_the_media_url_as_a_link_and_changes_nothing(
    o311: Open311, admin_client: Any
) -> None:
    fields = o311.at_west(media_url="https://photos.example.com/1.jpg", device_id="phone-1")
    assert o311.post(**fields).status_code == 200
    made = ServiceRequest.objects.get()
    listed = admin_client.get("/admin/open311/servicerequest/").content.decode()
    assert made.case.number in listed
    assert 'href="https://photos.example.com/1.jpg" rel="noopener noreferrer nofollow"' in listed
    page = admin_client.get(f"/admin/open311/servicerequest/{made.pk}/change/")
    assert page.status_code == 200 and "phone-1" in page.content.decode()
    assert admin_client.get("/admin/open311/servicerequest/add/").status_code == 403
