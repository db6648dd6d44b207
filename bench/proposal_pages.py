"""Foro's proposal pages under load, stated as ratios to the bare-stack ceiling measured in the same run.

    .venv/bin/python bench/proposal_pages.py                 # SQLite and PostgreSQL, 3 runs of 10 s
    .venv/bin/python bench/proposal_pages.py --runs 1 --duration 5
    .venv/bin/python bench/proposal_pages.py --targets sqlite --profile '/espacios/{space_id}/votacion'

For each database the call of bench/seed_proposals.py (10,000 proposals, 200,000 votes) is loaded once
(SQLite file $PERF_DIR/foro_proposals_bench.sqlite, PostgreSQL database ``foro_proposals_bench``). Pages,
as an anonymous visitor: the proposal list (``proposals.index``, when the proposals blueprint provides it),
the ballot and the results of the vote, and an action's traceability page (``answers.traceability``, when
it exists and an action has origins). Measured like the forum pages (bench/harness.py). The issue's
target: the list page at least 1/3 of the ceiling's one-query page.
"""

from __future__ import annotations

import harness  # bench/harness.py, beside this script; puts the repository root on sys.path
import seed_proposals
from flask import url_for
from sqlalchemy import select

from foro.extensions import db
from foro.models import ProposalAnswer

GOALS = {"proposal list": 3}


def placeholders(app) -> dict[str, str]:
    return {"space_id": str(seed_proposals.bench_ids(app)["space_id"])}


def page_paths(app) -> dict[str, str]:
    space_id = seed_proposals.bench_ids(app)["space_id"]
    pages = {}
    with app.test_request_context():
        if "proposals.index" in app.view_functions:
            pages["proposal list"] = url_for("proposals.index", space_id=space_id)
        pages["ballot (voting)"] = url_for("voting.ballot", space_id=space_id)
        pages["results (live totals off)"] = url_for("voting.results", space_id=space_id)
        if "answers.traceability" in app.view_functions:
            with app.app_context():
                action_id = db.session.scalar(
                    select(ProposalAnswer.action_id).where(ProposalAnswer.action_id.is_not(None))
                )
            if action_id is not None:
                pages["action traceability"] = url_for("answers.traceability", action_id=action_id)
    return pages


SUITE = harness.Suite(
    name="proposal-pages",
    description=__doc__,
    targets=harness.database_targets("foro_proposals_bench.sqlite", "foro_proposals_bench"),
    ensure_seeded=seed_proposals.ensure_seeded,
    page_paths=page_paths,
    placeholders=placeholders,
    port=8751,
    goals=GOALS,
)

if __name__ == "__main__":
    harness.main(SUITE)
