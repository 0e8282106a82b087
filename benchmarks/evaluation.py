"""A month's evaluation and the dashboard over a million cases with their event histories.

    .venv/bin/python benchmarks/evaluation.py [--server postgres://postgres@127.0.0.1:5432/test]
        [--cases 1000000] [--months 12] [--period 2026-11] [--repeat 3] [--explain] [--no-chain]

On the given PostgreSQL server the script creates (or reuses) a scratch database
`urbangrid_evaluation`, migrates it and loads the demo (once), with a few more acceptors,
shift leaders and dispatchers than the demo has (a city of this size has several on each
shift). It then clones the demo's cases in SQL, each with its whole event history and its
tasks, until there are --cases cases (once: a rerun finds them and goes straight to timing).

Each clone copies one of the demo's cases, which `load_demo` walked through the real workflow
(cases/workflow): its events are the real verbs in the real order with the real details and
state snapshots (report, send_verify/verify, accept, file, dispatch, sign, add_photo, feedback,
send_check, check, close, callback; and, as the demo's cases have them, returns, extensions,
suspensions and resumptions, reworks, urges and answers, voids, merges, declines, rejections,
special closings, overdue appeals, handling on the spot). The clone moves the whole history in
time (every event's time, the deadlines it recorded and the times in its state snapshot), puts
it in a random unit grid of the district (or at a random component's grid, when its model names
a component), gives it a handling unit of its own (a second unit where the model was returned
from a wrong one), the inspector of its grid's area, that unit's duty terminal and one of the
posts' staff as actors. Models are drawn as 90 % closed, 5 % ended otherwise (declined,
rejected, voided, merged), 1 % suspended and 4 % open.

Time spread: the cases are reported evenly over the --months months up to now (a closed case
early enough for its whole history to fit before now; an open one in the last 30 days, most
of them recent): about 83,000 cases a month for a million over a year, one big city's year
(DESIGN.md: the seed's district handled 500 a month; a city of ten million about 80,000).

Audit hashes of the clones are fake: each event links to the previous one's hash, but no hash
is the SHA-256 of its event, so `report.check_chain` finds every cloned event altered. Its
time is measured on its own (it reads and hashes every event of the month's cases, as it would
for a sound chain) and is not part of the evaluation's figure.

Timed (each --repeat times, the best and the median printed): the floor, one aggregate scan of
the month's events (`SELECT verb, count(*) … GROUP BY verb`); the month's evaluation, every
indicator of every kind (`build_report` without the chain check) and each kind on its own
(`evaluate`), the headline figures; the chain check; the dashboard's answers (today's live
counters, the 12-month trend, the 30 days, the rankings, hotspots and heat map, the failing
components) and the whole dashboard page through Django's test client. Then, settled
(evaluation/settlement.py): the trend's other months are settled untimed, the month's
settlement is timed (it counts every figure live, as above, over the district and over the
demo street leader's territory, and keeps them), and the month's evaluation, each kind, the
headline, the street's evaluation, the trend, the unit ranking and the dashboard page are
timed again reading the settled counts. Settlements are dropped at the start of each run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.console_lists import prepare as prepare_demo  # noqa: E402
from benchmarks.intake import HOST, scratch_database  # noqa: E402

DATABASE = "urbangrid_evaluation"
# The posts' staff beyond the demo's one each: (username prefix, role, unit code, how many).
STAFF = [("bench_acceptor", "acceptor", "C01", 12), ("bench_shiftleader", "shift_leader", "C01", 6),
         ("bench_dispatcher", "dispatcher", "C02", 8)]  # fmt: skip
# The share of clones drawn from each group of the demo's cases.
GROUPS = {"closed": 0.90, "ended": 0.05, "suspended": 0.01, "open": 0.04}
ENDED = "('declined', 'rejected', 'voided', 'merged')"
# The times a state snapshot holds (cases/audit.py STATE_FIELDS), moved with the history.
STATE_TIMES = ("step_started_at", "due_at", "handling_due_at", "suspended_at", "urge_due_at",
               "filed_at", "dispatched_at", "handled_at", "closed_at")  # fmt: skip


def prepare(url: str) -> None:
    """Migrate, load the demo once (as the consoles' benchmark does) and add the posts'
    staff, in this process."""
    prepare_demo(url)
    from org.models import Unit
    from org.roles import Scope
    from simulate.demo_org import _account

    for prefix, role, unit, count in STAFF:
        for n in range(1, count + 1):
            name = f"{prefix}{n:02d}"
            _account(name, name, role, Unit.objects.get(code=unit), Scope.DISTRICT)


# -- the bulk load ----------------------------------------------------------------------------


def bulk_load(url: str, target: int, months: int, seed: int) -> None:
    """Clone the demo's cases with their events and tasks until there are `target` cases."""
    with psycopg.connect(url) as db:
        have = db.execute("SELECT count(*) FROM cases_case").fetchone()[0]  # type: ignore[index]
        if have >= target:
            print(f"{have:,} cases already loaded: loading skipped")
            return
        count = target - have
        print(f"Cloning {count:,} cases with their events and tasks…")
        started = time.perf_counter()
        db.execute("SELECT setseed(%s)", [seed / 1000])
        for name, sql in SETUP:
            step = time.perf_counter()
            db.execute(sql.format(count=count, months=months, groups=group_ranges()))
            print(f"  {name}: {time.perf_counter() - step:.1f} s")
        columns = [
            row[0]
            for row in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'cases_case' ORDER BY ordinal_position"
            )
        ]
        times = {
            row[0]
            for row in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'cases_case' AND data_type = 'timestamp with time zone'"
            )
        }
        chosen = [CASE.get(c, f"t.{c} + cl.shift" if c in times else f"t.{c}") for c in columns]
        for name, sql in [
            ("cases", INSERT_CASES.format(columns=", ".join(columns), chosen=", ".join(chosen))),
            ("tasks", INSERT_TASKS),
            ("numbers", NUMBERS),
        ]:
            step = time.perf_counter()
            db.execute(sql)
            print(f"  {name}: {time.perf_counter() - step:.1f} s")
            if name == "cases":
                insert_events(db)
        db.commit()
        loaded = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as db:
        for table in ("cases_case", "cases_caseevent", "cases_task"):
            db.execute(f"VACUUM ANALYZE {table}")
    print(
        f"loaded {count:,} cases in {loaded:.0f} s, vacuumed and analysed in "
        f"{time.perf_counter() - started - loaded:.0f} s"
    )


