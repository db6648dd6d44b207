"""Live-session fan-out: N real Socket.IO viewers in one session room while a moderator approves questions.

    .venv/bin/python bench/live_fanout.py                                  # 500 and 1,000 viewers, threading and
                                                                           # gevent, 1 and 2 processes, SQLite
    .venv/bin/python bench/live_fanout.py --clients 1000 --modes gevent --servers 2 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/foro_bench_live
    .venv/bin/python bench/live_fanout.py --clients 100 --modes threading --servers 1 --messages 10 --no-bare

The session is the one of bench/seed_live.py (SQLite file ``$PERF_DIR/foro_live_bench.sqlite`` by default,
or ``--database-url``). For every case (async mode x server processes x N) it:

1. resets the session's questions to ``--messages`` PENDING ones (no server running);
2. starts Foro (``wsgi:app``, production configuration) as one gunicorn worker per process:
   threading = ``-k gthread --threads N+200``, gevent = ``-k gevent``; SOCKETIO_ASYNC_MODE set to the mode;
   with two processes, SOCKETIO_MESSAGE_QUEUE = ``--mq`` (Redis) and the viewers are split round-robin;
3. logs the seeded moderator in over HTTP (the log-in form, as a browser) and connects their socket
   with that session cookie; connects N anonymous viewers held by ``--client-procs`` processes
   (websocket transport), each emitting "join" {"space": id} and checking the ack;
4. waits until the servers' CPU goes quiet (joins broadcast presence), then the moderator emits
   "approve" for one pending question every ``--interval`` s, on a fixed schedule;
5. every viewer records, per "question" event of an approved bench question, receive time - the
   payload's "sent_at" (time.time() just before the server's emit; same machine, same clock);
   lost = viewers x approvals acknowledged ok - events received (within a drain deadline);
6. stops the servers by their own PID (always).

In the same run, before each Foro case, the bare Flask-SocketIO fan-out of the shared benchmarks runs
with the same mode, N, process count, client processes, messages and interval
(``sio_fanout.py``, imported from --shared-bench and run as its own command); each row gives
Foro p99 / bare p99.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import logging
import multiprocessing as mp
import os
import re
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import harness  # bench/harness.py, beside this script; puts the repository root on sys.path
import seed_large
import seed_live
import socketio

PERF_DIR = harness.PERF_DIR
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SESSION_COOKIE = re.compile(r"(?:^|[;,]\s*)session=([^;]+)")


# ---------------------------------------------------------------- servers and log-in

def foro_command(mode: str, port: int, clients: int, app: str = "wsgi:app") -> list[str]:
    """The gunicorn command of one socket server process (one worker, as Flask-SocketIO requires)."""
    common = ["-b", f"127.0.0.1:{port}", "-w", "1", "--worker-connections", str(4 * clients + 100),
              "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"]
    if mode == "threading":
        return [GUNICORN, "-k", "gthread", "--threads", str(clients + 200), *common, app]
    return [GUNICORN, "-k", "gevent", *common, app]


def _cookie(response: http.client.HTTPResponse) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        match = SESSION_COOKIE.search(header)
        if match:
            return match.group(1)
    return None


def log_in(port: int, email: str, password: str) -> str:
    """The Flask session cookie of a browser that logged in through the log-in form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/cuenta/ingresar")
        response = connection.getresponse()
        page = response.read().decode()
        cookie = _cookie(response)
        token = CSRF_FIELD.search(page)
        if response.status != 200 or not cookie or not token:
            raise SystemExit(f"log-in page: status {response.status}, cookie {bool(cookie)}, token {bool(token)}")
        from urllib.parse import urlencode

        body = urlencode({"csrf_token": token.group(1), "email": email, "password": password})
        connection.request("POST", "/cuenta/ingresar", body, {
            "Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        logged_in = _cookie(response)
        if response.status not in (302, 303) or not logged_in:
            raise SystemExit(f"log-in as {email} failed: status {response.status}")
        return logged_in
    finally:
        connection.close()


# ---------------------------------------------------------------- client processes

def _flush_and_exit(ctl) -> None:
    # Queue data is written by a feeder thread: flush it before leaving without the interpreter's teardown.
    ctl["result"].close()
    ctl["result"].join_thread()
    os._exit(0)


def _wait_stop(ctl, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not ctl["stop"].is_set() and time.monotonic() < deadline:
        time.sleep(0.1)


async def _viewers(k: int, indexes: list[int], urls: list[str], space_id: int, question_ids: list[int],
                   a, ctl, approved) -> None:
    """One client process: connect and join its share of anonymous viewers, then record deliveries."""
    wanted = {qid: position for position, qid in enumerate(question_ids)}
    n = len(indexes)
    received: list[dict[int, float]] = [{} for _ in range(n)]
    presence_events = [0] * n
    clients: list[socketio.AsyncClient | None] = [None] * n
    join_s: list[float] = []
    failures: dict[str, int] = {}
    disconnects = 0
    dropped_before_go = 0
    measuring = False

    def question_handler(j: int):
        def on_question(data):
            now = time.time()
            qid = data.get("id") if isinstance(data, dict) else None
            if qid in wanted and data.get("status") == "approved" and qid not in received[j]:
                received[j][qid] = now - data["sent_at"]
        return on_question

    def presence_handler(j: int):
        def on_presence(_data):
            presence_events[j] += 1
        return on_presence

    def on_disconnect(*_args):
        nonlocal disconnects, dropped_before_go
        if measuring:
            disconnects += 1
        else:
            dropped_before_go += 1

    semaphore = asyncio.Semaphore(max(1, a.connect_concurrency // a.client_procs))

    async def connect(j: int) -> None:
        client = socketio.AsyncClient(reconnection=False)
        client.on("question", question_handler(j))
        client.on("presence", presence_handler(j))
        client.on("disconnect", on_disconnect)
        async with semaphore:
            started = time.monotonic()
            try:
                await asyncio.wait_for(client.connect(urls[indexes[j] % len(urls)], transports=["websocket"],
                                                      wait_timeout=30), 40)
                ack = await client.call("join", {"space": space_id}, timeout=60)
            except Exception as error:  # noqa: BLE001
                key = type(error).__name__
                failures[key] = failures.get(key, 0) + 1
                if sum(failures.values()) <= 3:
                    print(f"    viewer {indexes[j]}: {key}: {error}", flush=True)
                return
            if not (isinstance(ack, dict) and ack.get("ok")):
                failures["join refused"] = failures.get("join refused", 0) + 1
                if failures["join refused"] <= 3:
                    print(f"    viewer {indexes[j]}: join ack {str(ack)[:200]}", flush=True)
                return
            join_s.append(time.monotonic() - started)
            clients[j] = client

    started = time.monotonic()
    usage_at_start = resource.getrusage(resource.RUSAGE_SELF)
    try:
        await asyncio.wait_for(asyncio.gather(*(connect(j) for j in range(n))), timeout=a.connect_timeout)
    except TimeoutError:
        failures["connect phase deadline"] = sum(1 for c in clients if c is None)
    connect_s = time.monotonic() - started
    joined = [j for j in range(n) if clients[j] is not None]
    usage_joined = resource.getrusage(resource.RUSAGE_SELF)
    join_cpu_s = (usage_joined.ru_utime - usage_at_start.ru_utime) + (usage_joined.ru_stime - usage_at_start.ru_stime)
    ctl["ready"].put({"proc": k, "joined": len(joined), "connect_s": connect_s, "join_cpu_s": join_cpu_s})
    while not ctl["go"].is_set():  # bounded by the parent's own deadline
        # The parent waits for the presence broadcasts of the joins to stop arriving before it starts.
        ctl["presence_seen"][k] = sum(presence_events)
        await asyncio.sleep(0.05)
    measuring = True
    presence_before = sum(presence_events)
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.monotonic()
    deadline = began + len(question_ids) * a.interval + a.drain
    while time.monotonic() < deadline:
        if ctl["approvals_done"].is_set():
            ok = [qid for qid, position in wanted.items() if approved[position]]
            if all(all(qid in received[j] for qid in ok) for j in joined):
                break
        await asyncio.sleep(0.1)
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    ctl["result"].put({
        "proc": k, "latencies": [received[j] for j in joined], "joined": len(joined), "failures": failures,
        "connect_s": connect_s, "join_s": join_s, "disconnects": disconnects,
        "dropped_before_go": dropped_before_go,
        "cpu_s": (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime),
        "wall_s": time.monotonic() - began,
        "presence_events_at_join": presence_before, "presence_events_during": sum(presence_events) - presence_before,
    })


async def _moderator(url: str, cookie: str, space_id: int, question_ids: list[int], a, ctl, approved) -> None:
    """The moderator's socket: joins (checking it is seen as a moderator), then approves on a fixed schedule."""
    client = socketio.AsyncClient(reconnection=False)
    try:
        await asyncio.wait_for(client.connect(url, transports=["websocket"], headers={"Cookie": f"session={cookie}"},
                                              wait_timeout=30), 40)
        ack = await client.call("join", {"space": space_id}, timeout=60)
    except Exception as error:  # noqa: BLE001
        ctl["ready"].put({"proc": "moderator", "error": f"{type(error).__name__}: {error}"})
        return
    snapshot = ack.get("snapshot") if isinstance(ack, dict) else None
    is_moderator = bool(snapshot and snapshot.get("viewer", {}).get("moderator"))
    pending_seen = sum(1 for q in (snapshot or {}).get("questions", []) if q.get("status") == "pending")
    ctl["ready"].put({"proc": "moderator", "moderator": is_moderator, "pending_seen": pending_seen,
                      "error": None if is_moderator else f"join ack does not see a moderator: {str(ack)[:300]}"})
    while not ctl["go"].is_set():
        await asyncio.sleep(0.02)
    began = time.monotonic()

    async def approve(position: int, qid: int) -> dict:
        delay = began + position * a.interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.monotonic()
        try:
            reply = await client.call("approve", {"space": space_id, "question": qid}, timeout=30)
        except Exception as error:  # noqa: BLE001
            return {"question": qid, "ok": False, "ack_s": None, "error": f"{type(error).__name__}: {error}"}
        ok = isinstance(reply, dict) and bool(reply.get("ok"))
        if ok:
            approved[position] = 1
        return {"question": qid, "ok": ok, "ack_s": time.monotonic() - sent,
                "late_s": sent - (began + position * a.interval), "error": None if ok else str(reply)[:300]}

    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(approve(position, qid) for position, qid in enumerate(question_ids))),
            timeout=len(question_ids) * a.interval + 40)
    except TimeoutError:
        results = [{"question": qid, "ok": bool(approved[p]), "ack_s": None, "error": "approval phase deadline"}
                   for p, qid in enumerate(question_ids)]
    ctl["approvals_done"].set()
    ctl["result"].put({"proc": "moderator", "approvals": results})


def _quiet_client_logs() -> None:
    # A client dropped by an overloaded server logs once per socket; the report counts the disconnects instead.
    for name in ("asyncio", "engineio.client", "socketio.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _viewers_entry(k, indexes, urls, space_id, question_ids, a, ctl, approved) -> None:
    _quiet_client_logs()
    try:
        asyncio.run(_viewers(k, indexes, urls, space_id, question_ids, a, ctl, approved))
    except Exception as error:  # noqa: BLE001
        ctl["ready"].put({"proc": k, "error": f"{type(error).__name__}: {error}"})
        ctl["result"].put({"proc": k, "error": f"{type(error).__name__}: {error}"})
    _wait_stop(ctl, 120)
    _flush_and_exit(ctl)


def _moderator_entry(url, cookie, space_id, question_ids, a, ctl, approved) -> None:
    _quiet_client_logs()
    try:
        asyncio.run(_moderator(url, cookie, space_id, question_ids, a, ctl, approved))
    except Exception as error:  # noqa: BLE001
        ctl["approvals_done"].set()
        ctl["result"].put({"proc": "moderator", "error": f"{type(error).__name__}: {error}"})
    _wait_stop(ctl, 120)
    _flush_and_exit(ctl)


# ---------------------------------------------------------------- one case

def _wait_settled(benchlib, pids: list[int], presence_seen, limit: float) -> tuple[float, bool]:
    """Wait until the joins' presence broadcasts have stopped arriving (no new one for 1.5 s) and the servers
    use under 5 % of a core over half a second; (seconds waited, settled before ``limit``)."""
    started = time.monotonic()
    last_cpu = benchlib.cpu_seconds(pids)
    last_seen, stable_since = sum(presence_seen), time.monotonic()
    while time.monotonic() - started < limit:
        time.sleep(0.5)
        cpu, seen = benchlib.cpu_seconds(pids), sum(presence_seen)
        if seen != last_seen:
            last_seen, stable_since = seen, time.monotonic()
        if cpu - last_cpu < 0.025 and time.monotonic() - stable_since >= 1.5:
            return time.monotonic() - started, True
        last_cpu = cpu
    return time.monotonic() - started, False


def foro_case(benchlib, fanout, app, url: str, mode: str, servers: int, n: int, a, space: dict) -> dict:
    question_ids = seed_live.reset_questions(app, a.messages)
    env = {"FORO_ENV": "production", "SECRET_KEY": seed_large.BENCH_SECRET_KEY, "DATABASE_URL": url,
           "RATELIMIT_STORAGE_URI": "memory://", "SOCKETIO_ASYNC_MODE": mode,
           "SOCKETIO_MESSAGE_QUEUE": a.mq if servers > 1 else ""}
    ports = [a.port + k for k in range(servers)]
    procs: list = []
    ctx = mp.get_context("fork")
    ctl = {"ready": ctx.Queue(), "result": ctx.Queue(), "go": ctx.Event(), "approvals_done": ctx.Event(),
           "stop": ctx.Event(), "presence_seen": ctx.Array("q", a.client_procs, lock=False)}
    approved = ctx.Array("b", len(question_ids), lock=False)
    running = [benchlib.Server(foro_command(mode, port, n, a.app), port, env=env, cwd=str(harness.REPO_ROOT),
                               log=f"{PERF_DIR}/live-fanout-{mode}.log") for port in ports]
    backends = harness.BackendCpu(benchlib, url)
    try:
        for server in running:
            server.start()
        pids = [pid for server in running for pid in server.pids()]
        server_cpu_at_start = benchlib.cpu_seconds(pids)
        cookie = log_in(ports[0], space["moderator_email"], space["password"])
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        shares = [list(range(k, n, a.client_procs)) for k in range(a.client_procs)]
        procs = [ctx.Process(target=_viewers_entry, daemon=True,
                             args=(k, shares[k], urls, space["space_id"], question_ids, a, ctl, approved))
                 for k in range(a.client_procs)]
        procs.append(ctx.Process(target=_moderator_entry, daemon=True,
                                 args=(urls[0], cookie, space["space_id"], question_ids, a, ctl, approved)))
        for proc in procs:
            proc.start()
        ready = [ctl["ready"].get(timeout=a.connect_timeout + 60) for _ in procs]
        errors = [r["error"] for r in ready if r.get("error")]
        if errors:
            raise RuntimeError(f"set-up failed: {errors}")
        server_join_cpu = benchlib.cpu_seconds(pids) - server_cpu_at_start
        settle_s, settled = _wait_settled(benchlib, pids, ctl["presence_seen"], a.settle_timeout)
        server_join_cpu_settled = benchlib.cpu_seconds(pids) - server_cpu_at_start
        rss = fanout.rss_mib(pids)
        threads = fanout.thread_count(pids)
        backends.start()
        cpu_before = benchlib.cpu_seconds(pids)
        machine_before = benchlib.system_busy_seconds()
        began = time.monotonic()
        ctl["go"].set()
        results = [ctl["result"].get(timeout=a.messages * a.interval + a.drain + 90) for _ in procs]
        wall = max(r.get("wall_s", 0) for r in results) or (time.monotonic() - began)
        server_cpu = benchlib.cpu_seconds(pids) - cpu_before
        db_cpu = backends.seconds()
        machine_cpu = benchlib.system_busy_seconds() - machine_before
    finally:
        for server in running:
            server.stop()
        ctl["stop"].set()
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
    failed = [r["error"] for r in results if r.get("error")]
    if failed:
        raise RuntimeError(f"client process failed: {failed}")
    moderator = next(r for r in results if r["proc"] == "moderator")
    viewers = [r for r in results if r["proc"] != "moderator"]
    ok_ids = {x["question"] for x in moderator["approvals"] if x["ok"]}
    per_viewer = [d for r in viewers for d in r["latencies"]]
    ms = lambda x: None if x is None else round(x * 1000, 1)  # noqa: E731
    pct = fanout.pct
    latencies = sorted(v for d in per_viewer for qid, v in d.items() if qid in ok_ids)
    # Per approval (in schedule order): its median and slowest delivery, to see periodic stalls.
    per_question = []
    for qid in question_ids:
        values = sorted(d[qid] for d in per_viewer if qid in d)
        per_question.append([qid, round(pct(values, 50) * 1000, 1) if values else None,
                             round(values[-1] * 1000, 1) if values else None, len(values)])
    joined = sum(r["joined"] for r in viewers)
    expected = joined * len(ok_ids)
    acks = sorted(x["ack_s"] for x in moderator["approvals"] if x["ack_s"] is not None)
    join_s = sorted(s for r in viewers for s in r["join_s"])
    failures: dict[str, int] = {}
    for r in viewers:
        for key, count in r["failures"].items():
            failures[key] = failures.get(key, 0) + count
    return {
        "mode": mode, "servers": servers, "clients": n, "client_procs": a.client_procs, "joined": joined,
        "join_failures": failures, "approved": len(ok_ids), "messages": a.messages, "interval_s": a.interval,
        "approval_errors": sorted({x["error"] for x in moderator["approvals"] if x["error"]})[:5],
        "expected": expected, "delivered": len(latencies), "lost": expected - len(latencies),
        "p50_ms": ms(pct(latencies, 50)), "p95_ms": ms(pct(latencies, 95)), "p99_ms": ms(pct(latencies, 99)),
        "max_ms": ms(latencies[-1] if latencies else None),
        "approve_ack_p50_ms": ms(pct(acks, 50)), "approve_ack_max_ms": ms(acks[-1] if acks else None),
        "connect_s": round(max(r["connect_s"] for r in viewers), 1),
        # CPU-seconds of the join phase (until every viewer joined; servers also until settled), all processes.
        "join_phase_server_cpu_s": round(server_join_cpu, 1),
        "join_phase_server_cpu_settled_s": round(server_join_cpu_settled, 1),
        "join_phase_client_cpu_s": round(sum(r.get("join_cpu_s", 0) for r in ready), 1),
        "join_p50_ms": ms(pct(join_s, 50)),
        "join_max_ms": ms(join_s[-1] if join_s else None), "settle_s": round(settle_s, 1), "settled": settled,
        "presence_events_per_viewer_at_join": round(sum(r["presence_events_at_join"] for r in viewers)
                                                    / max(1, joined), 1),
        "presence_events_during": sum(r["presence_events_during"] for r in viewers),
        "unexpected_disconnects": sum(r["disconnects"] for r in viewers),
        "dropped_before_go": sum(r["dropped_before_go"] for r in viewers),
        "broadcast_wall_s": round(wall, 2), "server_cpu_per_s": round(server_cpu / wall, 2),
        "db_cpu_per_s": round(db_cpu / wall, 2), "client_cpu_per_s": round(sum(r["cpu_s"] for r in viewers) / wall, 2),
        "machine_cpu_per_s": round(machine_cpu / wall, 2), "server_rss_mib": round(rss, 1), "server_threads": threads,
        "per_question_p50_max_ms_n": per_question,
        "server_cmd": " ".join(Path(x).name if x.startswith("/") else x for x in running[0].cmd),
    }


def bare_case(shared: Path, mode: str, servers: int, n: int, a) -> dict:
    """The shared bare Flask-SocketIO fan-out with the same parameters, as its own command."""
    out = Path(a.results_dir) / f"bare-{mode}-{servers}-{n}-{os.getpid()}.json"
    cmd = [sys.executable, str(shared / "sio_fanout.py"), "--mode", mode, "--clients", str(n),
           "--messages", str(a.messages), "--interval", str(a.interval), "--client-procs", str(a.client_procs),
           "--port", str(a.bare_port), "--json", str(out)]
    if servers > 1:
        cmd += ["--servers", str(servers), "--mq", a.mq]
    print("  $ " + " ".join(Path(x).name if x == sys.executable else x for x in cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=a.connect_timeout + a.messages * a.interval
                          + 300)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"bare fan-out failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    summary = json.loads(out.read_text())["summary"][0]
    summary["command"] = " ".join(cmd)
    return summary


# ---------------------------------------------------------------- report

def _fmt(value) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def print_table(rows: list[dict], a) -> None:
    print(f"\n{a.messages} approvals every {a.interval * 1000:.0f} ms; latency = viewer receive time - payload "
          "\"sent_at\"; lost = viewers x approvals acknowledged - events received; dropped = joined viewers "
          "whose connection dropped before the end (heartbeat missed); "
          "settle = wait for the joins' presence broadcasts; "
          "bare = shared/bench/sio_fanout.py, same mode/N/processes, same run\n")
    print("| mode | processes | N | joined | approved | lost | dropped | p50 ms | p95 ms | p99 ms | max ms | "
          "bare p50 ms | bare p99 ms | bare lost | p99 ÷ bare p99 | approve ack p50 / max ms | server CPU/s | "
          "DB CPU/s | client CPU/s | server RSS MiB | connect s | settle s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        bare = r.get("bare") or {}
        dropped = r.get("dropped_before_go", 0) + r["unexpected_disconnects"]
        ratio = (round(r["p99_ms"] / bare["p99_ms"], 2) if r.get("p99_ms") and bare.get("p99_ms") else None)
        if r["lost"]:
            ratio = "n/a (lost events)"  # the percentiles are those of the viewers that stayed connected
        processes = f"{r['servers']}{' + Redis' if r['servers'] > 1 else ''}"
        print(f"| {r['mode']} | {processes} | {r['clients']} | {r['joined']} | {r['approved']}/{r['messages']} | "
              f"{r['lost']} | {dropped} | {_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])} | "
              f"{_fmt(r['p99_ms'])} | {_fmt(r['max_ms'])} | "
              f"{_fmt(bare.get('p50_ms'))} | {_fmt(bare.get('p99_ms'))} | {_fmt(bare.get('lost'))} | {_fmt(ratio)} | "
              f"{_fmt(r['approve_ack_p50_ms'])} / {_fmt(r['approve_ack_max_ms'])} | {r['server_cpu_per_s']} | "
              f"{r['db_cpu_per_s']} | {r['client_cpu_per_s']} | {r['server_rss_mib']} | {r['connect_s']} | "
              f"{r['settle_s']}{'' if r['settled'] else ' (not settled)'} |")


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", default="500,1000", help="viewer counts, comma-separated")
    ap.add_argument("--modes", default="threading,gevent", help="async modes: threading, gevent")
    ap.add_argument("--servers", default="1,2", help="server process counts; 2 uses --mq")
    ap.add_argument("--messages", type=int, default=50, help="approvals per case")
    ap.add_argument("--interval", type=float, default=0.2, help="seconds between approvals")
    ap.add_argument("--client-procs", type=int, default=2, help="processes holding the viewers' connections")
    ap.add_argument("--connect-concurrency", type=int, default=50)
    ap.add_argument("--connect-timeout", type=float, default=300, help="deadline of the connect-and-join phase")
    ap.add_argument("--settle-timeout", type=float, default=180, help="longest wait for the servers to go quiet")
    ap.add_argument("--drain", type=float, default=20, help="seconds after the last approval to wait for events")
    ap.add_argument("--database-url", default=f"sqlite:///{PERF_DIR}/foro_live_bench.sqlite")
    ap.add_argument("--mq", default="redis://127.0.0.1:6379/7", help="message queue of the two-process cases")
    ap.add_argument("--port", type=int, default=8760, help="Foro's port (and the next one)")
    ap.add_argument("--bare-port", type=int, default=8770)
    ap.add_argument("--app", default="wsgi:app", help="the WSGI app gunicorn serves (Foro's by default)")
    ap.add_argument("--no-bare", action="store_true", help="skip the shared bare-stack runs")
    ap.add_argument("--shared-bench", default=str(harness.REPO_ROOT.parent / "shared" / "bench"))
    ap.add_argument("--results-dir", default=str(harness.RESULTS_DIR), help="where the JSON files go")
    return ap.parse_args()


def main() -> None:
    a = parse_args()
    _quiet_client_logs()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    os.makedirs(PERF_DIR, exist_ok=True)
    os.makedirs(a.results_dir, exist_ok=True)
    shared = Path(a.shared_bench).resolve()
    benchlib, ceiling = harness.load_shared(shared)
    import sio_fanout as fanout  # the shared fan-out's percentile, RSS and thread helpers

    ceiling.ensure_database(a.database_url)
    app = seed_large.bench_app(a.database_url)
    print(seed_live.ensure_seeded(app, a.database_url), flush=True)
    space = seed_live.bench_ids(app)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"{started}  {harness.uptime()}", flush=True)
    rows = []
    for mode in a.modes.split(","):
        for servers in [int(x) for x in a.servers.split(",")]:
            for n in [int(x) for x in a.clients.split(",")]:
                print(f"\n== {mode}, {servers} process(es), {n} viewers", flush=True)
                bare = None
                if not a.no_bare:
                    try:
                        bare = bare_case(shared, mode, servers, n, a)
                        print(f"  bare: p50 {bare['p50_ms']} p99 {bare['p99_ms']} lost {bare['lost']}", flush=True)
                    except Exception as error:  # noqa: BLE001
                        print(f"  bare run failed: {error}", flush=True)
                try:
                    row = foro_case(benchlib, fanout, app, a.database_url, mode, servers, n, a, space)
                except Exception as error:  # noqa: BLE001
                    print(f"  Foro run failed: {type(error).__name__}: {error}", flush=True)
                    row = {"mode": mode, "servers": servers, "clients": n, "error": str(error)}
                row["bare"] = bare
                rows.append(row)
                print("  " + json.dumps({k: v for k, v in row.items() if k != "bare"}), flush=True)
    print(f"\n{datetime.now(UTC).isoformat(timespec='seconds')}  {harness.uptime()}")
    print(f"database: {a.database_url}")
    print_table([r for r in rows if "error" not in r], a)
    for r in rows:
        if "error" in r:
            print(f"FAILED: {r['mode']}, {r['servers']} process(es), {r['clients']}: {r['error']}")
    out = Path(a.results_dir) / f"live_fanout-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"machine": benchlib.machine_info(), "args": vars(a), "started": started,
                               "rows": rows}, indent=1))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
