"""Console lists and the case page with a million cases: latency through HTTP, on a real server.

    .venv/bin/python benchmarks/console_lists.py [--server postgres://postgres@127.0.0.1:5432/test]
        [--cases 1000000] [--requests 200] [--warm-up 10] [--workers 2] [--random-page-cost 1.1]

On the given PostgreSQL server the script creates (or reuses) a scratch database
`urbangrid_consoles`, migrates it and loads the demo (once). It then clones the demo's cases
in SQL until there are --cases of them (once; about five minutes for a million): each clone
keeps the shape the workflow gave its model case but gets a number of its own, a status from
a realistic mix (most closed, a few in each open status), a place from the demo's unit grids,
a handling unit, a channel, a report time over three years and deadlines that fit its status;
one in fifty led by a unit is co-handled by another. It starts gunicorn (config.wsgi,
--workers sync workers, DEBUG off), signs in as each demo post through the login form, opens
its desk (which chooses the post), and times GETs one after another from one client: the
desk, the case list in each of its views, filtered, sorted and paged, and case pages. Each kind
is timed --requests times after --warm-up untimed rounds, the kinds taking turns; p50, p95,
p99 and max are printed as a Markdown table, and a kind whose p99 reaches 100 ms is flagged.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.intake import HOST, PORT, PRODUCTION, percentile, scratch_database, start_server  # noqa: E402

DATABASE = "urbangrid_consoles"
TARGET_MS = 100.0


def prepare(url: str) -> None:
    """Migrate and load the demo once, in this process (which then reads cases by the ORM)."""
    os.environ.update(PRODUCTION, DATABASE_URL=url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cases.models import Case

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Case.objects.filter(request_id__startswith="demo-").exists():
        print("Loading the demo into the scratch database…")
        call_command("load_demo", quiet=True)


# What the clones' statuses are, as a share of all cases: most closed long ago, a few per cent
# open in each open status, the open ones reported over the last month. Each status is cloned
# from demo cases in `model` status (the demo has no case left verifying, accepted, …).
MIX = {  # status: (share, model)
    "closed": (0.875, "closed"), "declined": (0.02, "declined"), "rejected": (0.015, "rejected"),
    "voided": (0.008, "voided"), "merged": (0.004, "merged"), "suspended": (0.008, "suspended"),
    "reported": (0.004, "reported"), "verifying": (0.003, "reported"),
    "accepted": (0.003, "reported"), "self_handled": (0.002, "reported"),
    "filed": (0.004, "filed"), "dispatched": (0.008, "dispatched"),
    "handling": (0.035, "handling"), "handled": (0.005, "handled"),
    "checking": (0.003, "handled"), "checked": (0.003, "handled"),
}  # fmt: skip
CHANNELS = {
    "inspector": 0.55, "hotline": 0.2, "app": 0.1, "web": 0.04, "police": 0.03, "camera": 0.05,
    "open311": 0.02, "leader": 0.01,
}  # fmt: skip
PUBLIC = "('hotline', 'web', 'app', 'police', 'open311')"
CLOSED_KIND = ("closed", "declined", "rejected", "voided", "merged")


def ranges(shares: dict[str, float]) -> list[tuple[str, float, float]]:
    """Each key with its slice of [0, 1), so that a uniform random number picks it."""
    total, low, found = sum(shares.values()), 0.0, []
    for key, share in shares.items():
        found.append((key, low, low + share / total))
        low += share / total
    return [*found[:-1], (found[-1][0], found[-1][1], 1.0)]


def bulk_load(url: str, target: int, seed: int) -> None:
    """Clone the demo's cases in SQL until there are `target` cases, then analyse them."""
    with psycopg.connect(url) as db:
        have = db.execute("SELECT count(*) FROM cases_case").fetchone()[0]  # type: ignore[index]
        if have >= target:
            print(f"{have:,} cases already loaded")
            return
        started = time.perf_counter()
        last = db.execute("SELECT coalesce(max(id), 0) FROM cases_case").fetchone()[0]  # type: ignore[index]
        db.execute("SELECT setseed(%s)", [seed / 1000])
        fill_tables(db)
        db.execute(PLAN.format(count=int(target - have)))
        columns = [
            row[0]
            for row in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'cases_case' AND column_name <> 'id' ORDER BY ordinal_position"
            )
        ]
        chosen = [CLONE.get(column, f"t.{column}") for column in columns]
        db.execute(
            f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {', '.join(chosen)} "
            "FROM plan p JOIN cases_case t ON t.id = p.model_id JOIN places pl ON pl.k = p.place "
            "JOIN units u ON u.k = p.unit JOIN channels ch ON p.r_channel >= ch.low "
            "AND p.r_channel < ch.high ORDER BY p.created_at"
        )
        db.execute(CO_HANDLING.format(last=int(last)))
        db.execute(NUMBERS)
        db.commit()
        loaded = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE cases_case")
        db.execute("VACUUM ANALYZE cases_cohandling")
    print(
        f"loaded {target - have:,} cases in {loaded:.0f} s, vacuumed and analysed in "
        f"{time.perf_counter() - started - loaded:.0f} s"
    )


