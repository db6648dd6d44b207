"""A call for proposals at the scale of the issue's quality bar: 10,000 proposals and 200,000 votes.

    .venv/bin/python bench/seed_proposals.py sqlite:////tmp/perf/foro_proposals_bench.sqlite
    .venv/bin/python bench/seed_proposals.py postgresql+psycopg://postgres@127.0.0.1:5432/foro_proposals_bench

One SDTPC call (simple rule, vote window open for 60 more days) with 10,000 proposals: 9,700 published
originals, 100 withdrawn, 200 concerted proposals combining 2 or 3 originals each, spread over the 37
territories, with costs from 5 to 400 million pesos. 20,000 citizens cast 10 votes each (200,000 votes, on
the ballot only, more on popular proposals), their ballots and the proposals' counters agree with the vote
rows. 5,000 more citizens have not voted yet: bench/vote_cast.py votes as them. Seeded once per database
(the next run checks the counts), like bench/seed_forum.py.

A second, smaller call of the same organism walks the rest of the loop, for the traceability page: its
results are published, and 12 of its winners (8 concerted proposals of 2 or 3 originals each, 4
originals) were accepted into one plan action, which has 12 progress updates, 400 citizen evaluations
and 20 control observations (half of them answered). It is added to a database seeded before it existed.
"""

from __future__ import annotations

import random
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import seed_large  # bench/seed_large.py: the bench app, wiping, the cycle, ANALYZE; puts the repo on sys.path
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, inspect, select, text
from werkzeug.security import generate_password_hash

from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    AnswerDecision,
    Ballot,
    Organism,
    ParticipationLevel,
    Phase,
    Proposal,
    ProposalAnswer,
    ProposalCall,
    ProposalKind,
    ProposalStatus,
    ProposalVote,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
    User,
    VoteRule,
    proposal_origins,
)
from foro.models.followup import ActionEvaluation, ControlObservation, ProgressUpdate
from foro.models.user import Consent
from foro.services.reference import load_reference_data
from foro.timeutil import now_utc

SEED = 20261121
CALL_TITLE = "Presupuesto participativo de la ladera 2027: convocatoria de propuestas (bench)"
N_PROPOSALS = 10_000
N_CONCERTED = 200
N_WITHDRAWN = 100
N_VOTERS = 20_000
VOTES_EACH = 10
N_FRESH_VOTERS = 5_000
BENCH_PASSWORD = "Bench-Foro-Cali-2026"
FRESH_EMAIL = "votante{}@propuestasbench.cali"
ANSWERED_CALL_TITLE = "Presupuesto participativo de la ladera 2026: propuestas respondidas (bench)"
TRACED_ACTION_TITLE = "Rutas nocturnas y paraderos seguros para la ladera (bench)"
TRACE_ORIGINALS = 28
TRACE_CONCERTED = 8
TRACE_ACCEPTED_ORIGINALS = 4
TRACE_UPDATES = 12
TRACE_EVALUATIONS = 400
TRACE_OBSERVATIONS = 20
TOPICS = ["Ruta nocturna", "Parque lineal", "Biblioteca comunitaria", "Huerta escolar", "Ciclorruta",
          "Alumbrado público", "Escuela de música", "Casa de la juventud", "Puesto de salud", "Cancha múltiple"]


