"""What Foro's page benchmarks share: servers, wrk runs, CPU accounting, medians, the report and the JSON.

A benchmark script describes itself as a ``Suite`` (its databases, how to seed them, its pages, its
targets) and calls ``main(suite)``; every suite is then measured the same way, so their figures compare:

1. Per database, the suite's data set is seeded once (``suite.ensure_seeded``) and the SQL statements of
   each page are counted in-process for an anonymous visitor, as served (from the page cache when
   it is on) and rendered afresh.
2. Two servers run side by side under the same command, ``gunicorn -w 2 -k sync``: Foro (``wsgi:app``,
   production configuration, the bench database) and the ceiling app of the shared benchmarks (one
   indexed query rendering 20 rows, ``db-sqlite`` or ``db-pg`` on the same PostgreSQL). Every page must
   answer 200 before the load starts; a non-2xx response under load stops the benchmark.
3. Each run loads the ceiling, then every page, with ``wrk -t2 -c32 -d10s --latency``; interleaving keeps
   the machine's drift out of the ratios, and after every wrk run the harness waits for the server to
   finish what wrk left queued.
   wrk sends no cookies, so it is an anonymous visitor: the forum and call pages come from the anonymous
   page cache (foro.services.page_cache). ``--no-cache`` starts Foro with ``PAGE_CACHE_SIZE=0``, so
   every request renders the page, as for logged-in people and first hits.
4. Besides req/s and latency it reports the CPU each request cost (gunicorn workers plus PostgreSQL
   backends), which depends less on what other jobs do on the machine, and the CPU those other jobs
   took meanwhile ("foreign CPU").

The shared benchmark code (benchlib.py, ceiling.py, ceiling_app.py) is imported from --shared-bench,
never copied here. Every server is stopped by its own PID (benchlib.Server).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
# The app factory imports config.py from the repository root, which a script in bench/ does not see.
sys.path.insert(0, str(REPO_ROOT))

import seed_large  # noqa: E402  (bench/seed_large.py: the bench app and its secret key)

from foro.extensions import db  # noqa: E402
from foro.services.page_cache import page_cache  # noqa: E402

RESULTS_DIR = HERE / "results"
PG_PORT = "5432"
PERF_DIR = os.environ.setdefault("PERF_DIR", "/tmp/perf")
# ceiling.py reads PG_PORT when imported: the ceiling must use the same PostgreSQL server as Foro.
os.environ["PG_PORT"] = PG_PORT
PROFILE_REQUESTS = 200

# Statements that are transaction control, not queries (as tests/conftest.py counts).
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
_WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Target:
    """A database Foro runs on, and the ceiling page of the same database engine."""

    label: str
    url: str
    ceiling: str


def database_targets(sqlite_file: str, pg_database: str) -> dict[str, Target]:
    """The two databases of a suite: a SQLite file in $PERF_DIR and a database on the local PostgreSQL."""
    return {
        "sqlite": Target("SQLite", f"sqlite:///{PERF_DIR}/{sqlite_file}", "db-sqlite"),
        "pg": Target("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/{pg_database}", "db-pg"),
    }


@dataclass(frozen=True)
class Suite:
    """One benchmark script: what it loads and how its data set is made."""

    # Prefix of the JSON files written into bench/results/.
    name: str
    # The script's docstring: its first paragraph is the command line's description.
    description: str
    targets: dict[str, Target]
    # (app, url) -> what was done ("already seeded", "seeded ..."); the app is seed_large.bench_app(url).
    ensure_seeded: Callable[[Flask, str], str]
    # app -> {page name: path}, in the order the pages are loaded.
    page_paths: Callable[[Flask], dict[str, str]]
    # app -> the values of the placeholders (``{space_id}``...) a --profile path may use.
    placeholders: Callable[[Flask], dict[str, str]]
    port: int = 8721
    # Page name -> N: the page must serve at least 1/N of the ceiling's req/s in the same run.
    goals: Mapping[str, int] = field(default_factory=dict)


def load_shared(path: Path):
    """benchlib and ceiling from the shared benchmarks, imported in place."""
    if not (path / "benchlib.py").is_file() or not (path / "ceiling.py").is_file():
        raise SystemExit(f"--shared-bench {path}: benchlib.py and ceiling.py not found there")
    sys.path.insert(0, str(path))
    import benchlib
    import ceiling

    return benchlib, ceiling


def count_queries(app: Flask, paths: dict[str, str], cached: bool) -> dict[str, int]:
    """SQL statements each page runs for an anonymous visitor (second request, caches warm); with
    ``cached`` False, with the page cache off (every request renders the page).

    A page view must not write to the database (the issue's quality bar): any INSERT, UPDATE or DELETE
    stops the benchmark.
    """
    counts = {}
    cache = page_cache(app)
    size = cache.size if cache is not None else 0
    if cache is not None and not cached:
        cache.size = 0
    with app.app_context():
        engine = db.engine
        client = app.test_client()
        for name, path in paths.items():
            client.get(path)
            statements = []

            def record(_conn, _cursor, statement, *_args, sink=statements):
                if not statement.lstrip().upper().startswith(_CONTROL):
                    sink.append(statement)

            event.listen(engine, "before_cursor_execute", record)
            try:
                status = client.get(path).status_code
            finally:
                event.remove(engine, "before_cursor_execute", record)
            if status != 200:
                raise SystemExit(f"{path} answered {status} in-process; the benchmark needs 200")
            writes = [s for s in statements if s.lstrip().upper().startswith(_WRITES)]
            if writes:
                raise SystemExit(f"{path} writes to the database on a page view:\n" + "\n".join(writes))
            counts[name] = len(statements)
        engine.dispose()
    if cache is not None:
        cache.size = size
        cache.clear()
    return counts


def profile(app: Flask, path: str, requests: int) -> None:
    """cProfile over ``requests`` in-process requests of one page; prints where the time goes."""
    with app.app_context():
        client = app.test_client()
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path} answered {status} in-process; profile a page that answers 200")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        db.engine.dispose()
    for order in ("cumulative", "tottime"):
        print(f"\n--- {path}: {requests} requests, by {order} ---")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(30)


def check_200(port: int, path: str) -> None:
    """Fail loudly unless the page answers 200 itself (a redirect would be measured as a 3xx)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}, not 200:\n{body[:800].decode(errors='replace')}")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def wait_idle(benchlib, server, timeout: float = 120.0) -> None:
    """Wait until the server has answered what wrk left queued.

    wrk stops after its duration with up to 32 requests in flight, and sync workers still serve every
    connection waiting in the listen queue; without this pause a slow page's leftovers would be counted
    against the next page (or the ceiling).
    """
    deadline = time.monotonic() + timeout
    last = benchlib.cpu_seconds(server.pids())
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = benchlib.cpu_seconds(server.pids())
        if now - last < 0.03:
            return
        last = now
    raise SystemExit(f"server {server.cmd[-1]} still busy {timeout:.0f} s after the load stopped")


