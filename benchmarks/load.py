"""A bounded mixed load on a real server: every kind of client at once, for a given time.

    .venv/bin/python benchmarks/load.py [--server postgres://postgres@127.0.0.1:5432/postgres]
        [--seconds 180] [--workers 2] [--reporters 10] [--pingers 30] [--desks 30]
        [--citizens 6] [--partners 2]

On the given PostgreSQL server the script creates (or reuses) a scratch database
`urbangrid_load`, migrates it, loads the demo district (`manage.py load_demo`, once) and makes
what the clients need: API tokens for the demo inspectors, a partner key, and tracking codes
for a few cases. It starts gunicorn (config.wsgi, --workers sync workers, production settings:
DEBUG off) on a free loopback port, with the portal's per-IP limits raised (every client here
shares 127.0.0.1; PORTAL_LOOKUPS_PER_MINUTE and PORTAL_REPORTS_PER_HOUR in its environment)
and uploaded photos under var/load_media. Then, each in its own threads of this process, at a
fixed pace so that the load is bounded rather than as fast as possible:

- reporters: an inspector's report through the API (`POST /api/v1/cases`, a new request id at
  a random unit grid) and its photo (`POST /api/v1/cases/{number}/photos`, a 1024×768 JPEG),
  then a pause of 2 s;
- pingers: a signed-in inspector on duty sends its position (`POST /m/pings`) every 4 s, under
  the app's limit of 20 a minute;
- desks: a signed-in console user's open desk polls its live queue every 4 s, as htmx does
  (`GET /work/<desk>/live/?seen=…`, 204 when nothing changed), and the inbox badge every 15 s;
  the five demo posts and the units' duty terminals;
- citizens: the portal's tracking (`POST /public/track/` with number and code, then the case
  page it leads to), then a pause of 2 s;
- partners: a partner system's incident (`POST /api/v1/partners/incidents`) every 2 s.

The first --warm-up seconds of load are not timed (each worker's first requests fill its
caches). It prints, per kind of request: how many, errors, throughput, p50/p95/p99 latency;
and exits non-zero on any error (an unexpected status or a failed connection), warm-up
included. Client and server share the machine.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import random
import re
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.intake import django_for, percentile, scratch_database, start_server  # noqa: E402

DATABASE = "urbangrid_load"
HOST = "127.0.0.1"
PASSWORD = "ug-demo-2026"
DESKS = {"dispatcher": "dispatcher", "acceptor": "acceptor", "shiftleader": "shift_leader",
         "handler": "handler", "leader": "leader"}  # fmt: skip  # demo user: the desk they open
# The portal counts per client IP; every client here is 127.0.0.1.
RAISED_LIMITS = {"PORTAL_LOOKUPS_PER_MINUTE": "1000000", "PORTAL_REPORTS_PER_HOUR": "1000000"}
MEDIA = ROOT / "var" / "load_media"
TRACKED = 20  # cases given a tracking code for the citizens


@dataclass
class Setup:
    tokens: list[str]  # inspectors' API keys
    inspectors: list[str]  # their usernames
    terminals: list[str]  # units' duty terminal accounts (handler desk)
    partner_key: str
    tracked: list[tuple[str, str]]  # case number, tracking code
    points: list[tuple[float, float]]  # positions inside unit grids


def prepare(url: str, seed: int) -> Setup:
    django_for(url, MEDIA_ROOT=str(MEDIA))
    import shapely
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from cases.models import Case
    from geo.models import UnitGrid
    from intake.partners.keys import KEY_PREFIX, SHOWN_PREFIX, new_partner
    from intake.partners.models import Partner, PartnerKind
    from intake.portal.models import Receipt
    from intake.portal.receipts import issue_receipt, new_code
    from org.models import ApiToken
    from org.tokens import hash_key, issue_token

    if not UnitGrid.objects.exists():
        print("Loading the demo district into the scratch database (about a minute)…")
        call_command("load_demo", quiet=True)
    ApiToken.objects.filter(name="load-benchmark").delete()
    inspectors = list(User.objects.filter(username__startswith="inspector").order_by("username"))
    tokens = [issue_token(user, "load-benchmark")[1] for user in inspectors]
    terminals = User.objects.filter(username__startswith="unit_")  # each a unit's handler
    partner_key = KEY_PREFIX + uuid.uuid4().hex
    partner = Partner.objects.filter(code="load-benchmark").first()
    if partner is None:
        new_partner("load-benchmark", "负载测试", PartnerKind.IOT)
    Partner.objects.filter(code="load-benchmark").update(
        key_hash=hash_key(partner_key), prefix=partner_key[:SHOWN_PREFIX], revoked_at=None
    )
    chosen = list(Case.objects.order_by("pk")[:TRACKED])
    Receipt.objects.filter(case__in=chosen).delete()
    tracked = []
    for case in chosen:
        code = new_code()
        issue_receipt(case, code, timezone.now())
        tracked.append((case.number, code))
    grids = list(UnitGrid.objects.values_list("boundary", flat=True))
    rng = random.Random(seed)
    sample = [grids[rng.randrange(len(grids))].point_on_surface() for _ in range(2000)]
    points = [(float(x), float(y)) for x, y in shapely.get_coordinates(sample)]
    return Setup(
        tokens=tokens,
        inspectors=[user.username for user in inspectors],
        terminals=sorted(set(terminals.values_list("username", flat=True))),
        partner_key=partner_key,
        tracked=tracked,
        points=points,
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# -- the clients ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Milliseconds per kind of request, and what went wrong."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    since: float = float("inf")  # requests sent before are not timed (the warm-up)
    warm_up_errors: list[str] = field(default_factory=list)

    def add(self, kind: str, started: float, problem: str | None) -> None:
        milliseconds = (time.perf_counter() - started) * 1000
        with self.lock:
            if started < self.since:
                if problem is not None:  # an error is an error, warm or not
                    self.warm_up_errors.append(f"{kind}: {problem}")
                return
            self.times[kind].append(milliseconds)
            if problem is not None:
                self.errors[kind].append(problem)


class Browser:
    """One client: a connection (reopened when the server closes it) and its cookies."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.tally = tally

    def send(
        self, method: str, path: str, body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPResponse]:  # fmt: skip
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        self.connection.request(method, path, body, sent)
        response = self.connection.getresponse()
        answer = response.read()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _equals, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, answer, response

    def timed(
        self, kind: str, expected: tuple[int, ...], method: str, path: str,
        body: bytes | str | None = None, headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPResponse | None]:  # fmt: skip
        """A request counted under `kind`; any status not `expected` is an error."""
        started = time.perf_counter()
        try:
            status, answer, response = self.send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as failure:
            self.connection.close()
            self.tally.add(kind, started, repr(failure))
            return 0, b"", None
        problem = None if status in expected else f"{status} {path}: {answer[:200]!r}"
        self.tally.add(kind, started, problem)
        return status, answer, response

    def form_token(self, path: str) -> str:
        _status, page, _response = self.send("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        return found[1].decode()

    def sign_in(self, username: str) -> None:
        form = {"username": username, "password": PASSWORD,
                "csrfmiddlewaretoken": self.form_token("/login/")}  # fmt: skip
        status, _page, _response = self.send("POST", "/login/", urlencode(form), FORM)
        assert status == 302, f"{username} could not sign in ({status})"

    def json_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]}


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def jpeg() -> bytes:
    """A 1024×768 photo-like JPEG (noise compresses as badly as a street scene)."""
    from PIL import Image

    image = Image.effect_noise((1024, 768), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


type Loop = Callable[[Browser, random.Random], float]  # one round; returns the pause after it


def reporter(token: str, points: list[tuple[float, float]], photo: bytes) -> Loop:
    auth = {"Authorization": f"Bearer {token}"}

    def round_(browser: Browser, rng: random.Random) -> float:
        lon, lat = rng.choice(points)
        body = json.dumps({"channel": "inspector", "description": "路面有暴露垃圾",
                           "lon": lon, "lat": lat, "request_id": uuid.uuid4().hex})  # fmt: skip
        headers = {**auth, "Content-Type": "application/json"}
        status, answer, _r = browser.timed("report", (201,), "POST", "/api/v1/cases", body, headers)
        if status == 201:
            number = json.loads(answer)["number"]
            data, kind = multipart(
                {"stage": "report", "request_id": uuid.uuid4().hex}, "image", photo
            )
            path = f"/api/v1/cases/{number}/photos"
            browser.timed("photo", (201,), "POST", path, data, {**auth, "Content-Type": kind})
        return 2.0

    return round_


def pinger(points: list[tuple[float, float]]) -> Loop:
    def round_(browser: Browser, rng: random.Random) -> float:
        lon, lat = rng.choice(points)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        body = json.dumps({"pings": [{"at": at, "lon": lon, "lat": lat, "accuracy": 8}]})
        browser.timed("ping", (201,), "POST", "/m/pings", body, browser.json_headers())
        return 4.0

    return round_


def desk(role: str) -> Loop:
    seen: dict[str, str] = {"fingerprint": ""}
    badge_at = [0.0]
    htmx = {"HX-Request": "true"}

    def round_(browser: Browser, rng: random.Random) -> float:
        path = f"/work/{role}/live/?seen={seen['fingerprint']}"
        status, answer, _r = browser.timed("desk", (200, 204), "GET", path, None, htmx)
        if status == 200:
            found = re.search(rb"\?seen=([0-9a-zA-Z_-]+)", answer)
            seen["fingerprint"] = found[1].decode() if found else ""
        if time.monotonic() - badge_at[0] >= 15:
            browser.timed("badge", (200, 204), "GET", "/inbox/badge/", None, htmx)
            badge_at[0] = time.monotonic()
        return 4.0

    return round_


def citizen(tracked: list[tuple[str, str]], token: str) -> Loop:
    def round_(browser: Browser, rng: random.Random) -> float:
        number, code = rng.choice(tracked)
        form = {"number": number, "code": code, "csrfmiddlewaretoken": token}
        status, _a, response = browser.timed("track", (302,), "POST", "/public/track/",
                                             urlencode(form), FORM)  # fmt: skip
        if status == 302 and response is not None:
            browser.timed("case page", (200,), "GET", response.headers["Location"])
        return 2.0

    return round_


def partner(key: str, points: list[tuple[float, float]]) -> Loop:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def round_(browser: Browser, rng: random.Random) -> float:
        lon, lat = rng.choice(points)
        body = json.dumps({"incident_id": uuid.uuid4().hex, "description": "传感器报警：井盖位移",
                           "lon": lon, "lat": lat})  # fmt: skip
        browser.timed("incident", (201,), "POST", "/api/v1/partners/incidents", body, headers)
        return 2.0

    return round_


def run(browser: Browser, loop: Loop, seed: int, until: float, pace: float) -> None:
    """Rounds of `loop` until `until`, each followed by its pause, started at a random point
    of the first pause so that the clients do not all send at once."""
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, pace))
    while time.monotonic() < until:
        pause = loop(browser, rng)
        time.sleep(pause)


