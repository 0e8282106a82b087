"""Real app servers for tests that need other processes: gunicorn on a free loopback port,
pointed at the test's own PostgreSQL database (the processes need it by name); and the Redis
they share a cache through."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

# Tests that start servers skip on SQLite: its test database is in memory, out of their reach.
postgres_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the server processes need the test database by name (PostgreSQL)",
)


def redis_url() -> str:
    """TEST_REDIS_URL (CI sets it: a Redis that is not there fails the tests), else a local
    Redis on its usual port if one answers; tests needing it are skipped without one."""
    wanted = os.environ.get("TEST_REDIS_URL")
    url = wanted or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError:
        if wanted:
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (set TEST_REDIS_URL to require one)")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """The test database's address, for another process."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server(
    port: int, *, workers: int = 2, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:port, answering once this returns; its own process group, so a
    test can kill master and workers together."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=os.environ | {"DATABASE_URL": database_url()} | (env or {}),
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")