class BackendCpu:
    """CPU-seconds of the PostgreSQL backends serving one database (nothing to count for SQLite, whose
    work happens inside the gunicorn workers). Backends are found in pg_stat_activity, their CPU in /proc."""

    def __init__(self, benchlib, url: str):
        self.benchlib = benchlib
        parsed = make_url(url)
        self.database = parsed.database if parsed.get_backend_name() == "postgresql" else None
        self.before: dict[int, float] = {}

    def _pids(self) -> list[int]:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres") as connection:
            query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
            return [pid for (pid,) in connection.execute(query, (self.database,))]

    def start(self) -> None:
        if self.database:
            self.before = {pid: self.benchlib.cpu_seconds([pid]) for pid in self._pids()}

    def seconds(self) -> float:
        if not self.database:
            return 0.0
        return sum(self.benchlib.cpu_seconds([pid]) - self.before.get(pid, 0.0) for pid in self._pids())


def measure(benchlib, url: str, server, backends: BackendCpu, a) -> dict:
    """One wrk run against ``url``, with the CPU it cost the stack and what other processes took meanwhile."""
    load = os.getloadavg()[0]
    backends.start()
    r = benchlib.run_wrk(url, threads=2, connections=32, duration=a.duration, server_pids=server.pids())
    r["db_cpu_s"] = backends.seconds()
    r["load1"] = load
    if r["non_2xx"]:
        raise SystemExit(f"{url}: wrk saw {r['non_2xx']} non-2xx responses\n{r['raw']}")
    if not r["rps"] or not r["requests"]:
        raise SystemExit(f"{url}: no request completed, or wrk's report unreadable\n{r['raw']}")
    # What one request costs the stack (app + database), whatever share of the cores it was given.
    r["cpu_ms_per_req"] = (r["server_cpu_s"] + r["db_cpu_s"]) * 1000 / r["requests"]
    # What processes outside the benchmark (other jobs on the machine) took meanwhile, in cores.
    r["foreign_cpu"] = max(0.0, r["machine_cpu_s"] - r["server_cpu_s"] - r["wrk_cpu_s"] - r["db_cpu_s"]) / r["wall_s"]
    return r


