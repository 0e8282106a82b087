"""Report intake through the HTTP API: reports per second and latency, on a real server.

    .venv/bin/python benchmarks/intake.py [--server postgres://postgres@127.0.0.1:5432/test]
        [--server-kind gunicorn-sync|gunicorn-gthread|granian] [--workers 2] [--clients 2]
        [--threads 8] [--reports 4000] [--retries 400] [--wrk-seconds 20]

On the given PostgreSQL server the script creates (or reuses) a scratch database
`urbangrid_intake`, migrates it and loads the demo organisation and district (once). It gives
every demo inspector an API token, starts the server (config.wsgi, --workers processes, DEBUG
off; gunicorn's sync workers by default, which close the connection after each response) and
sends --reports reports, each `POST /api/v1/cases` as an inspector with a fresh request id at
a random position in the district, from --clients processes of --threads threads each. Then
it sends --retries of those reports again, each twice at once, and checks that every retry
answers the first case and that the database holds exactly one case per request id: nothing
duplicated, nothing lost. With --wrk-seconds, wrk (a load generator in C) sends new reports
too. CPU per request is read from /proc for the server, PostgreSQL and the clients; the floor
is the same rows inserted again straight through psycopg.

Client and server share the machine, so the figure is a floor for the server alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import psycopg
import psycopg.types.json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "urbangrid_intake"
HOST, PORT = "127.0.0.1", 8765
# Production settings (DEBUG off) for the server and for preparing it (collectstatic).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "intake-benchmark-" + "x" * 40,
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": HOST,
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": str(ROOT / "var" / "benchmark_static"),
}

type Report = tuple[str, str, float, float]  # token, request id, lon, lat


def scratch_database(server: str, name: str = DATABASE) -> str:
    """The URL of database `name` on the server, created if missing."""
    with psycopg.connect(server, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            admin.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def django_for(url: str, **environment: str) -> None:
    """Django in this process on the scratch database, with the server's production settings
    (and `environment`), migrated and its static files collected."""
    os.environ.update(PRODUCTION, DATABASE_URL=url, **environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def prepare(url: str, count: int, seed: int) -> tuple[list[str], list[tuple[float, float]]]:
    """Migrate, load the demo once, and return inspectors' API keys and report positions."""
    django_for(url)
    import numpy as np
    import shapely
    from django.contrib.auth.models import User

    from geo.models import UnitGrid
    from org.models import ApiToken
    from org.tokens import issue_token
    from simulate.demo_district import build_demo_geography
    from simulate.demo_org import load_organisation
    from simulate.load_geography import load_geography

    if not UnitGrid.objects.exists():
        print("Loading the demo organisation and district into the scratch database…")
        load_organisation()
        load_geography(build_demo_geography(1), 1)
    ApiToken.objects.filter(name="intake-benchmark").delete()
    inspectors = User.objects.filter(username__startswith="inspector").order_by("username")
    keys = [issue_token(user, "intake-benchmark")[1] for user in inspectors]
    grids = list(UnitGrid.objects.values_list("boundary", flat=True))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(grids), size=count)
    points = shapely.get_coordinates([grids[n].point_on_surface() for n in chosen])
    return keys, [(float(x), float(y)) for x, y in points]


SERVERS = {  # each server's arguments, {port} filled in when it starts
    # gunicorn's sync workers close the connection after every response.
    "gunicorn-sync": ["-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{{port}}",
                      "--log-level", "warning", "--workers"],
    "gunicorn-gthread": ["-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{{port}}",
                         "--log-level", "warning", "--worker-class", "gthread", "--threads", "8",
                         "--keep-alive", "30", "--workers"],
    "granian": ["-m", "granian", "--interface", "wsgi", "--host", HOST, "--port", "{port}",
                "--log-level", "warning", "--blocking-threads", "4", "config.wsgi:application",
                "--workers"],
}  # fmt: skip