def fill_tables(db: psycopg.Connection) -> None:
    """Temporary tables the clones are drawn from: statuses, models, places, units, channels."""
    import shapely

    from geo.models import UnitGrid
    from org.models import Unit

    db.execute("CREATE TEMP TABLE mix (status text, model text, low float8, high float8)")
    db.execute("CREATE TEMP TABLE channels (channel text, low float8, high float8)")
    with db.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO mix VALUES (%s, %s, %s, %s)",
            [(status, MIX[status][1], low, high) for status, low, high in
             ranges({status: share for status, (share, _model) in MIX.items()})],
        )  # fmt: skip
        cursor.executemany("INSERT INTO channels VALUES (%s, %s, %s)", ranges(CHANNELS))
    db.execute(
        "CREATE TEMP TABLE models AS SELECT status AS model, id, row_number() OVER "
        "(PARTITION BY status ORDER BY id) AS k, count(*) OVER (PARTITION BY status) AS n "
        "FROM cases_case WHERE request_id LIKE 'demo-%'"
    )
    db.execute(
        "CREATE TEMP TABLE places (k int PRIMARY KEY, grid_id bigint, community_id bigint, "
        "street_id bigint, territory_unit_id bigint, point bytea)"
    )
    grids = UnitGrid.objects.select_related("community__street").order_by("id")
    with db.cursor().copy("COPY places FROM STDIN") as copy:
        for k, grid in enumerate(grids, 1):
            street = grid.community.street
            point = shapely.to_wkb(grid.boundary.point_on_surface())
            copy.write_row((k, grid.pk, grid.community_id, street.pk, street.office_id, point))
    db.execute("CREATE TEMP TABLE units (k int PRIMARY KEY, id bigint)")
    units = Unit.objects.active().handling().order_by("code").values_list("id", flat=True)
    with db.cursor() as cursor:
        cursor.executemany("INSERT INTO units VALUES (%s, %s)", list(enumerate(units, 1)))