def _summarise(benchlib, rows: dict[str, dict]) -> None:
    """Medians over the runs of each row, and the ratios to the ceiling's row."""
    for row in rows.values():
        runs = row["runs"]
        row["rps"] = benchlib.median([r["rps"] for r in runs])
        row["p50_ms"] = benchlib.median([r["p50_ms"] for r in runs])
        row["p99_ms"] = benchlib.median([r["p99_ms"] for r in runs])
        row["errors"] = sum(r["socket_errors"] for r in runs)
        row["cpu_ms_per_req"] = benchlib.median([r["cpu_ms_per_req"] for r in runs])
        row["foreign_cpu"] = benchlib.median([r["foreign_cpu"] for r in runs])
    ceiling_row = rows["ceiling"]
    for row in rows.values():
        row["ratio"] = row["rps"] / ceiling_row["rps"]
        row["cpu_ratio"] = ceiling_row["cpu_ms_per_req"] / row["cpu_ms_per_req"]


def run_target(suite: Suite, benchlib, ceiling, key: str, a, gunicorn: str) -> dict:
    """Seed one database, start Foro and the ceiling on it, load every page ``a.runs`` times."""
    target = suite.targets[key]
    url = target.url
    ceiling.ensure_database(url)
    app = seed_large.bench_app(url)
    print(f"{target.label}: {suite.ensure_seeded(app, url)}", flush=True)
    paths = suite.page_paths(app)
    queries = count_queries(app, paths, cached=not a.no_cache)
    queries_uncached = count_queries(app, paths, cached=False)
    ceiling_url = ceiling.DB_URLS[target.ceiling]
    ceiling.ensure_seeded(ceiling_url)

    foro_port, ceiling_port = a.port, a.port + 1
    foro_cmd = [gunicorn, "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{foro_port}", "--log-level", "warning",
                "wsgi:app"]
    foro_env = {
        "FORO_ENV": "production",
        "SECRET_KEY": seed_large.BENCH_SECRET_KEY,
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SOCKETIO_MESSAGE_QUEUE": "",
    }
    if a.no_cache:
        foro_env["PAGE_CACHE_SIZE"] = "0"
    ceiling_cmd = [gunicorn, "-b", f"127.0.0.1:{ceiling_port}", *ceiling.WORKERS["sync"], "--log-level", "warning",
                   "bench.ceiling_app:app"]
    ceiling_env = {"BENCH_DB_URL": ceiling_url, "PERF_DIR": PERF_DIR}

    load_before = os.getloadavg()
    rows = {"ceiling": {"path": ceiling.PATHS[target.ceiling], "queries": 1, "runs": []}}
    rows.update(
        {
            name: {"path": path, "queries": queries[name], "queries_uncached": queries_uncached[name], "runs": []}
            for name, path in paths.items()
        }
    )
    width = max(map(len, rows))
    with ExitStack() as stack:
        ceiling_srv = stack.enter_context(
            benchlib.Server(ceiling_cmd, ceiling_port, env=ceiling_env, cwd=str(ceiling.HERE.parent),
                            log=f"{PERF_DIR}/ceiling-gunicorn.log")
        )
        foro_srv = stack.enter_context(
            benchlib.Server(foro_cmd, foro_port, env=foro_env, cwd=str(REPO_ROOT), log=f"{PERF_DIR}/foro-gunicorn.log")
        )
        servers = {"ceiling": (ceiling_srv, ceiling_port)}
        servers.update({name: (foro_srv, foro_port) for name in paths})
        backends = {"ceiling": BackendCpu(benchlib, ceiling_url)}
        backends.update({name: BackendCpu(benchlib, url) for name in paths})
        for name, row in rows.items():
            check_200(servers[name][1], row["path"])
        for name, row in rows.items():
            server, port = servers[name]
            benchlib.run_wrk(f"http://127.0.0.1:{port}{row['path']}", duration=a.warmup)
            wait_idle(benchlib, server)
        for run in range(1, a.runs + 1):
            for name, row in rows.items():
                server, port = servers[name]
                r = measure(benchlib, f"http://127.0.0.1:{port}{row['path']}", server, backends[name], a)
                row["runs"].append(r)
                print(f"  {key:6s} run {run} {name:{width}s} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                      f"p99 {r['p99_ms']:7.2f} ms  errors {r['socket_errors']}  CPU {r['cpu_ms_per_req']:5.1f} ms/req  "
                      f"foreign CPU {r['foreign_cpu']:.2f}  load {r['load1']:.2f}", flush=True)
                wait_idle(benchlib, server)
    load_after = os.getloadavg()

    _summarise(benchlib, rows)
    return {
        "target": key,
        "database": target.label,
        "page_cache": not a.no_cache,
        "foro_cmd": " ".join(["gunicorn", *foro_cmd[1:]]),
        "ceiling_cmd": " ".join(["gunicorn", *ceiling_cmd[1:]]),
        "ceiling_target": target.ceiling,
        "load_before": load_before,
        "load_after": load_after,
        "load1_max": max(r["load1"] for row in rows.values() for r in row["runs"]),
        "foreign_cpu": benchlib.median([r["foreign_cpu"] for row in rows.values() for r in row["runs"]]),
        "rows": rows,
        "goals": {
            name: {"minimum": 1 / n, "ratio": rows[name]["ratio"], "met": rows[name]["ratio"] >= 1 / n}
            for name, n in suite.goals.items()
            if name in rows
        },
    }


