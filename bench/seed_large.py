"""A large, realistic data set for the benchmarks: the size at which a query per row would show.

Reference data, two cycles (last year and this year), an action plan of ACTIONS_PER_PLAN actions for
every organism in both cycles (with territories and target groups), N_SPACES participation spaces
spread over organisms, kinds, phases, levels, states and territories, and a few accounts.

``ensure_seeded(url)`` builds the schema with the migrations on a fresh database and loads the data in
one transaction; it does nothing when the database already holds a data set of this size for this
year. Rows are inserted as ORM objects in bulk (SQLAlchemy batches the INSERTs); spaces get their
state, dates and due dates directly, without lifecycle transitions, like the test factories do.

    .venv/bin/python bench/seed_large.py sqlite:////tmp/perf/foro_bench.sqlite
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

REPO_ROOT = Path(__file__).resolve().parent.parent
# The app factory imports config.py from the repository root, which a script in bench/ does not see.
sys.path.insert(0, str(REPO_ROOT))

from foro import create_app  # noqa: E402
from foro.extensions import db  # noqa: E402
from foro.models import (  # noqa: E402
    Action,
    ActionPlan,
    ActionStatus,
    Consent,
    Cycle,
    CyclePhase,
    Organism,
    ParticipationLevel,
    Phase,
    Procedure,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
    User,
)
from foro.services.business_days import add_business_days  # noqa: E402
from foro.services.reference import load_reference_data  # noqa: E402
from foro.timeutil import LOCAL_TZ, local_today, now_utc  # noqa: E402

N_SPACES = 3_000
ACTIONS_PER_PLAN = 25
BENCH_SECRET_KEY = "foro-bench-not-a-real-secret-7f3c9a1e5b2d4c6e8a0b"
SEED = 2026

TOPICS = (
    "movilidad sostenible en la ladera",
    "seguridad alimentaria en los barrios",
    "salud mental de jóvenes y adolescentes",
    "recuperación del espacio público",
    "gestión del riesgo por inundaciones del río Cauca",
    "educación ambiental en las cuencas",
    "emprendimiento comunitario y economía popular",
    "cultura ciudadana y convivencia",
    "vivienda digna y mejoramiento de barrios",
    "deporte y recreación para personas mayores",
    "convivencia escolar",
    "acceso al agua potable en la zona rural",
    "presupuesto participativo",
    "prevención de violencias contra las mujeres",
    "alumbrado y seguridad en los parques",
)
SPACE_OPENERS = {
    SpaceKind.FORUM: "Foro virtual sobre",
    SpaceKind.SURVEY: "Encuesta diagnóstica de",
    SpaceKind.CONSULTATION: "Consulta del borrador de la política de",
    SpaceKind.PROPOSAL_CALL: "Convocatoria de propuestas para",
    SpaceKind.LIVE_SESSION: "Rendición de cuentas sobre",
}
ACTION_OPENERS = (
    "Mesas territoriales de",
    "Diagnóstico participativo de",
    "Escuela de formación en",
    "Seguimiento ciudadano a los proyectos de",
    "Encuentros comunitarios sobre",
    "Fortalecimiento de las organizaciones que trabajan en",
)
OFFICES = (
    "Despacho de la Secretaría",
    "Subsecretaría de Participación Ciudadana",
    "Subsecretaría de Desarrollo Territorial",
    "Oficina de Planeación Sectorial",
    "Grupo de Gestión Comunitaria",
)
UNITS = ("personas formadas", "encuentros realizados", "organizaciones acompañadas", "informes publicados")
PLACES = (
    "Sede comunal del barrio El Retiro",
    "Biblioteca pública de la comuna",
    "Centro de Administración Local Integrada (CALI)",
    "Coliseo del barrio",
    "",  # virtual only
)

# Share of spaces per state in the current cycle; last year's spaces have all closed.
CURRENT_STATES = (
    (SpaceState.DRAFT, 8),
    (SpaceState.ANNOUNCED, 15),
    (SpaceState.OPEN, 20),
    (SpaceState.CLOSED, 15),
    (SpaceState.RESULTS_PUBLISHED, 12),
    (SpaceState.RESPONSE_GIVEN, 30),
)
PAST_STATES = ((SpaceState.CLOSED, 10), (SpaceState.RESULTS_PUBLISHED, 15), (SpaceState.RESPONSE_GIVEN, 75))


def bench_app(url: str) -> Flask:
    """The production configuration on the benchmark database, as gunicorn serves it."""
    return create_app(
        "production", SECRET_KEY=BENCH_SECRET_KEY, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_STORAGE_URI="memory://"
    )


def _expected_size(today: date) -> bool:
    """True when the database already holds this data set (same counts, cycle of this year)."""
    if not inspect(db.engine).has_table("spaces"):
        return False
    organisms = db.session.scalar(select(func.count()).select_from(Organism))
    return (
        organisms > 0
        and db.session.scalar(select(func.count()).select_from(Space)) == N_SPACES
        and db.session.scalar(select(func.count()).select_from(Action)) == organisms * 2 * ACTIONS_PER_PLAN
        and db.session.scalar(select(Cycle.id).where(Cycle.year == today.year)) is not None
    )


def _wipe(url: str) -> None:
    """Start from an empty database: a bench database is disposable by definition."""
    db.session.remove()
    db.engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(parsed.database + suffix):
                os.remove(parsed.database + suffix)


def _cycle(year: int) -> Cycle:
    cycle = Cycle(year=year, name=f"Vigencia {year}")
    starts = date(year, 1, 1)
    for index, phase in enumerate(Phase):
        cycle.phases.append(
            CyclePhase(
                phase=phase,
                starts_on=starts + timedelta(days=73 * index),
                ends_on=min(date(year, 12, 31), starts + timedelta(days=73 * (index + 1) - 1)),
            )
        )
    return cycle


def _users(rnd: random.Random, organisms: list[Organism], territories: list[Territory]) -> list[User]:
    # One real hash for all: the benchmark never logs in, and scrypt per account would only slow seeding.
    password_hash = generate_password_hash("Bench-Foro-Cali-2026")
    people = [("admin@bench.foro.cali", "Administración", Role.ADMIN, None)]
    people += [(f"{o.acronym.lower()}@bench.foro.cali", f"Funcionario/a {o.acronym}", Role.OFFICIAL, o)
               for o in organisms[:5]]
    people += [(f"moderacion{i}@bench.foro.cali", f"Moderador/a {i}", Role.MODERATOR, None) for i in (1, 2)]
    people += [(f"ciudadania{i}@bench.foro.cali", f"Ciudadana/o {i}", Role.CITIZEN, None) for i in range(1, 6)]
    users = []
    for email, name, role, organism in people:
        user = User(
            email=email,
            password_hash=password_hash,
            display_name=name,
            role=role,
            organism=organism,
            territory=rnd.choice(territories) if role is Role.CITIZEN else None,
        )
        user.consents.append(Consent(policy_version="2026-11", channel="bench"))
        users.append(user)
    return users


def _action(rnd: random.Random, plan: ActionPlan, index: int, territories, groups) -> Action:
    topic = rnd.choice(TOPICS)
    year = plan.cycle.year
    starts_on = date(year, rnd.randint(1, 6), rnd.randint(1, 28))
    target = Decimal(rnd.randrange(20, 1_200, 10))
    baseline = Decimal(rnd.choice((0, 0, 5, 12)))
    measured = rnd.random() < 0.7
    return Action(
        plan=plan,
        procedure=list(Procedure)[index % 3],
        title=f"{rnd.choice(ACTION_OPENERS)} {topic}",
        objective=(
            f"Que la ciudadanía de los territorios priorizados participe en las decisiones sobre {topic}, "
            "con información clara sobre recursos, plazos y responsables."
        ),
        goal=f"Llegar a {target} {rnd.choice(UNITS)} durante la vigencia {year}.",
        indicator_name=f"Avance en {topic}",
        indicator_unit=rnd.choice(UNITS),
        indicator_baseline=baseline,
        indicator_target=target,
        indicator_current=(baseline + (target - baseline) * Decimal(rnd.randint(0, 100)) / 100).quantize(
            Decimal("0.01")) if measured else None,
        indicator_measured_on=starts_on + timedelta(days=rnd.randint(30, 150)) if measured else None,
        budget=Decimal(rnd.randrange(10_000_000, 900_000_000, 1_000_000)),
        responsible_office=rnd.choice(OFFICES),
        phase=rnd.choice(list(Phase)),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=rnd.randint(60, 180)),
        status=rnd.choice(list(ActionStatus)),
        territories=rnd.sample(territories, rnd.randint(1, 5)),
        target_groups=rnd.sample(groups, rnd.randint(1, 3)),
    )


def _weighted(rnd: random.Random, table) -> SpaceState:
    return rnd.choices([state for state, _ in table], weights=[weight for _, weight in table])[0]


def _space(rnd, cycle, organism, actions, territories, groups, authors, moderators, now) -> Space:
    current = cycle.year == now.year
    state = _weighted(rnd, CURRENT_STATES if current else PAST_STATES)
    kind = rnd.choice(list(SpaceKind))
    topic = rnd.choice(TOPICS)
    if state in (SpaceState.DRAFT, SpaceState.ANNOUNCED):
        opens_at = now + timedelta(days=rnd.randint(1, 60), hours=rnd.randint(0, 23))
        closes_at = opens_at + timedelta(days=rnd.randint(7, 30))
    elif state is SpaceState.OPEN:
        opens_at = now - timedelta(days=rnd.randint(1, 30), hours=rnd.randint(0, 23))
        closes_at = now + timedelta(days=rnd.randint(1, 40), hours=rnd.randint(0, 23))
    else:
        if current:
            closes_at = now - timedelta(days=rnd.randint(1, 300), hours=rnd.randint(0, 23))
        else:
            closes_at = datetime.combine(date(cycle.year, 1, 20), time(17), LOCAL_TZ) + timedelta(
                days=rnd.randint(0, 330))
        opens_at = closes_at - timedelta(days=rnd.randint(7, 30))
    business_days = rnd.choice((10, 15, 15, 20))
    space = Space(
        kind=kind,
        title=f"{SPACE_OPENERS[kind]} {topic}",
        description=(
            f"<p>La administración invita a conversar sobre <strong>{topic}</strong>: qué funciona, qué no y "
            "qué proponen las comunidades para el próximo año.</p>"
            "<ul><li>Lea el documento de contexto.</li><li>Deje sus aportes antes del cierre.</li></ul>"
            "<p>Las respuestas se publicarán con las razones de cada decisión.</p>"
        ),
        organism=organism,
        cycle=cycle,
        phase=rnd.choice(list(Phase)),
        action=rnd.choice(actions) if rnd.random() < 0.5 else None,
        participation_level=rnd.choice(list(ParticipationLevel)),
        state=state,
        opens_at=opens_at,
        closes_at=closes_at,
        location=rnd.choice(PLACES),
        response_business_days=business_days,
        created_by_id=authors.get(organism.id),
        created_at=opens_at - timedelta(days=rnd.randint(5, 20)),
        territories=rnd.sample(territories, rnd.choice((0, 1, 1, 2, 2, 3))),
        target_groups=rnd.sample(groups, rnd.randint(1, 2)),
        moderators=rnd.sample(moderators, 1) if rnd.random() < 0.1 else [],
    )
    if state in (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN):
        space.closed_at = closes_at
        space.response_due_on = add_business_days(local_today(closes_at), business_days)
        space.state_changed_at = closes_at + timedelta(days=rnd.randint(0, 3))
        if state is SpaceState.RESPONSE_GIVEN:
            space.response_given_at = min(now, closes_at + timedelta(days=rnd.randint(3, 40)))
            space.state_changed_at = space.response_given_at
            space.institutional_response = (
                f"<p>Recibimos los aportes sobre {topic}. Incorporamos las propuestas de las mesas "
                "territoriales en el plan de acción y explicamos por qué descartamos las demás.</p>"
            )
    else:
        space.state_changed_at = space.created_at
    return space


def seed(now: datetime) -> dict:
    """Load the whole data set into the current app's database (one transaction, committed here)."""
    rnd = random.Random(SEED)
    load_reference_data()
    organisms = list(db.session.scalars(select(Organism).order_by(Organism.id)))
    territories = list(db.session.scalars(select(Territory).order_by(Territory.id)))
    groups = list(db.session.scalars(select(TargetGroup).order_by(TargetGroup.id)))
    users = _users(rnd, organisms, territories)
    db.session.add_all(users)
    db.session.flush()
    # Spaces of the organisms that have a bench official are signed by them.
    authors = {user.organism_id: user.id for user in users if user.organism_id is not None}
    moderators = [user for user in users if user.role is Role.MODERATOR]
    today = local_today(now)
    cycles = [_cycle(today.year - 1), _cycle(today.year)]
    db.session.add_all(cycles)
    actions: dict[tuple[int, int], list[Action]] = {}
    for cycle in cycles:
        for organism in organisms:
            plan = ActionPlan(organism=organism, cycle=cycle)
            actions[cycle.year, organism.id] = [
                _action(rnd, plan, i, territories, groups) for i in range(ACTIONS_PER_PLAN)
            ]
            db.session.add(plan)
    db.session.flush()
    spaces = []
    for i in range(N_SPACES):
        # Two thirds of the spaces belong to this year's cycle.
        cycle = cycles[1] if i % 3 else cycles[0]
        organism = rnd.choice(organisms)
        spaces.append(_space(rnd, cycle, organism, actions[cycle.year, organism.id], territories, groups,
                             authors, moderators, now))
    db.session.add_all(spaces)
    db.session.commit()
    return {"spaces": len(spaces), "actions": sum(map(len, actions.values())), "users": len(users)}


def _analyze() -> None:
    """Fresh planner statistics, as the ceiling's seeding does."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def ensure_seeded(app: Flask, url: str) -> str:
    """Seed the database behind ``app`` unless it already holds this data set; say what was done."""
    with app.app_context():
        now = now_utc()
        seeded = _expected_size(local_today(now))
        # End the read transaction first: on PostgreSQL it would block the migration's DDL.
        db.session.remove()
        if seeded:
            upgrade()  # a newer migration still applies to an existing bench database
            return "already seeded"
        _wipe(url)
        upgrade()
        sizes = seed(now)
        _analyze()
        return "seeded " + ", ".join(f"{n} {what}" for what, n in sizes.items())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(ensure_seeded(bench_app(sys.argv[1]), sys.argv[1]))
