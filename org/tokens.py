"""Per-user API tokens for devices and scripts (the browser uses its session instead).

A key is `ugk_` followed by 43 random URL-safe characters. Only its SHA-256 hash is stored, so a
leaked database does not leak working keys, and a key is shown once, when it is issued
(`manage.py create_api_token`). Revoking keeps the row: who had access, and until when.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import ApiToken, Membership, Person, Unit

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
    """The active user of a working key with their active posts, in one query: every API
    request asks (and report intake is the busiest of them); None for an unknown or revoked
    key."""
    if not key.startswith(KEY_PREFIX):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_posts_sql(), [hash_key(key)])
        rows = cursor.fetchall()
    if not rows:  # a key of someone holding no post, or no key at all
        user = user_for_key(key, now=now)
        return (user, []) if user is not None else None
    user = _from_row(User, rows[0], 2)
    person = _from_row(Person, rows[0], 2 + len(_fields(User)))
    posts = []
    for row in rows:
        start = 2 + len(_fields(User)) + len(_fields(Person))
        post = _from_row(Membership, row, start)
        post.person, post.unit = person, _from_row(Unit, row, start + len(_fields(Membership)))
        posts.append(post)
    last_used_at = _converted(ApiToken._meta.get_field("last_used_at"), rows[0][1])
    _note_use(rows[0][0], last_used_at, now)
    return user, posts


@cache
def _posts_sql() -> str:
    """Token → active user → person → active posts with their units, as Django would join them
    with select_related, but built once rather than for every request."""
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    columns = ", ".join(
        f"{alias}.{quote(field.column)}"
        for alias, model in (("u", User), ("p", Person), ("m", Membership), ("n", Unit))
        for field in _fields(model)
    )
    return (
        f"SELECT t.id, t.last_used_at, {columns} FROM {table(ApiToken)} t"
        f" JOIN {table(User)} u ON u.id = t.user_id AND u.is_active"
        f" JOIN {table(Person)} p ON p.user_id = u.id"
        f" JOIN {table(Membership)} m ON m.person_id = p.id AND m.is_active"
        f" JOIN {table(Unit)} n ON n.id = m.unit_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL"
    )


def _fields(model: type[Model]) -> list[Any]:
    return list(model._meta.concrete_fields)


def _from_row[M: Model](model: type[M], row: tuple[Any, ...], start: int) -> M:
    db = connections[DEFAULT_DB_ALIAS]
    names, values = [], []
    for (name, converters, column), value in zip(
        _readers(model, db.vendor), row[start:], strict=False
    ):
        for convert in converters:
            value = convert(value, column, db)
        names.append(name)
        values.append(value)
    return model.from_db(db.alias, names, values)


def _converted(field: Any, value: Any) -> Any:
    """A raw column value as the ORM would hand it over (SQLite returns times as text)."""
    db = connections[DEFAULT_DB_ALIAS]
    column = field.get_col(field.model._meta.db_table)
    for convert in db.ops.get_db_converters(column) + field.get_db_converters(db):
        value = convert(value, column, db)
    return value


@cache
def _readers(model: type[Model], vendor: str) -> list[tuple[str, list[Any], Any]]:
    """For each column of `model`: its attribute name and what turns a raw value into the one
    the ORM hands over (SQLite returns times as text)."""
    db = connections[DEFAULT_DB_ALIAS]
    readers = []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        converters = db.ops.get_db_converters(column) + field.get_db_converters(db)
        readers.append((field.attname, converters, column))
    return readers


def _note_use(token_id: int, last_used_at: datetime | None, now: datetime | None) -> None:
    now = now or timezone.now()
    if last_used_at is None or now - last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)


def revoke_token(token: ApiToken, *, now: datetime | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