def group_ranges() -> str:
    """The groups as a VALUES list of (group, low, high) slices of [0, 1)."""
    low, found = 0.0, []
    for n, (group, share) in enumerate(GROUPS.items(), 1):
        high = 2.0 if n == len(GROUPS) else low + share  # the last takes what rounding leaves
        found.append(f"('{group}', {low}, {high})")
        low += share
    return ", ".join(found)


SETUP = [
    (
        "models",
        f"""
CREATE TEMP TABLE models AS
SELECT c.id, c.created_at, c.responsible_unit_id, c.component_id IS NOT NULL AS on_component,
       x.last_at, x.last_seq, x.grp,
       row_number() OVER (PARTITION BY x.grp ORDER BY c.id) AS k,
       count(*) OVER (PARTITION BY x.grp) AS n
FROM cases_case c
JOIN LATERAL (
  SELECT max(e.at) AS last_at, max(e.sequence) AS last_seq,
         CASE WHEN c.status = 'closed' THEN 'closed' WHEN c.status IN {ENDED} THEN 'ended'
              WHEN c.status = 'suspended' THEN 'suspended' ELSE 'open' END AS grp
  FROM cases_caseevent e WHERE e.case_id = c.id) x ON true
WHERE c.request_id LIKE 'demo-%'""",
    ),
    (
        "places",
        """
CREATE TEMP TABLE places AS
SELECT row_number() OVER (ORDER BY g.id) AS k, g.id AS grid_id, g.community_id,
       co.street_id, s.office_id AS territory_unit_id,
       (SELECT p.user_id FROM geo_inspectorarea_grids ag
          JOIN geo_inspectorarea_inspectors ai ON ai.inspectorarea_id = ag.inspectorarea_id
          JOIN org_person p ON p.id = ai.person_id
        WHERE ag.unitgrid_id = g.id ORDER BY p.id LIMIT 1) AS inspector_user_id
FROM geo_unitgrid g JOIN geo_community co ON co.id = g.community_id
JOIN geo_street s ON s.id = co.street_id;
UPDATE places SET inspector_user_id = (SELECT id FROM auth_user
  WHERE username = 'inspector01') WHERE inspector_user_id IS NULL;
CREATE UNIQUE INDEX ON places (k); CREATE INDEX ON places (grid_id);
CREATE TEMP TABLE components AS
SELECT row_number() OVER (ORDER BY c.id) AS k, c.id, c.grid_id, c.point
FROM components_component c WHERE c.grid_id IS NOT NULL;
CREATE UNIQUE INDEX ON components (k);
CREATE TEMP TABLE inspectors AS SELECT p.user_id, p.id AS person_id FROM org_person p;
CREATE UNIQUE INDEX ON inspectors (user_id)""",
    ),
    (
        "units and staff",
        """
CREATE TEMP TABLE units AS
SELECT row_number() OVER (ORDER BY u.code) AS k, u.id,
       (SELECT p.user_id FROM org_membership m JOIN org_person p ON p.id = m.person_id
        WHERE m.unit_id = u.id AND m.role = 'handler' ORDER BY p.id LIMIT 1) AS terminal_id
FROM org_unit u WHERE u.kind IN ('department', 'street', 'township') AND u.is_active;
CREATE UNIQUE INDEX ON units (k);
CREATE TEMP TABLE staff AS
SELECT m.role, p.user_id, m.unit_id,
       row_number() OVER (PARTITION BY m.role ORDER BY p.id) AS k,
       count(*) OVER (PARTITION BY m.role) AS n
FROM org_membership m JOIN org_person p ON p.id = m.person_id
WHERE m.role IN ('acceptor', 'shift_leader', 'dispatcher') AND m.is_active;
CREATE UNIQUE INDEX ON staff (role, k)""",
    ),
    (
        "plan",
        """
CREATE TEMP TABLE plan AS
SELECT g.n, m.id AS model_id, m.grp,
       -- the history ends before now: a closed case anywhere in the months its history
       -- leaves, a suspended one in the last half-year, an open one in the last 30 days
       now() - m.last_at - CASE
         WHEN m.grp IN ('closed', 'ended') THEN g.r_time * greatest(
           interval '{months} months' - (m.last_at - m.created_at), interval '0')
         WHEN m.grp = 'suspended' THEN g.r_time * interval '180 days'
         ELSE g.r_time * g.r_time * interval '30 days' END AS shift,
       CASE WHEN m.on_component THEN 1 + floor(g.r_place * (SELECT count(*) FROM components))::int
       END AS component_k,
       1 + floor(g.r_place * (SELECT count(*) FROM places))::int AS place_k,
       1 + floor(g.r_unit * (SELECT count(*) FROM units))::int AS unit_k,
       1 + floor(g.r_unit2 * (SELECT count(*) FROM units))::int AS unit2_k,
       g.r_staff
FROM (SELECT n, random() AS r_group, random() AS r_model, random() AS r_time,
             random() AS r_place, random() AS r_unit, random() AS r_unit2, random() AS r_staff
      FROM generate_series(1, {count}) AS n) AS g
JOIN (VALUES {groups}) AS grp (name, low, high) ON g.r_group >= grp.low AND g.r_group < grp.high
JOIN models m ON m.grp = grp.name AND m.k = 1 + floor(g.r_model * m.n)::int;
-- Each clone's place: its component's grid, else a random grid; its units and terminal.
CREATE TEMP TABLE clones AS
SELECT p.n, p.model_id, p.shift, p.r_staff, t.created_at + p.shift AS created_at,
       c.id AS component_id, c.point AS component_point,
       pl.grid_id, pl.community_id, pl.street_id, pl.territory_unit_id, pl.inspector_user_id,
       u.id AS unit_id, u.terminal_id,
       CASE WHEN u2.id = u.id THEN (SELECT id FROM units WHERE k = 1 + u.k % (SELECT count(*)
         FROM units)) ELSE u2.id END AS unit2_id,
       t.responsible_unit_id AS model_unit_id, m.last_seq,
       (SELECT user_id FROM staff s WHERE s.role = 'acceptor'
          AND s.k = 1 + floor(p.r_staff * s.n)::int) AS acceptor_id,
       (SELECT user_id FROM staff s WHERE s.role = 'shift_leader'
          AND s.k = 1 + floor(p.r_staff * s.n)::int) AS shift_leader_id,
       (SELECT user_id FROM staff s WHERE s.role = 'dispatcher'
          AND s.k = 1 + floor(p.r_staff * s.n)::int) AS dispatcher_id
FROM plan p JOIN cases_case t ON t.id = p.model_id JOIN models m ON m.id = p.model_id
LEFT JOIN components c ON c.k = p.component_k
JOIN places pl ON pl.k = CASE WHEN c.id IS NULL THEN p.place_k
                              ELSE (SELECT k FROM places WHERE grid_id = c.grid_id) END
JOIN units u ON u.k = p.unit_k JOIN units u2 ON u2.k = p.unit2_k;
ALTER TABLE clones ADD COLUMN id bigint, ADD COLUMN number text, ADD COLUMN terminal2_id int;
UPDATE clones c SET terminal2_id = u.terminal_id FROM units u WHERE u.id = c.unit2_id;
-- Ids and numbers in the order of reporting, after those given already.
WITH given AS (
  SELECT substr(number, 1, 4)::int AS year, max(substr(number, 5)::int) AS last
  FROM cases_case GROUP BY 1
), ordered AS (
  SELECT n, (SELECT max(id) FROM cases_case) + row_number() OVER (ORDER BY created_at, n) AS id,
         extract(year FROM created_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
         row_number() OVER (PARTITION BY extract(year FROM created_at AT TIME ZONE
           'Asia/Shanghai') ORDER BY created_at, n) AS serial
  FROM clones
)
UPDATE clones c SET id = o.id,
  number = o.year || lpad((o.serial + coalesce(g.last, 0))::text, 6, '0')
FROM ordered o LEFT JOIN given g ON g.year = o.year WHERE c.n = o.n;
CREATE UNIQUE INDEX ON clones (id);
CREATE INDEX ON clones (model_id);
ANALYZE clones""",
    ),
]

