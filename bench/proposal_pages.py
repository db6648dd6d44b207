"""Foro's proposal pages under load, stated as ratios to the bare-stack ceiling measured in the same run.

    .venv/bin/python bench/proposal_pages.py                 # SQLite and PostgreSQL, 3 runs of 10 s
    .venv/bin/python bench/proposal_pages.py --no-cache      # the page cache off: logged-in people
    .venv/bin/python bench/proposal_pages.py --runs 1 --duration 5
    .venv/bin/python bench/proposal_pages.py --targets sqlite --no-cache --profile '/espacios/{space_id}/propuestas'

For each database the calls of bench/seed_proposals.py are loaded once (SQLite file
$PERF_DIR/foro_proposals_bench.sqlite, PostgreSQL database ``foro_proposals_bench``): the big call
(10,000 proposals, 200,000 votes, its vote running without live totals) and the small answered call
whose winners went into one plan action. Pages, as an anonymous visitor: the big call's proposal list
(``proposals.index``), a proposal's page, its ballot and its results (hidden while the vote runs); the
answered call's results and answers; the action's traceability page (``answers.traceability``). Measured
like the forum pages (bench/harness.py); wrk sends no cookies, so the list, proposal, results and answers
pages come from the anonymous page cache unless ``--no-cache``; the ballot and the traceability page are
always rendered. The issue's target: the list page at least 1/3 of the ceiling's one-query page.
--profile paths may use {space_id}, {proposal_id}, {answered_space_id} and {action_id}.
"""

from __future__ import annotations

import harness  # bench/harness.py, beside this script; puts the repository root on sys.path
import seed_proposals
from sqlalchemy import select

from foro.extensions import db
from foro.models import Proposal, ProposalCall, ProposalStatus, Space

PAGES = (
    ("proposal list", "/espacios/{space_id}/propuestas"),
    ("proposal list (by recent, page 50)", "/espacios/{space_id}/propuestas?orden=recientes&pagina=50"),
    ("proposal page", "/espacios/{space_id}/propuestas/{proposal_id}"),
    ("ballot (voting)", "/espacios/{space_id}/votacion"),
    ("results (vote running, totals hidden)", "/espacios/{space_id}/resultados"),
    ("results (published)", "/espacios/{answered_space_id}/resultados"),
    ("answers", "/espacios/{answered_space_id}/respuestas"),
    ("action traceability", "/acciones/{action_id}/trazabilidad"),
)
GOALS = {"proposal list": 3}


def placeholders(app) -> dict[str, str]:
    space_id = seed_proposals.bench_ids(app)["space_id"]
    with app.app_context():
        # The most supported published proposal of the big call: its page has the longest fate.
        proposal_id = db.session.scalar(
            select(Proposal.id)
            .join(ProposalCall)
            .where(ProposalCall.space_id == space_id, Proposal.status == ProposalStatus.PUBLISHED)
            .order_by(Proposal.supports_count.desc(), Proposal.id)
            .limit(1)
        )
        answered_space_id = db.session.scalar(select(Space.id).where(Space.title == seed_proposals.ANSWERED_CALL_TITLE))
    return {
        "space_id": str(space_id),
        "proposal_id": str(proposal_id),
        "answered_space_id": str(answered_space_id),
        "action_id": str(seed_proposals.traced_action_id(app)),
    }


def page_paths(app) -> dict[str, str]:
    values = placeholders(app)
    return {name: path.format(**values) for name, path in PAGES}


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
