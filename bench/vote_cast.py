"""Casting votes under load: many concurrent voters against Foro under gunicorn on PostgreSQL.

    .venv/bin/python bench/vote_cast.py                        # 2,000 voters x 3 votes, 64 at a time
    .venv/bin/python bench/vote_cast.py --voters 500 --concurrency 32 --votes-each 2
    .venv/bin/python bench/vote_cast.py --voters 1000 --live-totals  # every vote bumps the call's revision

Uses the call of bench/seed_proposals.py (database ``foro_proposals_bench``, seeded if needed) and its
5,000 citizens who have not voted yet. Foro runs as ``gunicorn -w 2 -k sync`` (production configuration);
each voter is a real signed-in browser session (a session cookie and a CSRF token signed with the bench
secret key, so the log-in form's rate limit is not what is measured) that POSTs its votes to
``voting.vote``, one after the other, while ``--concurrency`` voters run at once. Prints throughput
(votes/s), latency percentiles, status codes, and checks afterwards that every counter equals COUNT(*)
of the vote rows and that the stored votes are exactly the successful responses.

``--live-totals`` turns the call's live totals on for the run (and back off afterwards): every vote then
also bumps the call's revision (foro.services.page_cache.bump_call_revision), one UPDATE of the call row
on which concurrent voters queue until their commit; without it votes do not touch that row.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
import harness  # noqa: E402  (bench/harness.py: puts the repository root on sys.path)
import seed_large  # noqa: E402
import seed_proposals  # noqa: E402
from flask import g, session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

from foro.extensions import db  # noqa: E402
from foro.models import Ballot, Proposal, ProposalCall, ProposalVote, User  # noqa: E402
from foro.services.voting import on_ballot_clause  # noqa: E402

PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:{harness.PG_PORT}/foro_proposals_bench"


def _sessions(app, users) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) of a signed-in browser for each user, as Flask-Login would leave them."""
    out = []
    serializer = app.session_interface.get_signing_serializer(app)
    for user in users:
        with app.test_request_context("/"):
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            # generate_csrf caches the token in ``g``, which lives as long as the caller's app context.
            g.pop("csrf_token", None)
            token = generate_csrf()
            out.append((serializer.dumps(dict(session)), token))
    return out


def _recount(app, call_id: int) -> dict:
    with app.app_context():
        votes = db.session.scalar(select(func.count()).select_from(ProposalVote).where(ProposalVote.call_id == call_id))
        proposal_total = db.session.scalar(
            select(func.coalesce(func.sum(Proposal.votes_count), 0)).where(Proposal.call_id == call_id)
        )
        ballot_total = db.session.scalar(
            select(func.coalesce(func.sum(Ballot.votes_count), 0)).where(Ballot.call_id == call_id)
        )
        wrong_proposals = db.session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(
                Proposal.call_id == call_id,
                Proposal.votes_count
                != select(func.count()).where(ProposalVote.proposal_id == Proposal.id).scalar_subquery(),
            )
        )
        db.session.remove()
        return {"votes": votes, "proposal_total": proposal_total, "ballot_total": ballot_total,
                "proposals_off": wrong_proposals}


def _set_live_totals(app, call_id: int, on: bool) -> None:
    with app.app_context():
        db.session.execute(update(ProposalCall).where(ProposalCall.id == call_id).values(live_totals=on))
        db.session.commit()
        db.session.remove()


