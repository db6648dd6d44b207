"""Foro's forum pages under load, stated as ratios to the bare-stack ceiling measured in the same run.

    .venv/bin/python bench/forum_pages.py                   # SQLite and PostgreSQL, 3 runs of 10 s
    .venv/bin/python bench/forum_pages.py --quick           # 1 run of 5 s, a smoke test
    .venv/bin/python bench/forum_pages.py --no-cache        # the forum page cache off: logged-in people
    .venv/bin/python bench/forum_pages.py --targets sqlite --no-cache --profile '/espacios/{space_id}/foro'

For each database the forum of bench/seed_forum.py (2,000 threads, 20,000 posts, about 30,000 supports)
is loaded once (SQLite file $PERF_DIR/foro_forum_bench.sqlite, PostgreSQL database ``foro_forum_bench``
on 127.0.0.1:5432, created if missing). Foro and the ceiling app of the shared benchmarks then run side
by side under ``gunicorn -w 2 -k sync`` and every page is loaded, as an anonymous visitor, with
``wrk -t2 -c32 -d10s --latency``, interleaved with the ceiling; bench/harness.py says how. wrk sends no
cookies, so by default the pages come from the anonymous page cache (foro.services.page_cache);
``--no-cache`` measures them rendered for every request, as logged-in people get them.

The issue's targets, as ratios of req/s to the ceiling's one-query page: the forum page at least 1/3
(both of its views), a thread page with 50 replies at least 1/5. --profile paths may use {space_id}
and {thread_id} (the 50-reply thread).
"""

from __future__ import annotations

import harness  # bench/harness.py, beside this script; puts the repository root on sys.path
import seed_forum

PAGES = (
    ("forum page (tree)", "/espacios/{space_id}/foro"),
    ("forum page (list)", "/espacios/{space_id}/foro?vista=lista&orden=apoyos"),
    ("thread page (50 replies)", "/espacios/{space_id}/foro/aportes/{thread_id}"),
)
GOALS = {"forum page (tree)": 3, "forum page (list)": 3, "thread page (50 replies)": 5}


def placeholders(app) -> dict[str, str]:
    space_id, thread_id = seed_forum.bench_ids(app)
    return {"space_id": str(space_id), "thread_id": str(thread_id)}


def page_paths(app) -> dict[str, str]:
    values = placeholders(app)
    return {name: path.format(**values) for name, path in PAGES}


SUITE = harness.Suite(
    name="forum-pages",
    description=__doc__,
    targets=harness.database_targets("foro_forum_bench.sqlite", "foro_forum_bench"),
    ensure_seeded=seed_forum.ensure_seeded,
    page_paths=page_paths,
    placeholders=placeholders,
    port=8731,
    goals=GOALS,
)

if __name__ == "__main__":
    harness.main(SUITE)
