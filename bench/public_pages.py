"""Foro's public pages under load, stated as ratios to the bare-stack ceiling measured in the same run.

    .venv/bin/python bench/public_pages.py                  # SQLite and PostgreSQL, 3 runs of 10 s
    .venv/bin/python bench/public_pages.py --quick          # 1 run of 5 s, a smoke test
    .venv/bin/python bench/public_pages.py --targets pg --runs 5 --json

For each database the large data set of bench/seed_large.py is loaded once (SQLite file in $PERF_DIR,
PostgreSQL database ``foro_bench`` on 127.0.0.1:5432, created if missing). Two servers then run side by
side under the same command, ``gunicorn -w 2 -k sync``: Foro (``wsgi:app``, production configuration)
and the ceiling app of the shared benchmarks (one indexed query rendering 20 rows, ``db-sqlite`` or
``db-pg`` on the same PostgreSQL). Each run loads the ceiling, then every page, with
``wrk -t2 -c32 -d10s --latency``; interleaving keeps the machine's drift out of the ratios, and after
every wrk run the script waits for the server to finish what wrk left queued. Besides req/s and latency
it reports the CPU each request cost (gunicorn workers plus PostgreSQL backends), which depends less on
what other jobs do on the machine, and the SQL statements each page runs.

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
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
# The app factory imports config.py from the repository root, which a script in bench/ does not see.
sys.path.insert(0, str(REPO_ROOT))

import seed_large  # noqa: E402  (bench/seed_large.py, beside this script)

from foro.extensions import db  # noqa: E402
from foro.models import Organism, Space, SpaceState  # noqa: E402
from foro.services.public import current_cycle  # noqa: E402
from foro.timeutil import local_today  # noqa: E402

RESULTS_DIR = HERE / "results"
PG_PORT = "5432"
PERF_DIR = os.environ.setdefault("PERF_DIR", "/tmp/perf")
# ceiling.py reads PG_PORT when imported: the ceiling must use the same PostgreSQL server as Foro.
os.environ["PG_PORT"] = PG_PORT

TARGETS = {
    "sqlite": {
        "label": "SQLite",
        "url": f"sqlite:///{PERF_DIR}/foro_bench.sqlite",
        "ceiling": "db-sqlite",
    },
    "pg": {
        "label": "PostgreSQL",
        "url": f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/foro_bench",
        "ceiling": "db-pg",
    },
}

# (name, path); {space_id} and {year} are filled in from the seeded data.
PAGES = (
    ("home", "/"),
    ("calendar, first page", "/cronograma"),
    ("calendar, filtered", "/cronograma?organismo=SDTPC&fase=diagnosis"),
    ("organism", "/organismos/SDTPC"),
    ("organism health", "/organismos/SDTPC/salud"),
    ("territories", "/territorios"),
    ("territory", "/territorios/comuna/1"),
    ("open space", "/espacios/{space_id}"),
    ("action plan", "/organismos/SDTPC/plan/{year}"),
)

# Statements that are transaction control, not queries (as tests/conftest.py counts).
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


def load_shared(path: Path):
    """benchlib and ceiling from the shared benchmarks, imported in place."""
    if not (path / "benchlib.py").is_file() or not (path / "ceiling.py").is_file():
        raise SystemExit(f"--shared-bench {path}: benchlib.py and ceiling.py not found there")
    sys.path.insert(0, str(path))
    import benchlib
    import ceiling

    return benchlib, ceiling


def page_paths(app) -> dict[str, str]:
    """The pages' paths for this database: an open space of SDTPC serving an action, the current plan."""
    with app.app_context():
        space_id = db.session.scalar(
            select(Space.id)
            .join(Organism, Organism.id == Space.organism_id)
            .where(
                Organism.acronym == "SDTPC",
                Space.state == SpaceState.OPEN,
                Space.action_id.is_not(None),
                Space.territories.any(),
            )
            .order_by(Space.id)
            .limit(1)
        )
        cycle = current_cycle(local_today())
    if space_id is None or cycle is None:
        raise SystemExit("the bench database has no open SDTPC space or no cycle: reseed it")
    return {name: path.format(space_id=space_id, year=cycle.year) for name, path in PAGES}


def count_queries(app, paths: dict[str, str]) -> dict[str, int]:
    """SQL statements each page runs for an anonymous visitor (second request, caches warm)."""
    counts = {}
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
            counts[name] = len(statements)
        engine.dispose()
    return counts


def profile(app, path: str, requests: int) -> None:
    """cProfile over ``requests`` in-process requests of one page; prints where the time goes."""
    with app.app_context():
        client = app.test_client()
        client.get(path)
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