def _revision(app, call_id: int) -> int:
    with app.app_context():
        revision = db.session.scalar(select(ProposalCall.revision).where(ProposalCall.id == call_id))
        db.session.remove()
        return revision


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voters", type=int, default=2_000)
    ap.add_argument("--votes-each", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--port", type=int, default=8741)
    ap.add_argument("--live-totals", action="store_true",
                    help="run with the call's live totals on: every vote also bumps the call's revision")
    a = ap.parse_args()
    os.makedirs(harness.PERF_DIR, exist_ok=True)
    benchlib, ceiling = harness.load_shared(harness.REPO_ROOT.parent / "shared" / "bench")
    ceiling.ensure_database(PG_URL)
    app = seed_large.bench_app(PG_URL)
    print(seed_proposals.ensure_seeded(app, PG_URL), flush=True)
    space_id = seed_proposals.bench_ids(app)["space_id"]
    rnd = random.Random(7)
    with app.app_context():
        call_id = db.session.scalar(select(ProposalCall.id).where(ProposalCall.space_id == space_id))
        voted = select(ProposalVote.user_id).where(ProposalVote.call_id == call_id)
        users = list(
            db.session.scalars(
                select(User)
                .where(User.email.like(seed_proposals.FRESH_EMAIL.format("%")), User.id.not_in(voted))
                .order_by(User.id)
                .limit(a.voters)
            )
        )
        ballot_ids = list(db.session.scalars(select(Proposal.id).where(on_ballot_clause(call_id))))
        sessions = _sessions(app, users)
        db.session.remove()
    if len(users) < a.voters:
        raise SystemExit(f"only {len(users)} fresh voters left: reseed (drop database foro_proposals_bench)")
    before = _recount(app, call_id)
    plans = [rnd.sample(ballot_ids, a.votes_each) for _ in users]

    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    queue = list(zip(sessions, plans, strict=True))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                (cookie, token), plan = queue.pop()
            for proposal_id in plan:
                body = urlencode({"csrf_token": token, "action": "add"})
                headers = {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
                started = time.perf_counter()
                connection.request("POST", f"/espacios/{space_id}/votacion/{proposal_id}", body, headers)
                response = connection.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status] += 1
        connection.close()

    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [gunicorn, "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{a.port}", "--log-level", "warning", "wsgi:app"]
    env = {"FORO_ENV": "production", "SECRET_KEY": seed_large.BENCH_SECRET_KEY, "DATABASE_URL": PG_URL,
           "RATELIMIT_STORAGE_URI": "memory://", "SOCKETIO_MESSAGE_QUEUE": ""}
    load_before = os.getloadavg()
    _set_live_totals(app, call_id, a.live_totals)
    revision_before = _revision(app, call_id)
    try:
        with benchlib.Server(cmd, a.port, env=env, cwd=str(harness.REPO_ROOT),
                             log=f"{harness.PERF_DIR}/vote-cast.log"):
            threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
    finally:
        revision_bumps = _revision(app, call_id) - revision_before
        _set_live_totals(app, call_id, False)
    after = _recount(app, call_id)
    latencies.sort()
    ok = statuses.get(302, 0)
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(f"\n{a.voters} voters x {a.votes_each} votes, {a.concurrency} at once, gunicorn -w 2 -k sync, PostgreSQL, "
          f"live totals {'on' if a.live_totals else 'off'}")
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"requests {len(latencies)} in {wall:.1f} s: {len(latencies) / wall:.0f} votes/s; statuses {dict(statuses)}")
    print(f"latency ms: p50 {pct(0.5):.1f}  p90 {pct(0.9):.1f}  p99 {pct(0.99):.1f}  max {latencies[-1] * 1000:.1f}  "
          f"mean {statistics.mean(latencies) * 1000:.1f}")
    print(f"before: {before}\nafter:  {after}")
    checks = {
        "stored votes = successful responses": after["votes"] - before["votes"] == ok,
        "sum of proposals.votes_count = COUNT(*)": after["proposal_total"] == after["votes"],
        "sum of ballots.votes_count = COUNT(*)": after["ballot_total"] == after["votes"],
        "every proposal's votes_count = its COUNT(*)": after["proposals_off"] == 0,
        "no 5xx": not any(code >= 500 for code in statuses),
        # With live totals every stored vote bumps the call once; without them votes leave it alone.
        "call revision bumps": revision_bumps == (ok if a.live_totals else 0),
    }
    for name, passed in checks.items():
        print(f"  {'ok' if passed else 'FAILED'}: {name}")
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