# A unit of the model's history, as the clone's: its own unit, or its second unit for another
# (the wrong unit a returned case went to first).
UNIT = """CASE WHEN {0} IS NULL THEN NULL
  WHEN {0} = cl.model_unit_id OR cl.model_unit_id IS NULL THEN cl.unit_id ELSE cl.unit2_id END"""
FAKE_HASH = "md5(cl.id || ':' || {0}) || md5({0} || ':' || cl.id)"
# What a clone takes other than its model's value (a time column: the model's, moved).
CASE = {
    "id": "cl.id",
    "number": "cl.number",
    "request_id": "NULL",
    "request_digest": "''",
    "point": "coalesce(cl.component_point, t.point)",
    "grid_id": "cl.grid_id",
    "community_id": "cl.community_id",
    "street_id": "cl.street_id",
    "territory_unit_id": "cl.territory_unit_id",
    "component_id": "cl.component_id",
    "near_boundary": "false",
    "reporter_id": """CASE WHEN t.channel = 'inspector' THEN cl.inspector_user_id
        ELSE t.reporter_id END""",
    "responsible_unit_id": UNIT.format("t.responsible_unit_id"),
    "suggested_unit_id": UNIT.format("t.suggested_unit_id"),
    "suggestion_rule_id": "NULL",
    "team_id": "NULL",
    "merged_into_id": "t.merged_into_id",
    "audit_head": FAKE_HASH.format("cl.last_seq"),
}
INSERT_CASES = """
INSERT INTO cases_case ({columns})
SELECT {chosen} FROM clones cl JOIN cases_case t ON t.id = cl.model_id ORDER BY cl.id"""


