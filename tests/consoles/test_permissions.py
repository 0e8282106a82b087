"""A case outside the post's scope cannot even be opened on a console page, listed or exported.
Which verbs each post may run at each step: tests/cases/test_authorization_matrix.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.conftest import World
from tests.cases.making import dispatched
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def test_a_case_outside_the_scope_is_not_found_on_any_console_page(world: World) -> None:
    number = dispatched(world).number  # department A's
    outsider = client_for(world.handler_b)
    for url in (
        reverse("case_detail", args=[number]),
        reverse("case_act", args=[number, "sign"]),
        reverse("case_add_photo", args=[number]),
        reverse("case_reveal_contact", args=[number]),
    ):
        response = outsider.get(url) if url.endswith(f"{number}/") else outsider.post(url)
        assert response.status_code == 404, url
    listed = outsider.get(reverse("case_list"), {"view": "all"}).content.decode()
    assert number not in listed
    export = outsider.get(reverse("case_export", kwargs={"file_format": "csv"}), {"view": "all"})
    assert number not in b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
