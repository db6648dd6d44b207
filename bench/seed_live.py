"""The data set of the live fan-out benchmark (bench/live_fanout.py): one open live session.

A small database of its own: the reference data, this year's cycle, an action plan of the SDTPC
organism with AGENDA_SIZE actions, the organism's official, the session's assigned moderator (a known
password, MODERATOR_EMAIL / BENCH_PASSWORD, so the benchmark logs in over HTTP like a browser),
N_AUTHORS citizens who asked the questions, and the space of kind live session, OPEN since an hour ago
until tomorrow, with its LiveSession and an agenda whose items point at the plan's actions (the first
item is the current one).

``reset_questions(app, count)`` is called before every measured case, while no server runs: it deletes
the session's questions and presence rows and adds ``count`` PENDING questions for the moderator to
approve, so every case starts from the same state whatever the previous one left.

    .venv/bin/python bench/seed_live.py sqlite:////tmp/perf/foro_live_bench.sqlite
    .venv/bin/python bench/seed_live.py postgresql+psycopg://postgres@127.0.0.1:5432/foro_bench_live
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta

import seed_large  # (bench/seed_large.py: puts the repository root on sys.path; the bench app)
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import delete, insert, inspect, select
from werkzeug.security import generate_password_hash

from foro.extensions import db  # noqa: E402
from foro.models import (  # noqa: E402
    ActionPlan,
    AgendaItem,
    Consent,
    LivePresence,
    LiveQuestion,
    LiveSession,
    Organism,
    ParticipationLevel,
    Phase,
    QuestionStatus,
    QuestionUpvote,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
    User,
)
from foro.services.reference import load_reference_data  # noqa: E402
from foro.timeutil import local_today, now_utc  # noqa: E402

SESSION_TITLE = "Rendición de cuentas de la Secretaría de Participación (bench en vivo)"
MODERATOR_EMAIL = "moderacion@vivobench.foro.cali"
OFFICIAL_EMAIL = "sdtpc@vivobench.foro.cali"
BENCH_PASSWORD = "Bench-Foro-Cali-2026"
AGENDA_SIZE = 3
N_AUTHORS = 20
QUESTION_BODIES = (
    "¿Cuándo se termina la obra del parque de la comuna 15 y cuánto del presupuesto se ha ejecutado?",
    "¿Qué pasó con las rutas nocturnas prometidas para la ladera el año pasado?",
    "¿Cómo pueden las juntas de acción comunal hacer seguimiento a los contratos de alumbrado?",
    "¿Por qué el indicador de participación de jóvenes no ha cambiado desde marzo?",
    "¿Cuándo abren la convocatoria del presupuesto participativo de este año?",
)


def _seed(now) -> dict:
    rnd = random.Random(seed_large.SEED)
    load_reference_data()
    organism = db.session.scalar(select(Organism).where(Organism.acronym == "SDTPC"))
    territories = list(db.session.scalars(select(Territory).order_by(Territory.id)))
    groups = list(db.session.scalars(select(TargetGroup).order_by(TargetGroup.id)))
    cycle = seed_large._cycle(local_today(now).year)
    plan = ActionPlan(organism=organism, cycle=cycle)
    actions = [seed_large._action(rnd, plan, index, territories, groups) for index in range(AGENDA_SIZE)]
    password_hash = generate_password_hash(BENCH_PASSWORD)
    people = [
        (OFFICIAL_EMAIL, "Funcionaria de Participación", Role.OFFICIAL, organism),
        (MODERATOR_EMAIL, "Moderadora de la sesión", Role.MODERATOR, None),
    ] + [(f"persona{i}@vivobench.foro.cali", f"Persona {i}", Role.CITIZEN, None) for i in range(1, N_AUTHORS + 1)]
    users = []
    for email, name, role, user_organism in people:
        user = User(email=email, password_hash=password_hash, display_name=name, role=role, organism=user_organism,
                    territory=rnd.choice(territories) if role is Role.CITIZEN else None)
        user.consents.append(Consent(policy_version="2026-11", channel="bench"))
        users.append(user)
    official, moderator = users[0], users[1]
    opens_at = now - timedelta(hours=1)
    space = Space(
        kind=SpaceKind.LIVE_SESSION, title=SESSION_TITLE,
        description="<p>La Secretaría presenta el avance de su plan de acción y responde preguntas.</p>",
        organism=organism, cycle=cycle, phase=Phase.MONITORING,
        participation_level=ParticipationLevel.CONSULTATION, state=SpaceState.OPEN, opens_at=opens_at,
        closes_at=now + timedelta(days=1), location="Centro Administrativo Municipal, salón 3",
        response_business_days=15, created_by_id=None, created_at=opens_at - timedelta(days=10),
        state_changed_at=opens_at, territories=territories[:3], target_groups=groups[:1], moderators=[moderator],
    )
    session = LiveSession(space=space, current_position=0)
    for position, action in enumerate(actions):
        session.agenda.append(AgendaItem(position=position, title=f"Avance: {action.title}", action=action,
                                         notes="Presenta la Secretaría."))
    db.session.add_all([plan, *users, space, session])
    db.session.flush()
    space.created_by_id = official.id
    db.session.commit()
    return {"agenda items": AGENDA_SIZE, "users": len(users)}


def _session_id() -> int | None:
    return db.session.scalar(
        select(LiveSession.id).join(Space, LiveSession.space_id == Space.id).where(Space.title == SESSION_TITLE)
    )


def _usable(now) -> bool:
    if not inspect(db.engine).has_table("live_sessions"):
        return False
    space = db.session.scalar(select(Space).where(Space.title == SESSION_TITLE))
    return (space is not None and space.state is SpaceState.OPEN and space.closes_at > now + timedelta(hours=2)
            and _session_id() is not None)


def ensure_seeded(app: Flask, url: str) -> str:
    """Seed the database behind ``app`` unless it already holds an open bench session; say what was done."""
    with app.app_context():
        now = now_utc()
        usable = _usable(now)
        # End the read transaction first: on PostgreSQL it would block the migration's DDL.
        db.session.remove()
        if usable:
            upgrade()
            return "already seeded"
        seed_large._wipe(url)
        upgrade()
        sizes = _seed(now)
        seed_large._analyze()
        return "seeded " + ", ".join(f"{n} {what}" for what, n in sizes.items())


def reset_questions(app: Flask, count: int) -> list[int]:
    """Delete the session's questions and presences; add ``count`` pending questions; their ids, oldest first."""
    with app.app_context():
        session_id = _session_id()
        question_ids = select(LiveQuestion.id).where(LiveQuestion.session_id == session_id)
        db.session.execute(delete(QuestionUpvote).where(QuestionUpvote.question_id.in_(question_ids)))
        db.session.execute(delete(LiveQuestion).where(LiveQuestion.session_id == session_id))
        db.session.execute(delete(LivePresence).where(LivePresence.session_id == session_id))
        authors = list(db.session.scalars(select(User.id).where(User.role == Role.CITIZEN).order_by(User.id)))
        item_ids = list(db.session.scalars(
            select(AgendaItem.id).where(AgendaItem.session_id == session_id).order_by(AgendaItem.position)
        ))
        now = now_utc()
        db.session.execute(insert(LiveQuestion), [
            {"session_id": session_id, "agenda_item_id": item_ids[index % len(item_ids)],
             "author_id": authors[index % len(authors)],
             "body": f"{QUESTION_BODIES[index % len(QUESTION_BODIES)]} ({index + 1})",
             "status": QuestionStatus.PENDING, "in_advance": False, "upvote_count": 0,
             "created_at": now - timedelta(seconds=count - index), "dismissal_reason": "", "answer": "",
             "answered_in_writing": False}
            for index in range(count)
        ])
        db.session.commit()
        ids = list(db.session.scalars(
            select(LiveQuestion.id).where(LiveQuestion.session_id == session_id).order_by(LiveQuestion.id)
        ))
        db.session.remove()
        db.engine.dispose()
        return ids


def bench_ids(app: Flask) -> dict:
    """The session's space id, and how its moderator logs in."""
    with app.app_context():
        space_id = db.session.scalar(select(Space.id).where(Space.title == SESSION_TITLE))
        db.session.remove()
        if space_id is None:
            raise SystemExit("the live bench database has no bench session: reseed it")
        return {"space_id": space_id, "moderator_email": MODERATOR_EMAIL, "password": BENCH_PASSWORD}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(ensure_seeded(seed_large.bench_app(sys.argv[1]), sys.argv[1]))
