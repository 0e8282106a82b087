"""Partner keys: `ugp_` and 43 random URL-safe characters, stored as a SHA-256 hash only and
shown once, when issued. A revoked partner's key never works again."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.utils import timezone

from intake.partners.models import Partner
from org.tokens import hash_key

KEY_PREFIX = "ugp_"
SHOWN_PREFIX = len(KEY_PREFIX) + 6


def new_partner(
    code: str, name: str, kind: str, *, callback_url: str = "", now: datetime | None = None
) -> tuple[Partner, str]:
    """A partner with a new key; the key is returned here and never again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    partner = Partner.objects.create(
        code=code,
        name=name,
        kind=kind,
        key_hash=hash_key(key),
        prefix=key[:SHOWN_PREFIX],
        callback_url=callback_url,
        callback_secret=secrets.token_urlsafe(32) if callback_url else "",
        created_at=now or timezone.now(),
    )
    return partner, key


def partner_for_key(key: str) -> Partner | None:
    """The active partner a key belongs to; None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX):
        return None
    return Partner.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