def _chunks(rows, size=5_000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def seed(now: datetime) -> dict:
    rnd = random.Random(SEED)
    load_reference_data()
    organism = db.session.scalar(select(Organism).where(Organism.acronym == "SDTPC"))
    territories = list(db.session.scalars(select(Territory).order_by(Territory.id)))
    cycle = seed_large._cycle(now.year)
    db.session.add(cycle)
    official = User(email="sdtpc@propuestasbench.cali", display_name="Funcionaria de Participación",
                    role=Role.OFFICIAL, organism=organism, password_hash=generate_password_hash(BENCH_PASSWORD))
    db.session.add(official)
    opens_at = now - timedelta(days=30)
    space = Space(kind=SpaceKind.PROPOSAL_CALL, title=CALL_TITLE, description="<p>Propuestas para la ladera.</p>",
                  organism=organism, cycle=cycle, phase=Phase.FORMULATION,
                  participation_level=ParticipationLevel.FUNCTIONAL, state=SpaceState.OPEN, opens_at=opens_at,
                  closes_at=now + timedelta(days=60), location="", response_business_days=15,
                  territories=territories[:5], created_at=opens_at - timedelta(days=5), state_changed_at=opens_at)
    call = ProposalCall(space=space, proposing_ends_at=now - timedelta(days=20),
                        concertation_ends_at=now - timedelta(days=10), voting_ends_at=space.closes_at,
                        vote_rule=VoteRule.SIMPLE, winners_count=20)
    db.session.add_all([space, call])
    db.session.flush()

    password_hash = generate_password_hash(BENCH_PASSWORD)
    user_rows = [
        {"email": f"persona{i}@propuestasbench.cali", "display_name": f"Persona {i}", "role": Role.CITIZEN,
         "password_hash": password_hash, "territory_id": rnd.choice(territories).id,
         "created_at": now - timedelta(days=40), "session_token": f"{i:032d}"}
        for i in range(1, N_VOTERS + 1)
    ] + [
        {"email": FRESH_EMAIL.format(i), "display_name": f"Votante {i}", "role": Role.CITIZEN,
         "password_hash": password_hash, "territory_id": rnd.choice(territories).id,
         "created_at": now - timedelta(days=40), "session_token": f"f{i:031d}"}
        for i in range(1, N_FRESH_VOTERS + 1)
    ]
    for chunk in _chunks(user_rows):
        db.session.execute(insert(User), chunk)
    user_ids = list(db.session.scalars(select(User.id).where(User.role == Role.CITIZEN).order_by(User.id)))
    db.session.execute(insert(Consent), [{"user_id": uid, "policy_version": "2026-11", "channel": "bench",
                                          "granted_at": now} for uid in user_ids])
    voters = user_ids[:N_VOTERS]

    # Proposals: originals first (ids 1..N_ORIGINALS), then the concerted ones.
    n_originals = N_PROPOSALS - N_CONCERTED
    proposal_rows = []
    for pid in range(1, N_PROPOSALS + 1):
        concerted = pid > n_originals
        territory = rnd.choice(territories)
        proposal_rows.append({
            "id": pid, "call_id": call.id,
            "kind": ProposalKind.CONCERTED if concerted else ProposalKind.ORIGINAL,
            "author_id": official.id if concerted else rnd.choice(voters), "on_behalf_of": "",
            "title": f"{rnd.choice(TOPICS)} para {territory.name} ({pid})",
            "problem": "Faltan servicios y espacios para la comunidad en la ladera.",
            "description": "<p>Una propuesta de la comunidad para mejorar la vida en el barrio.</p>",
            "territory_id": territory.id,
            "estimated_cost": Decimal(rnd.randint(5, 400) * 1_000_000),
            "status": ProposalStatus.WITHDRAWN if pid <= N_WITHDRAWN else ProposalStatus.PUBLISHED,
            "hidden_reason": "", "supports_count": rnd.randint(0, 40), "comments_count": 0, "votes_count": 0,
            "is_winner": False, "created_at": opens_at + timedelta(minutes=pid), "updated_at": opens_at,
        })
    origins = []
    pool = list(range(N_WITHDRAWN + 1, n_originals + 1))
    rnd.shuffle(pool)
    for concerted_id in range(n_originals + 1, N_PROPOSALS + 1):
        for _ in range(rnd.choice((2, 3))):
            origins.append({"concerted_id": concerted_id, "original_id": pool.pop()})
    in_concerted = {row["original_id"] for row in origins}
    ballot = [row["id"] for row in proposal_rows
              if row["status"] is ProposalStatus.PUBLISHED and row["id"] not in in_concerted]
    popularity = [rnd.paretovariate(1.1) for _ in ballot]
    costs = {row["id"]: row["estimated_cost"] for row in proposal_rows}
    counts: Counter = Counter()
    vote_rows, ballot_rows = [], []
    territory_of = {row["email"]: row["territory_id"] for row in user_rows}
    emails = [row["email"] for row in user_rows]
    for index, uid in enumerate(voters):
        chosen = set()
        while len(chosen) < VOTES_EACH:
            chosen.add(rnd.choices(ballot, popularity)[0])
        for pid in chosen:
            counts[pid] += 1
            vote_rows.append({"proposal_id": pid, "user_id": uid, "call_id": call.id,
                              "voter_territory_id": territory_of[emails[index]],
                              "created_at": now - timedelta(minutes=rnd.randint(1, 14_000))})
        ballot_rows.append({"call_id": call.id, "user_id": uid, "votes_count": VOTES_EACH,
                            "cost_total": sum(costs[pid] for pid in chosen), "updated_at": now})
    for row in proposal_rows:
        row["votes_count"] = counts[row["id"]]
    for chunk in _chunks(proposal_rows):
        db.session.execute(insert(Proposal), chunk)
    db.session.execute(insert(proposal_origins), origins)
    for chunk in _chunks(vote_rows, 20_000):
        db.session.execute(insert(ProposalVote), chunk)
    for chunk in _chunks(ballot_rows):
        db.session.execute(insert(Ballot), chunk)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('proposals', 'id'), :n)"), {"n": N_PROPOSALS})
    db.session.commit()
    by_territory = defaultdict(int)
    for row in proposal_rows:
        by_territory[row["territory_id"]] += 1
    return {"proposals": len(proposal_rows), "on the ballot": len(ballot), "concerted": N_CONCERTED,
            "votes": len(vote_rows), "voters": len(voters), "fresh voters": N_FRESH_VOTERS}