def start_server(
    url: str,
    kind: str,
    workers: int,
    *,
    port: int = PORT,
    environment: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """The server on the scratch database with production settings (and `environment`),
    answering once this returns."""
    env = {**os.environ, **PRODUCTION, "DATABASE_URL": url, **(environment or {})}
    command = [sys.executable, *(a.format(port=port) for a in SERVERS[kind]), str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server ({kind}) did not start")


type Result = tuple[str, int, float, str]  # request id, status, seconds, case number


def send(connection: http.client.HTTPConnection, report: Report) -> Result:
    key, request_id, lon, lat = report
    body = json.dumps({
        "channel": "inspector", "description": "路面有暴露垃圾", "lon": lon, "lat": lat,
        "request_id": request_id,
    })  # fmt: skip
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    started = time.perf_counter()
    connection.request("POST", "/api/v1/cases", body, headers)
    response = connection.getresponse()
    answer = response.read()
    seconds = time.perf_counter() - started
    number = json.loads(answer).get("number", "") if response.status < 300 else ""
    return request_id, response.status, seconds, number


def client(job: tuple[list[Report], int]) -> list[Result]:
    """One client process: its reports over `threads` kept-alive connections."""
    reports, threads = job
    shares = [reports[n::threads] for n in range(threads)]

    def run(share: list[Report]) -> list[Result]:
        connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
        return [send(connection, report) for report in share]

    with ThreadPoolExecutor(threads) as pool:
        return [result for part in pool.map(run, shares) for result in part]


def blast(reports: list[Report], clients: int, threads: int) -> tuple[list[Result], float]:
    jobs = [(reports[n::clients], threads) for n in range(clients)]
    started = time.perf_counter()
    with Pool(clients) as pool:
        results = [result for part in pool.map(client, jobs) for result in part]
    return results, time.perf_counter() - started


TICK = os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, name, CPU seconds so far) of every process on the machine."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[int(stat.parent.name)] = (
            int(fields[1]),
            name,
            (int(fields[11]) + int(fields[12])) / TICK,
        )
    return found


def cpu_seconds(server: int) -> dict[str, float]:
    """CPU used so far by the server's processes, PostgreSQL's, and this script's finished
    client processes: what one request costs each of them, whatever else runs meanwhile."""
    table = processes()
    tree, grew = {server}, True
    while grew:
        more = {pid for pid, (parent, _name, _cpu) in table.items() if parent in tree} - tree
        tree, grew = tree | more, bool(more)
    clients = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "server": sum(table[pid][2] for pid in tree if pid in table),
        "postgres": sum(cpu for _parent, name, cpu in table.values() if name == "postgres"),
        "client": clients.ru_utime + clients.ru_stime,
    }


def measured(
    server: int, reports: list[Report], clients: int, threads: int
) -> tuple[list[Result], float, dict[str, float]]:
    before = cpu_seconds(server)
    results, seconds = blast(reports, clients, threads)
    after = cpu_seconds(server)
    per_request = {k: (after[k] - before[k]) / len(results) * 1000 for k in before}
    return results, seconds, per_request


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


def report_figures(
    label: str, results: list[Result], seconds: float, cpu: dict[str, float]
) -> None:
    latencies = [latency * 1000 for _id, _status, latency, _number in results]
    statuses = sorted({status for _id, status, _latency, _number in results})
    print(
        f"{label:<26} {len(results):>6} requests {len(results) / seconds:>8,.0f}/s   "
        f"p50 {percentile(latencies, 0.5):6.1f} ms  p95 {percentile(latencies, 0.95):6.1f} ms  "
        f"p99 {percentile(latencies, 0.99):6.1f} ms  max {max(latencies):6.1f} ms  "
        f"statuses {statuses}"
    )
    print(
        f"{'':<26} CPU per request: server {cpu['server']:.2f} ms, PostgreSQL "
        f"{cpu['postgres']:.2f} ms, client {cpu['client']:.2f} ms"
    )