OPEN = "p.status NOT IN ('closed', 'declined', 'rejected', 'voided', 'merged', 'suspended')"
# One row per clone: its status, model case, random draws and the time it is anchored at:
# closed ones at their closing over three years, suspended ones at their suspension over the
# last year, open ones at their report over the last month (most of them recent).
PLAN = f"""
CREATE TEMP TABLE plan AS
SELECT g.*, mix.status, models.id AS model_id,
       CASE WHEN mix.status IN {CLOSED_KIND} THEN now() - g.r_time * interval '3 years'
            WHEN mix.status = 'suspended' THEN now() - g.r_time * interval '1 year'
            ELSE now() - g.r_time * g.r_time * interval '30 days' END AS anchor
FROM (SELECT n, random() AS r_status, random() AS r_model, random() AS r_time,
             random() AS r_step, random() AS r_due, random() AS r_extra, random() AS r_channel,
             1 + floor(random() * (SELECT count(*) FROM places))::int AS place,
             1 + floor(random() * (SELECT count(*) FROM units))::int AS unit
      FROM generate_series(1, {{count}}) AS n) AS g
JOIN mix ON g.r_status >= mix.low AND g.r_status < mix.high
JOIN models ON models.model = mix.model AND models.k = 1 + floor(g.r_model * models.n)::int;
ALTER TABLE plan ADD COLUMN shift interval, ADD COLUMN step_at timestamptz;
UPDATE plan p SET
  shift = CASE WHEN p.status IN {CLOSED_KIND} THEN p.anchor - t.closed_at
               WHEN p.status = 'suspended' THEN p.anchor - t.suspended_at
               ELSE p.anchor - t.created_at END,
  -- an open case's current step began at most three days ago
  step_at = now() - p.r_step * least(now() - p.anchor, interval '3 days')
FROM cases_case t WHERE t.id = p.model_id;
ALTER TABLE plan ADD COLUMN created_at timestamptz, ADD COLUMN number text;
UPDATE plan p SET created_at = CASE WHEN {OPEN} THEN p.anchor ELSE t.created_at + p.shift END
FROM cases_case t WHERE t.id = p.model_id;
-- Numbers as reporting gives them: the year, then the order of reporting within the year
-- after the numbers given already.
WITH given AS (
  SELECT substr(number, 1, 4)::int AS year, max(substr(number, 5)::int) AS last
  FROM cases_case GROUP BY 1
), numbered AS (
  SELECT n, extract(year FROM created_at)::int AS year,
         row_number() OVER (PARTITION BY extract(year FROM created_at) ORDER BY created_at, n)
           AS serial
  FROM plan
)
UPDATE plan p SET number = x.year || lpad((x.serial + coalesce(g.last, 0))::text, 6, '0')
FROM numbered x LEFT JOIN given g ON g.year = x.year WHERE p.n = x.n
"""
STEP = "p.step_at + (t.{0} - t.step_started_at)"  # the model's step length, from step_at
AFTER_DISPATCH = "('dispatched', 'handling')"
HANDLED = "('handled', 'checking', 'checked')"
# What a clone takes other than its model's value (numbers are given afterwards).
CLONE = {
    "number": "p.number",
    "request_id": "NULL",
    "request_digest": "''",
    "status": "p.status",
    "channel": "ch.channel",
    "point": "pl.point",
    "grid_id": "pl.grid_id",
    "community_id": "pl.community_id",
    "street_id": "pl.street_id",
    "territory_unit_id": "pl.territory_unit_id",
    "contact_name": f"CASE WHEN ch.channel IN {PUBLIC} THEN '王女士' ELSE '' END",
    "contact_phone": f"""CASE WHEN ch.channel IN {PUBLIC}
        THEN '1380013' || lpad((p.n % 10000)::text, 4, '0') ELSE '' END""",
    "responsible_unit_id": "CASE WHEN t.responsible_unit_id IS NOT NULL THEN u.id END",
    "suggested_unit_id": "CASE WHEN t.suggested_unit_id IS NOT NULL THEN u.id END",
    "suggestion_rule_id": "NULL",
    "team_id": "NULL",
    "component_id": "NULL",
    "created_at": "p.created_at",
    "step_started_at": f"CASE WHEN {OPEN} THEN p.step_at ELSE t.step_started_at + p.shift END",
    "due_at": f"CASE WHEN {OPEN} THEN {STEP.format('due_at')} END",
    "warn_at": f"CASE WHEN {OPEN} THEN {STEP.format('warn_at')} END",
    "handling_due_at": f"""CASE
        WHEN p.status IN {AFTER_DISPATCH} THEN now() + (p.r_due * 8 - 2) * interval '1 day'
        WHEN p.status IN {HANDLED} THEN p.step_at + (p.r_due * 4 - 0.5) * interval '1 day'
        WHEN {OPEN} THEN NULL ELSE t.handling_due_at + p.shift END""",
    "filed_at": f"""CASE WHEN {OPEN} THEN least(t.filed_at + p.shift, p.step_at)
        ELSE t.filed_at + p.shift END""",
    "dispatched_at": f"""CASE WHEN {OPEN} THEN least(t.dispatched_at + p.shift, p.step_at)
        ELSE t.dispatched_at + p.shift END""",
    "handled_at": f"""CASE WHEN p.status IN {HANDLED} THEN p.step_at WHEN {OPEN} THEN NULL
        ELSE t.handled_at + p.shift END""",
    "closed_at": "t.closed_at + p.shift",
    "suspended_at": "t.suspended_at + p.shift",
    "urge_due_at": f"""CASE WHEN p.status IN {AFTER_DISPATCH} AND p.r_extra < 0.05
        THEN now() + interval '1 day' END""",
    "urge_count": f"CASE WHEN p.status IN {AFTER_DISPATCH} AND p.r_extra < 0.05 THEN 1 ELSE 0 END",
    # A few decisions waiting: voids early on, returns, extensions and suspensions while
    # handled, overdue appeals after closing.
    "pending_request": f"""CASE
        WHEN p.status IN ('reported', 'accepted') AND p.r_extra < 0.02 THEN 'void'
        WHEN p.status IN {AFTER_DISPATCH} AND p.r_extra >= 0.94 THEN
            (ARRAY['return', 'extension', 'suspension'])[1 + floor((p.r_extra - 0.94) * 50)::int]
        WHEN p.status = 'closed' AND p.r_extra < 0.0005 THEN 'appeal'
        WHEN p.status = 'closed' AND p.r_extra < 0.001 THEN 'appeal_final'
        ELSE '' END""",
    "pending_minutes": f"""CASE WHEN p.status IN {AFTER_DISPATCH}
        AND p.r_extra >= 0.96 AND p.r_extra < 0.98 THEN 240 END""",
    # Public reports are called back within days of closing.
    "satisfaction": f"""CASE WHEN p.status <> 'closed' OR ch.channel NOT IN {PUBLIC}
            OR p.anchor > now() - interval '3 days' THEN ''
        ELSE (ARRAY['satisfied', 'basically', 'dissatisfied'])[1 + floor(p.r_extra * 3)::int]
        END""",
}  # fmt: skip
# One case in fifty that a unit leads is co-handled by another unit, which has answered unless
# the case is still being handled.
CO_HANDLING = """
INSERT INTO cases_cohandling (case_id, unit_id, replied_at, reply)
SELECT c.id, u.id, CASE WHEN c.status NOT IN ('dispatched', 'handling') OR random() < 0.5
                        THEN coalesce(c.handled_at, c.closed_at, c.step_started_at) END, ''
FROM (SELECT id, status, handled_at, closed_at, step_started_at, responsible_unit_id,
             1 + floor(random() * (SELECT count(*) FROM units))::int AS k
      FROM cases_case WHERE id > {last} AND responsible_unit_id IS NOT NULL
      AND random() < 0.02) AS c
JOIN units u ON u.k = c.k AND u.id <> c.responsible_unit_id
"""
# Each year's sequence of numbers goes on from the last number given.
NUMBERS = """
DO $$ DECLARE y int; last int; BEGIN
  FOR y, last IN SELECT substr(number, 1, 4)::int, max(substr(number, 5)::int)
                 FROM cases_case GROUP BY 1 LOOP
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS cases_number_%s', y);
    PERFORM setval(format('cases_number_%s', y), last);
  END LOOP;
END $$;
"""


