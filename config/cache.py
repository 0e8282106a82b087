"""The shared cache (CACHE_URL) on Redis, forgiving when Redis is away.

The cache holds only the rate limits' counters. A Redis that is down or unreachable must not
turn every counted request (a citizen's report, an inspector's ping) into a 500: the counter
is then unknown, django-ratelimit lets the request through (RATELIMIT_FAIL_OPEN), and each
miss is logged. The limits come back with Redis.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (ConnectionError, TimeoutError)


class ForgivingRedisCache(RedisCache):
    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except UNREACHABLE as error:
            _missed("add", error)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except UNREACHABLE as error:
            _missed("incr", error)
            raise ValueError("the cache is unreachable") from error  # as for a missing key

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            _missed("get", error)
            return None


def _missed(operation: str, error: Exception) -> None:
    log.error(
        "Cache unreachable (%s: %s): rate limits are not counted", operation, type(error).__name__
    )