def seed_traceability(now: datetime) -> dict:
    """The answered call, its action and what came of it (see the module's docstring)."""
    rnd = random.Random(SEED + 1)
    organism = db.session.scalar(select(Organism).where(Organism.acronym == "SDTPC"))
    official = db.session.scalar(select(User).where(User.email == "sdtpc@propuestasbench.cali"))
    main_space = db.session.scalar(select(Space).where(Space.title == CALL_TITLE))
    territories = list(db.session.scalars(select(Territory).order_by(Territory.id)))
    citizens = list(db.session.scalars(select(User.id).where(User.role == Role.CITIZEN).order_by(User.id)))
    cycle = main_space.cycle
    plan = db.session.scalar(
        select(ActionPlan).where(ActionPlan.organism_id == organism.id, ActionPlan.cycle_id == cycle.id)
    ) or ActionPlan(organism=organism, cycle=cycle)
    groups = list(db.session.scalars(select(TargetGroup).order_by(TargetGroup.id)))
    action = seed_large._action(rnd, plan, 0, territories, groups)
    action.title = TRACED_ACTION_TITLE
    action.status = ActionStatus.IN_PROGRESS
    opens_at = now - timedelta(days=200)
    space = Space(kind=SpaceKind.PROPOSAL_CALL, title=ANSWERED_CALL_TITLE, description="<p>Propuestas respondidas.</p>",
                  organism=organism, cycle=cycle, phase=Phase.FORMULATION,
                  participation_level=ParticipationLevel.FUNCTIONAL, state=SpaceState.RESULTS_PUBLISHED,
                  opens_at=opens_at, closes_at=opens_at + timedelta(days=60), location="", response_business_days=15,
                  territories=territories[:5], created_at=opens_at - timedelta(days=5),
                  state_changed_at=opens_at + timedelta(days=61), closed_at=opens_at + timedelta(days=60))
    call = ProposalCall(space=space, proposing_ends_at=opens_at + timedelta(days=20),
                        concertation_ends_at=opens_at + timedelta(days=40), voting_ends_at=space.closes_at,
                        vote_rule=VoteRule.SIMPLE, winners_count=TRACE_CONCERTED + TRACE_ACCEPTED_ORIGINALS,
                        results_published_at=opens_at + timedelta(days=61))
    db.session.add_all([plan, action, space, call])
    db.session.flush()

    def proposal(title: str, author_id: int, **fields) -> Proposal:
        territory = rnd.choice(territories)
        return Proposal(call=call, author_id=author_id, title=f"{title} para {territory.name}",
                        problem="De noche no hay transporte seguro hacia la ladera.",
                        description="<p>Una propuesta de la comunidad.</p>", territory=territory,
                        estimated_cost=Decimal(rnd.randint(5, 400) * 1_000_000), status=ProposalStatus.PUBLISHED,
                        supports_count=rnd.randint(0, 40), created_at=opens_at + timedelta(days=rnd.randint(1, 19)),
                        **fields)

    originals = [proposal(rnd.choice(TOPICS), rnd.choice(citizens), kind=ProposalKind.ORIGINAL)
                 for _ in range(TRACE_ORIGINALS)]
    concerted, pool = [], list(originals)
    for _ in range(TRACE_CONCERTED):
        taken = [pool.pop() for _ in range(rnd.choice((2, 3)))]
        concerted.append(proposal("Propuesta concertada", official.id, kind=ProposalKind.CONCERTED, origins=taken))
    winners = concerted + pool[:TRACE_ACCEPTED_ORIGINALS]
    for rank, winner in enumerate(winners, 1):
        winner.rank, winner.is_winner, winner.votes_count = rank, True, 500 - rank * 10
    db.session.add_all(originals + concerted)
    db.session.flush()
    db.session.add_all(
        ProposalAnswer(proposal_id=winner.id, decision=AnswerDecision.ACCEPTED, action_id=action.id,
                       answered_by_id=official.id, reason="Se suma a la acción de rutas nocturnas del plan.",
                       answered_at=opens_at + timedelta(days=70))
        for winner in winners
    )
    for index in range(TRACE_UPDATES):
        db.session.add(ProgressUpdate(
            action_id=action.id, author_id=official.id, reported_on=(opens_at + timedelta(days=80 + 10 * index)).date(),
            indicator_value=Decimal(index * 5), percent_done=min(100, (index + 1) * 8),
            status=ActionStatus.IN_PROGRESS, body=f"<p>Avance {index + 1}: se adecuaron más paraderos.</p>",
            evidence_links="https://www.cali.gov.co/informe.pdf"))
    raters = rnd.sample(citizens, TRACE_EVALUATIONS)
    db.session.execute(insert(ActionEvaluation), [
        {"action_id": action.id, "user_id": uid, "fulfilment": rnd.randint(1, 5), "effect": rnd.randint(1, 5),
         "comment": "", "territory_id": rnd.choice(territories).id, "created_at": now, "updated_at": now}
        for uid in raters
    ])
    for index in range(TRACE_OBSERVATIONS):
        answered = index % 2 == 0
        db.session.add(ControlObservation(
            action_id=action.id, author_id=rnd.choice(citizens), body=f"Observación de control social {index + 1}.",
            created_at=now - timedelta(days=index), answer="El organismo revisó el caso." if answered else "",
            answered_by_id=official.id if answered else None, answered_at=now if answered else None))
    db.session.commit()
    return {"answered proposals": len(winners), "progress updates": TRACE_UPDATES,
            "evaluations": TRACE_EVALUATIONS, "observations": TRACE_OBSERVATIONS}