# -- through HTTP -----------------------------------------------------------------------------

PASSWORD = "ug-demo-2026"
POSTS = {"dispatcher": "dispatcher", "acceptor": "acceptor", "shiftleader": "shift_leader",
         "handler": "handler", "leader": "leader"}  # fmt: skip  # demo user: the desk they open


class Browser:
    """One person's browser: a connection (kept alive if the server keeps it) and cookies."""

    def __init__(self) -> None:
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        """The status, the page and the milliseconds from sending to the last byte."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        page = response.read()
        milliseconds = (time.perf_counter() - started) * 1000
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _equals, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, page.decode(), milliseconds


def sign_in(username: str, desk: str) -> Browser:
    """Sign in through the login form, then open the desk, which chooses the post."""
    browser = Browser()
    _status, page, _ms = browser.send("GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
    status, _page, _ms = browser.send("POST", "/login/", urlencode(form))
    assert status == 302, f"{username} could not sign in ({status})"
    status, _page, _ms = browser.send("GET", f"/work/{desk}/")
    assert status == 200, f"{username} could not open the {desk} desk ({status})"
    return browser


def kinds_for(username: str, desk: str, rng: random.Random) -> dict[str, list[str]]:
    """Each kind of request the post makes, with the URLs it cycles through."""
    from django.contrib.auth.models import User

    from cases.models import Case, Channel, Status
    from consoles.queues import QUEUES
    from geo.models import Street
    from org.access import Actor
    from org.models import Unit
    from simulate.demo_org import DEMO_PASSWORD

    assert DEMO_PASSWORD == PASSWORD
    actor = Actor.of(User.objects.get(username=username), desk)
    streets = list(Street.objects.values_list("id", flat=True))
    units = list(Unit.objects.active().handling().values_list("id", flat=True))
    visible = Case.objects.visible_to(actor).order_by("?").values_list("number", flat=True)
    years = range(2024, 2027)

    def listed(**params: object) -> str:
        return "/cases/?" + urlencode({"view": "all", **params})

    kinds = {
        "desk": [f"/work/{desk}/"],
        "list: default view": ["/cases/"],
        "list: all": [listed()],
        "list: overdue": [listed(view="overdue")],
        **{f"queue: {queue.key}": [listed(view=queue.key)] for queue in QUEUES[desk]},
        "filter: status": [listed(status=status) for status in Status.values],
        "filter: street": [listed(street=street) for street in streets],
        "filter: unit": [listed(unit=unit) for unit in units],
        "filter: light red": [listed(light="red")],
        "filter: light yellow": [listed(light="yellow")],
        "filter: channel": [listed(channel=channel) for channel in Channel.values],
        "filter: a month": [
            listed(since=f"{year}-{month:02d}-01", until=f"{year}-{month:02d}-28")
            for year in years for month in range(1, 12)
        ],
        # The first 7 of a number's 10 digits: about a thousand cases.
        "filter: number prefix": [listed(number=f"{rng.choice(years)}{rng.randrange(300):03d}")
                                  for _n in range(20)],
        "sort: number": [listed(sort="number")],
        "page 10 of all": [listed(page=10)],
        "page 20 of all (the last)": [listed(page=20)],
        "case page": [f"/cases/{number}/" for number in visible[:50]],
    }  # fmt: skip
    for urls in kinds.values():
        rng.shuffle(urls)
    if username in SAME_LISTS:  # a district-wide post: the filtered lists are the dispatcher's
        kinds = {kind: urls for kind, urls in kinds.items() if not kind.startswith(SHARED)}
    return {f"{username}: {kind}": urls for kind, urls in kinds.items()}


# Every district-wide post sees all cases, so its filtered, sorted and paged lists are the same
# queries as the dispatcher's: timed once, for the dispatcher (and for the handler's unit).
SAME_LISTS = ("acceptor", "shiftleader", "leader")
SHARED = ("filter:", "sort:", "page ")


type Timed = dict[str, list[float]]


def measure(requests: int, warm_up: int, seed: int) -> tuple[Timed, dict[str, str]]:
    """Time every kind `requests` times after `warm_up` rounds, one request at a time, the
    kinds taking turns so that a slower moment of the machine falls on all of them."""
    rng = random.Random(seed)
    plan: list[tuple[Browser, str, list[str]]] = []
    for username, desk in POSTS.items():
        browser = sign_in(username, desk)
        plan += [(browser, kind, urls) for kind, urls in kinds_for(username, desk, rng).items()]
    timed: Timed = defaultdict(list)
    shown: dict[str, str] = {}
    for round_ in range(warm_up + requests):
        for browser, kind, urls in plan:
            status, page, milliseconds = browser.send("GET", urls[round_ % len(urls)])
            assert status == 200, f"{kind}: {urls[round_ % len(urls)]} answered {status}"
            if round_ >= warm_up:
                timed[kind].append(milliseconds)
            elif round_ == 0:
                shown[kind] = what_it_shows(page)
    return timed, shown


def what_it_shows(page: str) -> str:
    """A list's count line and how many rows its page has: that it finds cases, or not."""
    count = re.search(r'data-testid="count">([^<]*)<', page)
    if count is None:
        return ""
    table = page.split('data-testid="case-list"')[1].split("</table>")[0]
    return f"{count[1].strip()}; {table.count('href="/cases/')} rows"