def clients(
    args: argparse.Namespace, setup: Setup, port: int, tally: Tally
) -> list[tuple[Browser, Loop, float]]:
    """Every client, signed in and ready: (its browser, its round, its pace)."""
    made: list[tuple[Browser, Loop, float]] = []
    photo = jpeg()
    for n in range(args.reporters):
        token = setup.tokens[n % len(setup.tokens)]
        made.append((Browser(port, tally), reporter(token, setup.points, photo), 2.0))
    for username in setup.inspectors[: args.pingers]:
        browser = Browser(port, tally)
        browser.sign_in(username)
        status, _a, _r = browser.send("POST", "/m/duty", json.dumps({"on_duty": True}),
                                      browser.json_headers())  # fmt: skip
        assert status == 200, f"{username} could not go on duty ({status})"
        made.append((browser, pinger(setup.points), 4.0))
    users = [*DESKS.items(), *((name, "handler") for name in setup.terminals)]
    for n in range(args.desks):
        username, role = users[n % len(users)]
        browser = Browser(port, tally)
        browser.sign_in(username)
        status, _page, _r = browser.send("GET", f"/work/{role}/")
        assert status == 200, f"{username} could not open the {role} desk ({status})"
        made.append((browser, desk(role), 4.0))
    for _ in range(args.citizens):
        browser = Browser(port, tally)
        token = browser.form_token("/public/track/")
        made.append((browser, citizen(setup.tracked, token), 2.0))
    for _ in range(args.partners):
        made.append((Browser(port, tally), partner(setup.partner_key, setup.points), 2.0))
    return made