RUN = f"bench-{uuid.uuid4().hex[:8]}-"
WRK_RUN = RUN.replace("bench-", "wrk-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--server-kind", choices=sorted(SERVERS), default="gunicorn-sync")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reports", type=int, default=4000)
    parser.add_argument("--retries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--wrk-seconds", type=int, default=0, help="then load with wrk (C, Lua) this long"
    )
    args = parser.parse_args()

    url = scratch_database(args.server)
    keys, points = prepare(url, args.reports, args.seed)
    reports = [
        (keys[n % len(keys)], f"{RUN}{n:06d}", lon, lat) for n, (lon, lat) in enumerate(points)
    ]
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{args.server_kind}, {args.workers} workers; {args.clients} client processes × "
          f"{args.threads} threads")  # fmt: skip
    server = start_server(url, args.server_kind, args.workers)
    try:
        blast(reports[: min(200, len(reports))], args.clients, args.threads)  # warm-up
        warm = min(200, len(reports))
        first, seconds, cpu = measured(server.pid, reports[warm:], args.clients, args.threads)
        report_figures("new reports", first, seconds, cpu)
        again = [report for report in reports[warm : warm + args.retries] for _twice in (0, 1)]
        retried, seconds, cpu = measured(server.pid, again, args.clients, args.threads)
        report_figures("retries (each sent twice)", retried, seconds, cpu)
        if args.wrk_seconds:
            with_wrk(server.pid, keys, points, args.wrk_seconds, args.clients * args.threads)
    finally:
        server.terminate()
        server.wait()
    check_all(len(reports), first, retried)
    raw_floor(url, args.clients * args.threads)


WRK_SCRIPT = """
counter, statuses = 0, {}  -- globals: each wrk thread has its own copy
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) prefix = args[1] .. id .. "-" end
function request()
  counter = counter + 1
  local p = points[(counter * 7 + id) % #points + 1]
  local body = string.format(
    '{"channel":"inspector","description":"路面有暴露垃圾","lon":%.9f,"lat":%.9f,"request_id":"%s%d"}',
    p[1], p[2], prefix, counter)
  local headers = {["Authorization"] = "Bearer " .. keys[counter % #keys + 1],
    ["Content-Type"] = "application/json"}
  return wrk.format("POST", "/api/v1/cases", headers, body)
end
function response(status) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  for status, n in pairs(counts) do io.write(string.format("status %d %d\\n", status, n)) end
  for _, share in ipairs({50, 95, 99}) do
    io.write(string.format("p%d %.1f\\n", share, latency:percentile(share) / 1000))
  end
  io.write(string.format("max %.1f\\nrequests %d\\nseconds %.3f\\n", latency.max / 1000,
    summary.requests, summary.duration / 1e6))
end
"""


def with_wrk(
    server: int, keys: list[str], points: list[tuple[float, float]], seconds: int, connections: int
) -> None:
    """The same reports from wrk (Debian's package), a load generator in C that costs the
    shared cores far less than the Python one; then one stored case per 201 is checked."""
    from cases.models import Case

    work = Path(tempfile.mkdtemp())
    data = "keys = {" + ",".join(json.dumps(k) for k in keys) + "}\npoints = {"
    data += ",".join(f"{{{lon:.9f},{lat:.9f}}}" for lon, lat in points) + "}\n"
    (work / "load.lua").write_text(data + WRK_SCRIPT, encoding="utf-8")
    before = cpu_seconds(server)
    finished = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(work / "load.lua"),
         f"http://{HOST}:{PORT}", "--", WRK_RUN],
        capture_output=True, text=True,
    )  # fmt: skip
    if finished.returncode:
        raise SystemExit(f"wrk failed: {finished.stderr or finished.stdout}")
    output = finished.stdout
    after = cpu_seconds(server)
    figures: dict[str, float] = {}
    statuses: dict[int, int] = {}
    for line in output.splitlines():
        words = line.split()
        if words and words[0] == "status":
            statuses[int(words[1])] = int(words[2])
        elif len(words) == 2 and words[0] in ("p50", "p95", "p99", "max", "requests", "seconds"):
            figures[words[0]] = float(words[1])
    done = int(figures["requests"])
    stored = Case.objects.filter(request_id__startswith=WRK_RUN).count()
    server_ms = (after["server"] - before["server"]) / done * 1000
    database_ms = (after["postgres"] - before["postgres"]) / done * 1000
    print(
        f"{'new reports (wrk)':<26} {done:>6} requests {done / figures['seconds']:>8,.0f}/s   "
        f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
        f"p99 {figures['p99']:6.1f} ms  max {figures['max']:6.1f} ms  statuses {sorted(statuses)}"
    )
    print(f"{'':<26} CPU per request: server {server_ms:.2f} ms, PostgreSQL {database_ms:.2f} ms")
    created = statuses.get(201, 0)
    # wrk stops mid-request: a report stored as it stopped has no answer counted.
    assert set(statuses) == {201} and created <= stored <= created + connections, (statuses, stored)
    print(f"stored: {stored} cases for {created} answers 201 (wrk cuts off requests in flight)")