def _ratio(value: float) -> str:
    return f"{value:.2f} (1/{1 / value:.1f})" if 0 < value < 1 else f"{value:.2f}"


def print_report(suite: Suite, results: list[dict], a, started: str, uptimes: tuple[str, str]) -> None:
    print(f"\n{started}; wrk -t2 -c32 -d{a.duration}s --latency, median of {a.runs} run(s) per page.")
    print("ratio = Foro req/s ÷ the ceiling's one-query page in the same run. CPU ms/req = CPU time of the "
          "gunicorn workers plus the PostgreSQL backends per request (SQLite runs inside the workers); "
          "CPU ratio = ceiling CPU ms/req ÷ page CPU ms/req, the same comparison, less sensitive to the "
          "share of the cores other jobs took.")
    print("Page cache: " + ("OFF (--no-cache: every request renders the page, as for logged-in people)"
                                  if a.no_cache else "on (wrk sends no cookies: an anonymous visitor)")
          + ". queries = SQL statements per request as served; (x) = rendered afresh, when different.")
    print(f"uptime before: {uptimes[0]}\nuptime after:  {uptimes[1]}")
    for result in results:
        before, after = result["load_before"], result["load_after"]
        print(f"{result['database']}: load average before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}, "
              f"after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}, highest 1-min during runs "
              f"{result['load1_max']:.2f}; processes outside the benchmark used {result['foreign_cpu']:.2f} "
              "of the 2 cores (median over runs)")
    print("\n| database | page | path | queries | req/s | p50 ms | p99 ms | errors | ratio to ceiling "
          "| CPU ms/req | CPU ratio |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for name, row in result["rows"].items():
            label = f"ceiling ({result['ceiling_target']})" if name == "ceiling" else name
            queries = row["queries"]
            if row.get("queries_uncached", queries) != queries:
                queries = f"{queries} ({row['queries_uncached']})"
            print(f"| {result['database']} | {label} | `{row['path']}` | {queries} | {row['rps']:.0f} | "
                  f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} | {_ratio(row['ratio'])} | "
                  f"{row['cpu_ms_per_req']:.1f} | {_ratio(row['cpu_ratio'])} |")
    if suite.goals:
        print("\nTargets (req/s ratio to the ceiling's one-query page, same run):")
        for result in results:
            for name, goal in result["goals"].items():
                verdict = "met" if goal["met"] else "MISSED"
                print(f"  {result['database']:10s} {name}: {_ratio(goal['ratio'])}, target at least "
                      f"1/{suite.goals[name]}: {verdict}")