# -- the result -------------------------------------------------------------------------------


def report(tally: Tally, seconds: float) -> int:
    print(f"\n{'request':<10} {'n':>7} {'errors':>6} {'per s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7}")  # fmt: skip
    errors = 0
    for kind, times in tally.times.items():
        wrong = len(tally.errors[kind])
        errors += wrong
        print(f"{kind:<10} {len(times):>7,} {wrong:>6} {len(times) / seconds:>7.1f} "
              f"{percentile(times, 0.50):>7.1f} {percentile(times, 0.95):>7.1f} "
              f"{percentile(times, 0.99):>7.1f}")  # fmt: skip
    total = sum(len(times) for times in tally.times.values())
    print(f"{'all':<10} {total:>7,} {errors:>6} {total / seconds:>7.1f}")
    errors += len(tally.warm_up_errors)
    for problem in tally.warm_up_errors[:5]:
        print(f"  during the warm-up: {problem}")
    for kind, problems in tally.errors.items():
        for problem in problems[:5]:
            print(f"  {kind}: {problem}")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reporters", type=int, default=10, help="a report and photo per 2 s each")
    parser.add_argument("--pingers", type=int, default=30, help="a position per 4 s each")
    parser.add_argument("--desks", type=int, default=30, help="a live-queue poll per 4 s each")
    parser.add_argument("--citizens", type=int, default=6, help="a tracking per 2 s each")
    parser.add_argument("--partners", type=int, default=2, help="an incident per 2 s each")
    parser.add_argument("--warm-up", type=float, default=10, help="seconds of load not timed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    url = scratch_database(args.server, DATABASE)
    setup = prepare(url, args.seed)
    port = free_port()
    server = start_server(url, "gunicorn-sync", args.workers, port=port,
                          environment=RAISED_LIMITS | {"MEDIA_ROOT": str(MEDIA)})  # fmt: skip
    tally = Tally()
    try:
        ready = clients(args, setup, port, tally)
        print(
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"gunicorn, {args.workers} sync workers; {len(ready)} clients, {args.seconds:.0f} s"
        )
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        # Each process's first requests fill its caches (templates, the catalogue, photos'
        # codecs): the load runs that long first, untimed.
        tally.since = time.perf_counter() + args.warm_up
        started = time.monotonic() + args.warm_up
        until = started + args.seconds
        threads = [
            threading.Thread(target=run, args=(browser, loop, args.seed + n, until, pace))
            for n, (browser, loop, pace) in enumerate(ready)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if report(tally, args.seconds):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