def raw_floor(url: str, connections: int) -> None:
    """The floor: the very rows the server stored (each case and its first event), stored
    again straight through psycopg, one transaction per report as the server does (case
    number from the year's sequence, the case, its event, commit), on `connections`
    connections at once. No HTTP, no Python web stack: what PostgreSQL alone allows here."""
    from django.db import connection

    from cases.models import Case, CaseEvent

    def columns(model: type[Any]) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if not f.primary_key]

    case_columns, event_columns = columns(Case), columns(CaseEvent)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {', '.join(case_columns)} FROM cases_case WHERE request_id LIKE %s",
            [RUN + "%"],
        )
        cases = {row[0]: list(row[1:]) for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT case_id, {', '.join(event_columns)} FROM cases_caseevent "
            "WHERE sequence = 1 AND case_id = ANY(%s)",
            [list(cases)],
        )
        events = {row[0]: list(row[1:]) for row in cursor.fetchall()}
    number_at = case_columns.index("number")
    request_at, case_at = case_columns.index("request_id"), event_columns.index("case_id")
    rows = [(cases[pk], events[pk]) for pk in cases]
    insert_case = (
        f"INSERT INTO cases_case ({', '.join(case_columns)}) "
        f"VALUES ({', '.join(['%s'] * len(case_columns))}) RETURNING id"
    )
    insert_event = (
        f"INSERT INTO cases_caseevent ({', '.join(event_columns)}) "
        f"VALUES ({', '.join(['%s'] * len(event_columns))})"
    )
    year = str(rows[0][0][number_at])[:4]

    def store(share: list[tuple[list[Any], list[Any]]], k: int) -> list[float]:
        latencies = []
        with psycopg.connect(url) as db:
            for n, (case, event) in enumerate(share):
                started = time.perf_counter()
                with db.transaction():
                    serial = db.execute("SELECT nextval(%s)", [f"cases_number_{year}"])
                    case = case.copy()
                    case[number_at] = f"{year}{serial.fetchone()[0]:06d}"  # type: ignore[index]
                    case[request_at] = f"floor-{RUN}{k}-{n}"
                    case_id = db.execute(insert_case, [jsonable(v) for v in case])
                    event = event.copy()
                    event[case_at] = case_id.fetchone()[0]  # type: ignore[index]
                    db.execute(insert_event, [jsonable(v) for v in event])
                latencies.append((time.perf_counter() - started) * 1000)
        return latencies

    shares = [rows[k::connections] for k in range(connections)]
    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        latencies = [ms for part in pool.map(store, shares, range(connections)) for ms in part]
    seconds = time.perf_counter() - started
    print(
        f"{'floor: raw psycopg inserts':<26} {len(latencies):>6} reports  "
        f"{len(latencies) / seconds:>8,.0f}/s   p50 {percentile(latencies, 0.5):6.1f} ms  "
        f"p99 {percentile(latencies, 0.99):6.1f} ms  ({connections} connections)"
    )


def jsonable(value: Any) -> Any:
    """A row's value as psycopg takes it back (JSON columns come out as Python objects)."""
    return psycopg.types.json.Jsonb(value) if isinstance(value, (dict, list)) else value


def check_all(sent: int, first: list[Result], retried: list[Result]) -> None:
    """One case per request id, each the one its first answer named; retries name it too."""
    from cases.models import Case

    stored = dict(
        Case.objects.filter(request_id__startswith=RUN).values_list("request_id", "number")
    )
    assert len(stored) == sent, f"{len(stored)} cases stored for {sent} reports"
    for request_id, status, _seconds, number in first:
        assert status == 201 and stored[request_id] == number, f"{request_id}: {status}"
    for request_id, status, _seconds, number in retried:
        assert status == 200 and stored[request_id] == number, f"retry {request_id}: {status}"
    print(
        f"stored: one case per request id ({len(stored)} for {sent} reports); "
        f"{len(retried)} retries answered their first case"
    )


if __name__ == "__main__":
    main()
