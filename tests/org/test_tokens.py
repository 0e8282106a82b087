"""API tokens: issued once with the key shown, stored as a hash, revoked by an administrator."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from org.models import ApiToken, Membership
from org.tokens import TokenError, issue_token, posts_for_key, revoke_token, user_for_key

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_key_is_stored(inspector: User) -> None:
    token, key = issue_token(inspector, "phone-7")
    assert key.startswith("ugk_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < 12
    assert key not in str(ApiToken.objects.values().get())


def test_a_key_finds_its_user_and_records_its_use_to_the_minute(inspector: User) -> None:
    _token, key = issue_token(inspector, "phone-7")
    now = timezone.now()
    assert user_for_key(key, now=now) == inspector
    assert ApiToken.objects.get().last_used_at == now
    assert user_for_key(key, now=now + timedelta(seconds=30)) == inspector
    assert ApiToken.objects.get().last_used_at == now  # not a write on every call
    assert user_for_key(key + "x") is None and user_for_key("not-a-key") is None


def test_a_revoked_token_or_a_disabled_account_no_longer_works(
    inspector: User, dispatcher: User
) -> None:
    token, key = issue_token(inspector, "phone-7")
    revoke_token(token)
    assert user_for_key(key) is None
    _token, other = issue_token(dispatcher, "script")
    dispatcher.is_active = False
    dispatcher.save()
    assert user_for_key(other) is None


def test_a_name_is_used_by_one_working_token_at_a_time(inspector: User) -> None:
    token, _key = issue_token(inspector, "phone-7")
    with pytest.raises(TokenError, match="phone-7"):
        issue_token(inspector, "phone-7")
    with pytest.raises(TokenError):
        issue_token(inspector, "  ")
    revoke_token(token)
    issue_token(inspector, "phone-7")
    assert ApiToken.objects.filter(name="phone-7").count() == 2


def test_the_command_prints_the_key_once(inspector: User) -> None:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "inspector", "--name", "phone-7", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert user_for_key(key) == inspector
    assert "Authorization: Bearer" in err.getvalue() and key not in err.getvalue()
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody", "--name", "x", stdout=out, stderr=err)
    with pytest.raises(CommandError, match="phone-7"):
        call_command("create_api_token", "inspector", "--name", "phone-7", stdout=out, stderr=err)


def test_an_administrator_sees_the_tokens_and_revokes_them(client: Client, inspector: User) -> None:
    token, key = issue_token(inspector, "phone-7")
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    listing = client.get("/admin/org/apitoken/")
    assert listing.status_code == 200 and token.prefix in listing.content.decode()
    assert key not in listing.content.decode()
    assert client.get("/admin/org/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/org/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None and user_for_key(key) is None


def test_a_key_brings_its_users_posts_or_none_for_someone_without_a_post(
    inspector: User, outsider: User, django_assert_num_queries: Any
) -> None:
    _token, key = issue_token(inspector, "phone-7")
    found = posts_for_key(key)
    assert found is not None and found[0] == inspector
    assert [post.role for post in found[1]] == ["inspector"]
    # As the ORM would give them: typed values, the unit and the person loaded with the post.
    post = found[1][0]
    assert post == Membership.objects.get(person__user=inspector)
    with django_assert_num_queries(0):
        assert (post.unit.code, post.person.user_id) == ("C00", inspector.pk)
    assert found[0].date_joined == inspector.date_joined
    assert timezone.is_aware(found[0].date_joined)
    _token, other = issue_token(outsider, "laptop")
    assert posts_for_key(other) == (outsider, [])
    assert posts_for_key(key + "x") is None and posts_for_key("not-a-key") is None
    answer = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {other}"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "no_post")