def moved(value: str) -> str:
    """A time as the audit trail writes it (UTC, to the microsecond), moved with the clone."""
    return (
        f"to_char(({value} + cl.shift) AT TIME ZONE 'UTC', "
        """'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
    )


def insert_events(db: psycopg.Connection) -> None:
    """Each model event, once per clone of its case: moved in time, its units and actors the
    clone's, its state snapshot with the clone's units and moved times. Written a month at a
    time in the order of time, as the workflow writes them (a month's events lie together)."""
    db.execute(
        "CREATE TEMP TABLE model_events AS SELECT e.*, "
        + ", ".join(f"(e.state ->> '{key}')::timestamptz AS s_{key}" for key in STATE_TIMES)
        + " FROM cases_caseevent e WHERE e.case_id IN (SELECT id FROM models)"
    )
    first, last = db.execute(
        "SELECT date_trunc('month', min(e.at + cl.shift)), max(e.at + cl.shift) "
        "FROM clones cl JOIN model_events e ON e.case_id = cl.model_id"
    ).fetchone()  # type: ignore[misc]
    db.execute("SET work_mem = '2GB'")
    while first <= last:
        started = time.perf_counter()
        rows = db.execute(EVENTS, {"start": first, "end": next_month(first)})
        took = time.perf_counter() - started
        print(f"    events of {first:%Y-%m}: {rows.rowcount:,} ({took:.0f} s)", flush=True)
        first = next_month(first)
    db.execute("RESET work_mem")


def next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


STATE = ", ".join(
    f"'{key}', CASE WHEN e.s_{key} IS NOT NULL THEN {moved(f'e.s_{key}')} END"
    for key in STATE_TIMES
)
STATE_UNITS = ", ".join(
    f"'{key}', " + UNIT.format(f"(e.state ->> '{key}')::bigint")
    for key in ("responsible_unit_id", "suggested_unit_id")
)
HANDLER_UNIT = UNIT.format("e.unit_id")
EVENTS = f"""
INSERT INTO cases_caseevent (case_id, sequence, verb, actor_id, role, unit_id, at, from_status,
  to_status, reason, data, step_due_at, handling_due_at, state, previous_hash, hash,
  responsible_unit_id, outcome)
SELECT cl.id, e.sequence, e.verb,
  CASE WHEN e.actor_id IS NULL THEN NULL
       WHEN e.role = 'inspector' THEN cl.inspector_user_id
       WHEN e.role = 'handler' THEN CASE WHEN {HANDLER_UNIT} = cl.unit_id THEN cl.terminal_id
                                         ELSE cl.terminal2_id END
       WHEN e.role = 'acceptor' THEN cl.acceptor_id
       WHEN e.role = 'shift_leader' THEN cl.shift_leader_id
       WHEN e.role = 'dispatcher' THEN cl.dispatcher_id
       ELSE e.actor_id END,
  e.role,
  CASE WHEN e.role = 'handler' THEN {HANDLER_UNIT} ELSE e.unit_id END,
  e.at + cl.shift, e.from_status, e.to_status, e.reason, e.data,
  e.step_due_at + cl.shift, e.handling_due_at + cl.shift,
  e.state || jsonb_build_object({STATE}, {STATE_UNITS}, 'team_id', NULL),
  CASE WHEN e.sequence = 1 THEN repeat('0', 64) ELSE {FAKE_HASH.format("(e.sequence - 1)")} END,
  {FAKE_HASH.format("e.sequence")},
  {UNIT.format("e.responsible_unit_id")}, e.outcome
FROM clones cl JOIN model_events e ON e.case_id = cl.model_id
WHERE e.at + cl.shift >= %(start)s AND e.at + cl.shift < %(end)s
ORDER BY e.at + cl.shift, cl.id, e.sequence"""


INSERT_TASKS = """
INSERT INTO cases_task (case_id, kind, inspector_id, created_at, due_at, done_at, outcome)
SELECT cl.id, t.kind, i.person_id, t.created_at + cl.shift, t.due_at + cl.shift,
       t.done_at + cl.shift, t.outcome
FROM clones cl JOIN cases_task t ON t.case_id = cl.model_id
JOIN inspectors i ON i.user_id = cl.inspector_user_id"""
# Each year's sequence of numbers goes on from the last number given; the ids from the last id.
NUMBERS = """
DO $$ DECLARE y int; last int; BEGIN
  FOR y, last IN SELECT substr(number, 1, 4)::int, max(substr(number, 5)::int)
                 FROM cases_case GROUP BY 1 LOOP
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS cases_number_%s', y);
    PERFORM setval(format('cases_number_%s', y), last);
  END LOOP;
END $$;
SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))"""


def spread(url: str) -> None:
    """How the cases and events fall over the months: what "a month" means here."""
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), count(*) "
            "FROM cases_case GROUP BY 1 ORDER BY 1"
        ).fetchall()
        events: dict[str, int] = dict(
            db.execute(
                "SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), count(*) "
                "FROM cases_caseevent GROUP BY 1"
            ).fetchall()
        )
        total = db.execute("SELECT count(*) FROM cases_caseevent").fetchone()[0]  # type: ignore[index]
        tasks = db.execute("SELECT count(*) FROM cases_task").fetchone()[0]  # type: ignore[index]
        size = db.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('cases_caseevent')), "
            "pg_size_pretty(pg_total_relation_size('cases_case'))"
        ).fetchone()
    print(f"{sum(n for _m, n in rows):,} cases, {total:,} events, {tasks:,} tasks "
          f"(events {size[0]}, cases {size[1]} on disk with indexes)")  # type: ignore[index]  # fmt: skip
    print("cases reported / events per month: " + ", ".join(
        f"{month} {n:,}/{events.get(month, 0):,}" for month, n in rows))  # fmt: skip


