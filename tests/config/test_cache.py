"""The shared cache (CACHE_URL): Redis through Django's own backend, so the portal's rate
limits, counted in the cache, hold across processes. Needs a Redis (tests/servers.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from intake.portal.limits import at_limit, over_limit
from tests.servers import free_port, redis_url

ROOT = Path(__file__).resolve().parents[2]
CACHES_PROBE = (
    "import config.settings as s; c = s.CACHES['default']; "
    "print(c['BACKEND'], c.get('LOCATION', '-'), c.get('KEY_PREFIX', '-'))"
)
# One process asks the portal's address-search limit (2 an hour for the test) `count` times,
# as a portal request from one address would, and prints whether each was over the limit.
COUNT_LOOKUPS = """
import sys, django
django.setup()
from django.test import RequestFactory
from intake.portal.limits import over_limit
request = RequestFactory().get("/public/addresses.json", REMOTE_ADDR="203.0.113.7")
print(*(over_limit(request, "portal-address", "2/h") for _ in range(int(sys.argv[1]))))
"""


def python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CACHE_")}
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env, check=False,
    )  # fmt: skip


def test_without_cache_url_each_process_keeps_its_own_cache() -> None:
    done = python(CACHES_PROBE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "-", "-"]


def test_cache_url_selects_redis_with_its_key_prefix() -> None:
    done = python(CACHES_PROBE, CACHE_URL="redis://cache.internal:6379/1", CACHE_KEY_PREFIX="ug")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "config.cache.ForgivingRedisCache", "redis://cache.internal:6379/1", "ug"
    ]  # fmt: skip


def test_a_cache_url_of_another_kind_stops_start_up() -> None:
    done = python(CACHES_PROBE, CACHE_URL="memcached://127.0.0.1:11211")
    assert done.returncode != 0
    assert "CACHE_URL='memcached://127.0.0.1:11211' is not valid" in done.stderr


def test_a_rate_limit_counted_by_one_process_holds_in_another_through_redis() -> None:
    shared = {"CACHE_URL": redis_url(), "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first = python(COUNT_LOOKUPS, "2", **shared)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["False", "False"]  # the two allowed, in one process
    second = python(COUNT_LOOKUPS, "1", **shared)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["True"]  # another process finds them used up


def test_without_a_shared_cache_another_process_starts_counting_afresh() -> None:
    first = python(COUNT_LOOKUPS, "2")
    second = python(COUNT_LOOKUPS, "1")
    assert (first.stdout.split(), second.stdout.split()) == (["False", "False"], ["False"])


def test_with_redis_away_the_limits_lapse_and_requests_go_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    away = {"default": {"BACKEND": "config.cache.ForgivingRedisCache", "LOCATION": nobody}}
    request = RequestFactory().get("/public/addresses.json", REMOTE_ADDR="203.0.113.7")
    with override_settings(CACHES=away), caplog.at_level("ERROR", logger="config.cache"):
        assert [over_limit(request, "portal-address", "1/h") for _ in range(3)] == [False] * 3
        assert at_limit(request, "portal-address", "1/h") is False
    assert "Cache unreachable (add: ConnectionError)" in caplog.text
