"""Per-user API tokens for devices and scripts (the browser uses its session instead).

A key is `ugk_` followed by 43 random URL-safe characters. Only its SHA-256 hash is stored, so a
leaked database does not leak working keys, and a key is shown once, when it is issued
(`manage.py create_api_token`). Revoking keeps the row: who had access, and until when.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import ApiToken, Membership

KEY_PREFIX = "ugk_"
SHOWN_PREFIX = len(KEY_PREFIX) + 6  # "ugk_AbC123": enough to tell a user's tokens apart
# Recording every use would add a write to every API call (report intake is the hot path);
# "last used" to the minute is what an administrator deciding on revocation needs.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(Exception):
    """A token that cannot be issued; the message is for people."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: User, name: str, *, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for the user; the key is returned here and never again."""
    name = name.strip()
    if not name:
        raise TokenError(_("Name the token (for example after the device that will use it)."))
    if not user.is_active:
        raise TokenError(_("The account %(user)s is disabled.") % {"user": user.get_username()})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                key_hash=hash_key(key),
                prefix=key[:SHOWN_PREFIX],
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        raise TokenError(
            _("%(user)s already has a working token named %(name)s; revoke it first.")
            % {"user": user.get_username(), "name": name}
        ) from None
    return token, key


def user_for_key(key: str, *, now: datetime | None = None) -> User | None:
    """The active user a working key belongs to; None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    _note_use(token.pk, token.last_used_at, now)
    return token.user


def posts_for_key(key: str, *, now: datetime | None = None) -> tuple[User, list[Membership]] | None:
    """The active user of a working key with their active posts, read in one query (report
    intake reads them on every request); None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX):
        return None
    via = "person__user__api_tokens__"
    posts: list[Any] = list(
        Membership.objects.active()
        .filter(**{f"{via}key_hash": hash_key(key), f"{via}revoked_at__isnull": True})
        .select_related("unit", "person__user")
        .annotate(token_id=F(f"{via}id"), token_used_at=F(f"{via}last_used_at"))
    )
    if not posts:  # a key of someone holding no post (or no key at all)
        user = user_for_key(key, now=now)
        return (user, []) if user is not None else None
    _note_use(posts[0].token_id, posts[0].token_used_at, now)
    return posts[0].person.user, posts


def _note_use(token_id: int, last_used_at: datetime | None, now: datetime | None) -> None:
    now = now or timezone.now()
    if last_used_at is None or now - last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)


def revoke_token(token: ApiToken, *, now: datetime | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