def run_target(benchlib, ceiling, key: str, a, gunicorn: str) -> dict:
    target = TARGETS[key]
    url = target["url"]
    ceiling.ensure_database(url)
    app = seed_large.bench_app(url)
    print(f"{target['label']}: {seed_large.ensure_seeded(app, url)}", flush=True)
    paths = page_paths(app)
    queries = count_queries(app, paths)
    ceiling_url = ceiling.DB_URLS[target["ceiling"]]
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
    ceiling_cmd = [gunicorn, "-b", f"127.0.0.1:{ceiling_port}", *ceiling.WORKERS["sync"], "--log-level", "warning",
                   "bench.ceiling_app:app"]
    ceiling_env = {"BENCH_DB_URL": ceiling_url, "PERF_DIR": PERF_DIR}

    load_before = os.getloadavg()
    rows = {"ceiling": {"path": ceiling.PATHS[target["ceiling"]], "queries": 1, "runs": []}}
    rows.update({name: {"path": path, "queries": queries[name], "runs": []} for name, path in paths.items()})
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
                print(f"  {key:6s} run {run} {name:22s} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                      f"p99 {r['p99_ms']:7.2f} ms  errors {r['socket_errors']}  CPU {r['cpu_ms_per_req']:5.1f} ms/req  "
                      f"foreign CPU {r['foreign_cpu']:.2f}  load {r['load1']:.2f}", flush=True)
                wait_idle(benchlib, server)
    load_after = os.getloadavg()

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
    return {
        "target": key,
        "database": target["label"],
        "foro_cmd": " ".join(["gunicorn", *foro_cmd[1:]]),
        "ceiling_cmd": " ".join(["gunicorn", *ceiling_cmd[1:]]),
        "ceiling_target": target["ceiling"],
        "load_before": load_before,
        "load_after": load_after,
        "load1_max": max(r["load1"] for row in rows.values() for r in row["runs"]),
        "foreign_cpu": benchlib.median([r["foreign_cpu"] for row in rows.values() for r in row["runs"]]),
        "rows": rows,
    }


def _ratio(value: float) -> str:
    return f"{value:.2f} (1/{1 / value:.1f})" if 0 < value < 1 else f"{value:.2f}"


def print_report(results: list[dict], a, started: str, uptimes: tuple[str, str]) -> None:
    print(f"\n{started}; wrk -t2 -c32 -d{a.duration}s --latency, median of {a.runs} run(s) per page.")
    print("ratio = Foro req/s ÷ the ceiling's one-query page in the same run. CPU ms/req = CPU time of the "
          "gunicorn workers plus the PostgreSQL backends per request (SQLite runs inside the workers); "
          "CPU ratio = ceiling CPU ms/req ÷ page CPU ms/req, the same comparison, less sensitive to the "
          "share of the cores other jobs took.")
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
            print(f"| {result['database']} | {label} | `{row['path']}` | {row['queries']} | {row['rps']:.0f} | "
                  f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} | {_ratio(row['ratio'])} | "
                  f"{row['cpu_ms_per_req']:.1f} | {_ratio(row['cpu_ratio'])} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", default="sqlite,pg", help="comma-separated: sqlite, pg")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk per page before measuring")
    ap.add_argument("--shared-bench", type=Path, default=REPO_ROOT.parent / "shared" / "bench")
    ap.add_argument("--port", type=int, default=8721, help="Foro's port; the ceiling listens on the next one")
    ap.add_argument("--quick", action="store_true", help="1 run of 5 s, 1 s of warm-up: a smoke test")
    ap.add_argument("--json", action="store_true", help="write the raw figures into bench/results/")
    ap.add_argument("--profile", metavar="PATH",
                    help="instead of loading: cProfile 200 in-process requests of PATH on the first target")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.duration, a.warmup = 1, 5, 1
    targets = a.targets.split(",")
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise SystemExit(f"unknown targets {unknown}; choose among {', '.join(TARGETS)}")
    os.makedirs(PERF_DIR, exist_ok=True)
    benchlib, ceiling = load_shared(a.shared_bench.resolve())

    if a.profile:
        url = TARGETS[targets[0]]["url"]
        ceiling.ensure_database(url)
        app = seed_large.bench_app(url)
        print(seed_large.ensure_seeded(app, url))
        profile(app, a.profile.format(**_placeholders(app)), 200)
        return

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    uptime_before = uptime()
    print(f"uptime: {uptime_before}", flush=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    results = [run_target(benchlib, ceiling, key, a, gunicorn) for key in targets]
    uptime_after = uptime()
    print_report(results, a, started, (uptime_before, uptime_after))
    if a.json:
        RESULTS_DIR.mkdir(exist_ok=True)
        out = RESULTS_DIR / f"public-pages-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        with open(out, "w") as f:
            json.dump({"started": started, "machine": benchlib.machine_info(), "args": vars(a) | {
                "shared_bench": str(a.shared_bench)}, "uptime": [uptime_before, uptime_after], "results": results},
                f, indent=1)
        print(f"\nraw figures: {out}")


def _placeholders(app) -> dict[str, str]:
    """{space_id} and {year} for --profile paths, the same values the load uses."""
    paths = page_paths(app)
    return {"space_id": paths["open space"].rsplit("/", 1)[1], "year": paths["action plan"].rsplit("/", 1)[1]}


if __name__ == "__main__":
    main()
