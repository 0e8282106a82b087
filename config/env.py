"""Typed readers for settings that come from environment variables.

Each helper either returns a value of the promised type or raises ImproperlyConfigured with a
message naming the variable, the bad value and what would be accepted, so a mistyped deployment
fails at start-up instead of behaving oddly later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads variables from a mapping (os.environ by default, a dict in tests)."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def _raw(self, name: str) -> str | None:
        value = self.source.get(name)
        return None if value is None else value.strip()

    def _fail(self, name: str, value: str, expected: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")

    def string(self, name: str, default: str | None = None) -> str:
        value = self._raw(name)
        if value:
            return value
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default

    def boolean(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self._fail(name, value, "one of 1/0, true/false, yes/no, on/off")

    def integer(
        self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        value = self._raw(name)
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            raise self._fail(name, value, "a whole number") from None
        if minimum is not None and number < minimum:
            raise self._fail(name, value, f"a whole number of at least {minimum}")
        if maximum is not None and number > maximum:
            raise self._fail(name, value, f"a whole number of at most {maximum}")
        return number

    def string_list(self, name: str, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return default
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise self._fail(name, value, "a comma-separated list without empty items")
        return items

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self._raw(name) or default
        if value not in choices:
            raise self._fail(name, value, "one of " + ", ".join(choices))
        return value

    def path(self, name: str, default: Path) -> Path:
        value = self._raw(name)
        if not value:
            return default
        path = Path(value)
        if not path.is_absolute():
            raise self._fail(name, value, "an absolute path")
        return path

    def url(self, name: str, schemes: tuple[str, ...]) -> str:
        """A URL with one of `schemes` and somewhere to go ("" when unset)."""
        value = self._raw(name)
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.netloc or parts.path.strip("/")):
            expected = " or ".join(f"{scheme}://…" for scheme in schemes)
            raise self._fail(name, value, f"a URL such as {expected}")
        return value

    def time_zone(self, name: str, default: str) -> str:
        value = self._raw(name) or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail(name, value, "an IANA time zone such as Asia/Shanghai") from None
        return value

    def time_periods(self, name: str, default: str) -> tuple[tuple[time, time], ...]:
        """Ordered, non-overlapping periods of a day: "08:30-12:00,14:00-17:30"."""
        value = self._raw(name) or default
        expected = "ordered periods like 08:30-12:00,14:00-17:30"
        periods = []
        try:
            for item in value.split(","):
                start, end = (time.fromisoformat(part.strip()) for part in item.split("-"))
                periods.append((start, end))
        except ValueError:
            raise self._fail(name, value, expected) from None
        ends = [time.min] + [end for _start, end in periods]
        if any(not (ends[k] <= start < end) for k, (start, end) in enumerate(periods)):
            raise self._fail(name, value, expected)
        return tuple(periods)

    def positive_number(self, name: str, default: float | None) -> float | None:
        value = self._raw(name)
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            raise self._fail(name, value, "a positive number") from None
        if not 0 < number < 24:
            raise self._fail(name, value, "a positive number of hours below 24")
        return number

    def database(self, name: str, default_sqlite: Path) -> dict[str, Any]:
        """DATABASE_URL for PostgreSQL (psycopg 3) or SQLite; a file under var/ when unset."""
        value = self._raw(name)
        if not value:
            return {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": default_sqlite,
                # A busy connection waits instead of failing at once with "database is locked".
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            }
        try:
            checks = self.boolean("DATABASE_HEALTH_CHECKS", default=True)
            config = dict(dj_database_url.parse(value, conn_max_age=60, conn_health_checks=checks))
        except ValueError as error:
            raise self._fail(name, value, f"a database URL ({error})") from None
        engine = config.get("ENGINE", "")
        if engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
            raise self._fail(name, value, "a postgres:// or sqlite:/// URL")
        if engine.endswith("postgresql") and not config.get("NAME"):
            raise self._fail(name, value, "a postgres:// URL that names a database")
        if engine.endswith("postgresql"):
            # Statements a connection runs again are prepared once: PostgreSQL then parses
            # them no more (a third less of its CPU per report, measured). Not for a
            # transaction-pooling PgBouncer in front of the database: there,
            # ?server_side_binding=false in DATABASE_URL turns it off. Each run is still
            # planned for its values: a plan made once for any value cannot use a partial
            # index (the leader's appeals took 0.45 s instead of 5 ms at a million cases);
            # writes switch back to reusing plans (config.middleware.PlansByMethod).
            options = dict(cast("dict[str, Any]", config.get("OPTIONS") or {}))
            prepared = {
                "server_side_binding": True,
                "prepare_threshold": 2,
                "options": "-c plan_cache_mode=force_custom_plan",
            }
            config["OPTIONS"] = prepared | options  # the URL's own options win
        return config

    def media_storage(self, name: str) -> dict[str, Any]:
        """Where uploaded files go: a folder (`filesystem`) or a bucket of any S3-compatible
        store (`s3`, django-storages), read from S3_* variables. Either way the files are
        private: the app serves each one itself, to those who may see it."""
        kind = self.choice(name, default="filesystem", choices=("filesystem", "s3"))
        if kind == "filesystem":  # in MEDIA_ROOT
            return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.string("S3_BUCKET"),
                # Unset: Amazon S3 itself; MinIO, Ceph or a cloud's OSS/COS give theirs.
                "endpoint_url": self.url("S3_ENDPOINT_URL", schemes=("https", "http")) or None,
                "region_name": self.string("S3_REGION", default="") or None,
                # Unset: boto3's own chain (AWS_* variables, an instance's role).
                "access_key": self.string("S3_ACCESS_KEY_ID", default="") or None,
                "secret_key": self.string("S3_SECRET_ACCESS_KEY", default="") or None,
                "addressing_style": {"auto": None, "path": "path", "virtual": "virtual"}[
                    self.choice("S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual"))
                ],
                "default_acl": None,  # no public-read: the bucket's private default
                "querystring_auth": True,  # any URL it makes is signed and expires
                "file_overwrite": False,  # like a folder: a name taken gets another
            },
        }
