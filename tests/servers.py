"""Real app servers for tests that need other processes: gunicorn on a free loopback port,
pointed at the test's own PostgreSQL database (the processes need it by name); and the Redis
they share a cache through."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# Production settings (DEBUG off: Django's handler500, not its debug page), for tests about what
# a deployed server answers. Static files are not collected: pages that link them fail.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "server-test-" + "x" * 50,
    "SECURE_SSL_REDIRECT": "false",
}


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds: a test waits for what it needs, not a fixed time that
    is too long on a fast machine and too short on a slow one."""
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """The test database's address, for another process."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server(
    port: int, *, workers: int = 2, env: dict[str, str] | None = None, database: str = ""
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:port, answering once this returns; its own process group, so a
    test can kill master and workers together. It serves the test database unless told
    another `database` (a URL)."""
    database = database or database_url()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=os.environ | {"DATABASE_URL": database} | (env or {}),
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (without collected static files the page cannot)
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


# PostgreSQL's own programs, for a private cluster: the newest installed (Debian's layout).
PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), "")
has_postgres_programs = pytest.mark.skipif(
    not PG_BIN, reason="a private PostgreSQL cluster needs initdb and pg_ctl"
)


class PrivateCluster:
    """A PostgreSQL cluster of the test's own, in a temporary folder, on a free port: a test
    may stop and start it without touching the machine's shared server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def run(self, program: str, *args: str, check: bool = True) -> None:
        # initdb and postgres refuse to run as root: as the postgres user then.
        command = [f"{PG_BIN}/{program}", *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "server.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, transactions in flight rolled back."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def copy_database(self, source: str, name: str) -> None:
        """`source` (a URL) as database `name` here, by pg_dump into psql."""
        subprocess.run([f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "postgres", name], check=True)  # fmt: skip
        dump = subprocess.Popen([f"{PG_BIN}/pg_dump", "--no-owner", source], stdout=subprocess.PIPE)
        subprocess.run(
            [f"{PG_BIN}/psql", "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            stdin=dump.stdout, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        assert dump.wait() == 0


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A started private cluster, stopped and removed at the end whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="urbangrid-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        cluster = PrivateCluster(folder)
        cluster.run("initdb", "-D", str(cluster.data), "-U", "postgres", "-A", "trust",
                    "--no-sync")  # fmt: skip
        cluster.start()
        try:
            yield cluster
        finally:
            # Whether it runs or not (a test may fail while it is stopped).
            cluster.run("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop",
                        check=False)  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