def report(timed: Timed, shown: dict[str, str]) -> None:
    """A Markdown table: each kind's percentiles, what its first page showed, and a flag."""
    print("| request | n | p50 ms | p95 ms | p99 ms | max ms | shows |")
    print("|---|---:|---:|---:|---:|---:|---|")
    every = [milliseconds for kind_ms in timed.values() for milliseconds in kind_ms]
    for kind, ms in [*timed.items(), ("all requests", every)]:
        p99 = percentile(ms, 0.99)
        flag = " **≥ 100 ms**" if p99 >= TARGET_MS else ""
        print(
            f"| {kind} | {len(ms)} | {percentile(ms, 0.5):.1f} | {percentile(ms, 0.95):.1f} | "
            f"{p99:.1f}{flag} | {max(ms):.1f} | {shown.get(kind, '')} |"
        )
    slow = [kind for kind, ms in timed.items() if percentile(ms, 0.99) >= TARGET_MS]
    print(f"\n{len(slow)} of {len(timed)} kinds at p99 ≥ {TARGET_MS:.0f} ms: {', '.join(slow)}")


def main() -> None:
    from benchmarks.intake import SERVERS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind")
    parser.add_argument("--warm-up", type=int, default=10, help="untimed rounds first")
    parser.add_argument("--server-kind", choices=sorted(SERVERS), default="gunicorn-sync")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--random-page-cost", type=float, default=1.1,
        help="PostgreSQL's cost of a random page read: 1.1 for SSD or memory (its default, 4, "
        "is for spinning disks)",
    )  # fmt: skip
    args = parser.parse_args()

    url = scratch_database(args.server, DATABASE)
    with psycopg.connect(url, autocommit=True) as db:  # for the server's new connections
        db.execute(f"ALTER DATABASE {DATABASE} SET random_page_cost = {args.random_page_cost}")
    prepare(url)
    bulk_load(url, args.cases, args.seed)
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{args.server_kind}, {args.workers} workers; one client, one request at a time"
    )
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    server = start_server(url, args.server_kind, args.workers)
    started = time.perf_counter()
    try:
        timed, shown = measure(args.requests, args.warm_up, args.seed)
    finally:
        server.terminate()
        server.wait()
    print(f"{sum(map(len, timed.values())):,} timed requests in "
          f"{time.perf_counter() - started:.0f} s (with the warm-up and signing in)")  # fmt: skip
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    report(timed, shown)


if __name__ == "__main__":
    main()
