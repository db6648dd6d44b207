"""Foro's public pages under load, stated as ratios to the bare-stack ceiling measured in the same run.

    .venv/bin/python bench/public_pages.py                  # SQLite and PostgreSQL, 3 runs of 10 s
    .venv/bin/python bench/public_pages.py --quick          # 1 run of 5 s, a smoke test
    .venv/bin/python bench/public_pages.py --targets pg --runs 5 --json

For each database the large data set of bench/seed_large.py is loaded once (SQLite file in $PERF_DIR,
PostgreSQL database ``foro_bench`` on 127.0.0.1:5432, created if missing). Foro and the ceiling app of
the shared benchmarks then run side by side under ``gunicorn -w 2 -k sync`` and every page is loaded
with ``wrk -t2 -c32 -d10s --latency``, interleaved with the ceiling; bench/harness.py says how.
"""

from __future__ import annotations

import harness  # bench/harness.py, beside this script; puts the repository root on sys.path
import seed_large
from sqlalchemy import select

from foro.extensions import db
from foro.models import Organism, Space, SpaceState
from foro.services.public import current_cycle
from foro.timeutil import local_today

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


def placeholders(app) -> dict[str, str]:
    """{space_id}: the first open SDTPC space that serves an action and has territories; {year}: the
    current cycle's."""
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
    return {"space_id": str(space_id), "year": str(cycle.year)}


def page_paths(app) -> dict[str, str]:
    values = placeholders(app)
    return {name: path.format(**values) for name, path in PAGES}


SUITE = harness.Suite(
    name="public-pages",
    description=__doc__,
    targets=harness.database_targets("foro_bench.sqlite", "foro_bench"),
    ensure_seeded=seed_large.ensure_seeded,
    page_paths=page_paths,
    placeholders=placeholders,
    port=8721,
)

if __name__ == "__main__":
    harness.main(SUITE)