def parse_args(suite: Suite) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=suite.description.split("\n\n")[0])
    ap.add_argument("--targets", default=",".join(suite.targets), help=f"comma-separated: {', '.join(suite.targets)}")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk per page before measuring")
    ap.add_argument("--shared-bench", type=Path, default=REPO_ROOT.parent / "shared" / "bench")
    ap.add_argument("--port", type=int, default=suite.port, help="Foro's port; the ceiling listens on the next one")
    ap.add_argument("--quick", action="store_true", help="1 run of 5 s, 1 s of warm-up: a smoke test")
    ap.add_argument("--json", action="store_true", help="write the raw figures into bench/results/")
    ap.add_argument("--no-cache", action="store_true",
                    help="start Foro with PAGE_CACHE_SIZE=0: measure the pages as rendered for logged-in "
                         "people and first hits")
    ap.add_argument("--profile", metavar="PATH",
                    help=f"instead of loading: cProfile {PROFILE_REQUESTS} in-process requests of PATH on the first "
                         "target")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.duration, a.warmup = 1, 5, 1
    return a


def main(suite: Suite) -> None:
    a = parse_args(suite)
    targets = a.targets.split(",")
    unknown = [t for t in targets if t not in suite.targets]
    if unknown:
        raise SystemExit(f"unknown targets {unknown}; choose among {', '.join(suite.targets)}")
    os.makedirs(PERF_DIR, exist_ok=True)
    benchlib, ceiling = load_shared(a.shared_bench.resolve())

    if a.profile:
        url = suite.targets[targets[0]].url
        ceiling.ensure_database(url)
        app = seed_large.bench_app(url)
        print(suite.ensure_seeded(app, url))
        if a.no_cache and page_cache(app) is not None:
            page_cache(app).size = 0
        profile(app, a.profile.format(**suite.placeholders(app)), PROFILE_REQUESTS)
        return

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    uptime_before = uptime()
    print(f"uptime: {uptime_before}", flush=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    results = [run_target(suite, benchlib, ceiling, key, a, gunicorn) for key in targets]
    uptime_after = uptime()
    print_report(suite, results, a, started, (uptime_before, uptime_after))
    if a.json:
        RESULTS_DIR.mkdir(exist_ok=True)
        mode = "-nocache" if a.no_cache else ""
        out = RESULTS_DIR / f"{suite.name}{mode}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        with open(out, "w") as f:
            json.dump({"started": started, "machine": benchlib.machine_info(), "args": vars(a) | {
                "shared_bench": str(a.shared_bench)}, "uptime": [uptime_before, uptime_after], "results": results},
                f, indent=1)
        print(f"\nraw figures: {out}")