def traced_action_id(app: Flask) -> int | None:
    """The action of the answered call: the traceability page with origins."""
    with app.app_context():
        return db.session.scalar(select(Action.id).where(Action.title == TRACED_ACTION_TITLE))


def bench_ids(app: Flask) -> dict[str, int]:
    """The call's space id and the first fresh voter's id."""
    with app.app_context():
        space_id = db.session.scalar(select(Space.id).where(Space.title == CALL_TITLE))
        if space_id is None:
            raise SystemExit("the proposals bench database has no bench call: reseed it")
        return {"space_id": space_id}


def _expected_size(now: datetime) -> bool:
    inspector = inspect(db.engine)
    if not inspector.has_table("proposal_votes"):
        return False
    # A database seeded before a change of the 0006 migration (a column added since) is seeded again.
    if {c.name for c in Proposal.__table__.columns} - {c["name"] for c in inspector.get_columns("proposals")}:
        return False
    space = db.session.scalar(select(Space).where(Space.title == CALL_TITLE))
    if space is None or space.state is not SpaceState.OPEN or space.closes_at < now + timedelta(days=1):
        return False
    proposals = db.session.scalar(
        select(func.count()).select_from(Proposal).join(ProposalCall).where(ProposalCall.space_id == space.id)
    )
    votes = db.session.scalar(select(func.count()).select_from(ProposalVote))
    # vote_cast.py adds votes from the fresh voters; the seeded 200,000 are the floor.
    return proposals == N_PROPOSALS and votes >= N_VOTERS * VOTES_EACH


def ensure_seeded(app: Flask, url: str) -> str:
    """Seed the database behind ``app`` unless it already holds this call; say what was done."""
    with app.app_context():
        now = now_utc()
        seeded = _expected_size(now)
        db.session.remove()
        if seeded:
            upgrade()
            if db.session.scalar(select(Space.id).where(Space.title == ANSWERED_CALL_TITLE)) is not None:
                return "already seeded"
            sizes = seed_traceability(now)
            seed_large._analyze()
            return "already seeded; added " + ", ".join(f"{n} {what}" for what, n in sizes.items())
        seed_large._wipe(url)
        upgrade()
        sizes = seed(now) | seed_traceability(now)
        seed_large._analyze()
        return "seeded " + ", ".join(f"{n} {what}" for what, n in sizes.items())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(ensure_seeded(seed_large.bench_app(sys.argv[1]), sys.argv[1]))
