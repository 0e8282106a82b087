"""manage.py create_partner prints a new partner's key and secret once, and revokes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from intake.partners.keys import partner_for_key
from intake.partners.models import Partner

pytestmark = pytest.mark.django_db


def create(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_partner", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_key_and_the_callback_secret_are_printed_once_and_work() -> None:
    lines = create("city", "市级平台", "city", "--callback-url", "https://city.example/cb")
    key = next(line for line in lines if line.startswith("ugp_"))
    partner = Partner.objects.get(code="city")
    assert partner_for_key(key) == partner
    assert partner.callback_secret in lines
    assert key not in (partner.key_hash, partner.prefix)


def test_revoking_stops_the_key() -> None:
    key = next(line for line in create("110", "110", "police") if line.startswith("ugp_"))
    create("110", "--revoke")
    assert partner_for_key(key) is None


@pytest.mark.parametrize(
    "args",
    [
        ("110", "110", "spaceship"),
        ("bad code", "x", "police"),
        ("110", "x", "police", "--callback-url", "ftp://x"),
        ("nobody", "--revoke"),
        ("110",),
    ],
)
def test_bad_arguments_are_refused(args: tuple[str, ...]) -> None:
    with pytest.raises((CommandError, SystemExit)):
        create(*args)
    assert not Partner.objects.exists()


def test_the_admin_revokes_and_never_shows_the_key_hash() -> None:
    create("110", "110指挥中心", "police")
    partner = Partner.objects.get()
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "r@example.org", "pw"))
    page = admin.get(f"/admin/partners/partner/{partner.pk}/change/").content.decode()
    assert partner.key_hash not in page and partner.prefix in page
    admin.post("/admin/partners/partner/", {"action": "revoke", "_selected_action": [partner.pk]})
    partner.refresh_from_db()
    assert partner.revoked_at is not None


def test_a_new_callback_url_comes_with_a_new_secret_printed_once() -> None:
    create("110", "110", "police")
    lines = create("110", "--set-callback", "https://110.example/cb")
    partner = Partner.objects.get()
    assert partner.callback_url == "https://110.example/cb"
    assert partner.callback_secret and lines[-1] == partner.callback_secret
    create("110", "--set-callback", "")
    partner.refresh_from_db()
    assert (partner.callback_url, partner.callback_secret) == ("", "")