# -- timing -----------------------------------------------------------------------------------


class Statements:
    """The SQL statements run and the time each took (a wrapper on the connection)."""

    def __init__(self) -> None:
        self.found: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.found.append((time.perf_counter() - started, sql, params))


def timed(name: str, work: Callable[[], Any], repeat: int, results: dict[str, Any]) -> Any:
    """Run `work` `repeat` times; print the best and the median, the SQL share of the last."""
    from django.db import connection

    seconds, answer, statements = [], None, Statements()
    for _n in range(repeat):
        statements.found.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(statements):
            answer = work()
        seconds.append(time.perf_counter() - started)
    sql = sum(s for s, _q, _p in statements.found)
    results[name] = (min(seconds), statistics.median(seconds), sql, statements.found[:])
    print(
        f"| {name} | {min(seconds):.3f} | {statistics.median(seconds):.3f} | "
        f"{len(statements.found)} | {sql:.3f} |",
        flush=True,
    )
    return answer


def measure(period_text: str, repeat: int, explain: bool, chain_check: bool) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cases.models import Case
    from consoles import counters
    from consoles.dashboard import TREND_MONTHS, as_of, daily, top_types
    from consoles.hotspots import grid_counts, hotspots
    from consoles.rankings import standings
    from evaluation.headline import headline, monthly
    from evaluation.models import ObjectKind
    from evaluation.periods import Period
    from evaluation.reliability import failing_components
    from evaluation.report import build_report, check_chain
    from evaluation.scores import evaluate
    from evaluation.settlement import settle, settle_from, unsettle
    from org.access import Actor

    now = timezone.now()
    period = Period.parse(period_text)
    results: dict[str, Any] = {}
    unsettle(date(2000, 1, 1))  # counted live first
    print(f"\nperiod {period.label}: {period.start.isoformat()} to {period.end.isoformat()}")
    print("| what | best s | median s | statements | SQL s (last run) |")
    print("|---|---:|---:|---:|---:|")

    def floor() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT verb, count(*) FROM cases_caseevent WHERE at >= %s AND at < %s "
                "GROUP BY verb",
                [period.start, period.end],
            )
            return cursor.fetchall()

    verbs = timed("floor: one GROUP BY COUNT over the month's events", floor, repeat, results)
    print(f"|   (the month's events: {sum(n for _v, n in verbs):,}) | | | | |")
    timed(
        "the month's evaluation: build_report(verify=False)",
        lambda: build_report(period, verify=False),
        repeat,
        results,
    )

    def without_jit() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")  # PostgreSQL's default is on
        try:
            return build_report(period, verify=False)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")

    timed("  the same without JIT compilation", without_jit, repeat, results)
    for kind in ObjectKind.values:
        timed(f"  evaluate({kind})", partial(evaluate, kind, period), repeat, results)
    timed("  headline", lambda: headline(period), repeat, results)
    street = Actor.of(User.objects.get(username="street_leader"), "leader")  # 翠湖街道's
    street_cases = Case.objects.visible_to(street)

    def street_report() -> Any:
        return build_report(period, cases=street_cases, scope=street.scope, verify=False)

    timed("a street's evaluation (street_leader's territory)", street_report, repeat, results)
    if chain_check:
        chain = timed("chain check of the month's cases", lambda: check_chain(period), 1, results)
        print(f"|   ({chain.cases:,} cases; {len(chain.findings):,} findings: fake hashes) | | | |")

    leader = User.objects.get(username="leader")
    actor = Actor.of(leader, "leader")
    visible = Case.objects.visible_to(actor)
    counted = as_of(period, now)
    today = timezone.localdate(now)
    timed("dashboard: live counters (today)", lambda: counters.today(actor, now, visible),
          repeat, results)  # fmt: skip
    timed("dashboard: 12-month trend", lambda: monthly(counted, TREND_MONTHS), repeat, results)
    timed("dashboard: 30 days", lambda: daily(period, None, today), repeat, results)
    timed("dashboard: top types", lambda: top_types(period, None), repeat, results)
    timed("dashboard: street ranking",
          lambda: standings(ObjectKind.STREET, period, None), repeat, results)  # fmt: skip
    timed("dashboard: unit ranking",
          lambda: standings(ObjectKind.UNIT, period, None, limit=12, idle=False),
          repeat, results)  # fmt: skip
    timed("dashboard: hotspots", lambda: hotspots(period, None, 10), repeat, results)
    timed("dashboard: heat map counts", lambda: grid_counts(period, None), repeat, results)
    timed("dashboard: failing components", lambda: failing_components(period), repeat, results)
    client = Client(HTTP_HOST=HOST)
    client.force_login(leader)
    client.get("/work/leader/")

    def page() -> None:
        response = client.get(f"/dashboard/?period={period.label}")
        assert response.status_code == 200, response.status_code

    timed("dashboard: the whole page", page, repeat, results)
    timed("dashboard: heat map layer (grids.json)",
          lambda: client.get(f"/dashboard/grids.json?period={period.label}"),
          repeat, results)  # fmt: skip
    print("| **settled** (evaluation/settlement.py): counted once, then read | | | | |")
    months = Period.months(period.first, TREND_MONTHS)
    for month in months[:-1]:  # the trend's other months, settled untimed
        settle(month, now=max(now, settle_from(month)))
    timed("settling the month (the district's and the street's counts, live)",
          lambda: settle(period, now=max(now, settle_from(period))), repeat, results)  # fmt: skip
    timed(
        "the month's evaluation, settled: build_report(verify=False)",
        lambda: build_report(period, verify=False),
        repeat,
        results,
    )
    for kind in ObjectKind.values:
        timed(f"  evaluate({kind}), settled", partial(evaluate, kind, period), repeat, results)
    timed("  headline, settled", lambda: headline(period), repeat, results)
    timed("a street's evaluation, settled", street_report, repeat, results)
    timed("dashboard: 12-month trend, past months settled",
          lambda: monthly(counted, TREND_MONTHS), repeat, results)  # fmt: skip
    timed("dashboard: unit ranking, settled",
          lambda: standings(ObjectKind.UNIT, period, None, limit=12, idle=False),
          repeat, results)  # fmt: skip
    timed("dashboard: the whole page, settled", page, repeat, results)
    if explain:
        slowest(results, "the month's evaluation: build_report(verify=False)")
        slowest(results, "dashboard: 12-month trend")


def slowest(results: dict[str, Any], name: str, count: int = 6) -> None:
    """The slowest statements of one measurement, with their plans."""
    from django.db import connection

    print(f"\nThe slowest statements of {name}:")
    for seconds, sql, params in sorted(results[name][3], key=lambda s: -s[0])[:count]:
        print(f"\n-- {seconds:.3f} s\n{sql[:3000]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12, help="the months the cases span")
    parser.add_argument("--period", default="", help="the month timed (default: the last whole)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=DATABASE, help="the scratch database's name")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    parser.add_argument(
        "--no-chain", action="store_true", help="skip the chain check (minutes at this size)"
    )
    args = parser.parse_args()

    url = scratch_database(args.server, args.database)
    prepare(url)
    bulk_load(url, args.cases, args.months, args.seed)
    spread(url)
    from django.utils import timezone

    from evaluation.periods import Period

    period = args.period or Period.month(timezone.localdate().replace(day=1) - timedelta(1)).label
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )
    measure(period, args.repeat, args.explain, not args.no_chain)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
