"""A forum of realistic size for the forum benchmark: 2,000 threads and 20,000 posts in one open space.

What it holds, in a database of its own: the reference data, this year's cycle, about 200 accounts
(an official of SDTPC, two moderators, an admin, citizens, a few deleted accounts), one OPEN space of
kind forum with its Forum row (pre-moderation, 4 axes), and in it N_THREADS contributions (thread
heads) and N_POSTS posts in all, i.e. N_POSTS - N_THREADS replies:

- Contributions over 40 days, of every kind: problems; causes and consequences under a problem of the
  same axis; proposals, most of them answering a problem; questions and other contributions. A few
  threads attract most replies, supports and children (heavy-tailed popularity), as in real forums.
- One chosen thread, the problem titled BENCH_THREAD_TITLE, has exactly BENCH_THREAD_REPLIES published
  replies (one page of replies), 8 causes, consequences and proposals under it, and some quotes.
- About N_SUPPORTS supports on the contributions, a welcome post and one problem per axis pinned, a
  few locked threads, a few posts waiting for approval (the last hours' ones), hidden by a moderator
  (with a reason), hidden by flags (with their flags) or withdrawn by their authors, a few edited ones
  (with their revision), quotes, and the follows of authors and some repliers.

Counters are computed from the rows inserted, so they are consistent: ``replies_count`` is the number
of published replies of a thread, ``supports_count`` its supports, ``flags_count`` its flags. Posts are
inserted in bulk in chronological order with explicit ids (so a reply always follows what it quotes),
with ``search_text`` from ``foro.search.search_text``: on SQLite the triggers of migration 0004 fill the
FTS5 index as rows arrive.

``ensure_seeded(app, url)`` builds the schema with the migrations on a fresh database and loads the data
in one transaction, once: it does nothing but apply newer migrations when the forum is already there
with these counts and still open.

    .venv/bin/python bench/seed_forum.py sqlite:////tmp/perf/foro_forum_bench.sqlite
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import seed_large  # bench/seed_large.py: the bench app, wiping, the cycle, ANALYZE; puts the repo on sys.path
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, inspect, select, text
from werkzeug.security import generate_password_hash

from foro.extensions import db
from foro.models import (
    Consent,
    ContributionKind,
    FlagReason,
    Forum,
    ForumAxis,
    ForumPost,
    ModerationMode,
    Organism,
    ParticipationLevel,
    Phase,
    PostFlag,
    PostRevision,
    PostStatus,
    PostSupport,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
    User,
    thread_follows,
)
from foro.search import search_text
from foro.services.reference import load_reference_data
from foro.timeutil import local_today, now_utc

N_USERS = 200
N_THREADS = 2_000
N_POSTS = 20_000
N_SUPPORTS = 30_000
BENCH_THREAD_REPLIES = 50
# Causes, consequences and proposals under the chosen thread.
BENCH_THREAD_CHILDREN = {ContributionKind.CAUSE: 3, ContributionKind.CONSEQUENCE: 2, ContributionKind.PROPOSAL: 3}
BENCH_THREAD_SUPPORTS = 40
SEED = 2026
FORUM_DAYS = 40
FLAG_THRESHOLD = 3

FORUM_TOPIC = "¿Cómo mejorar la movilidad, la seguridad y el espacio público de la ladera de Cali?"
BENCH_THREAD_TITLE = "Los buses no suben a la ladera después de las ocho de la noche"
WELCOME_TITLE = "Bienvenida: cómo participar en este foro"

# Kinds of contributions, with their shares.
KIND_WEIGHTS = {
    ContributionKind.PROBLEM: 25,
    ContributionKind.CAUSE: 20,
    ContributionKind.CONSEQUENCE: 15,
    ContributionKind.PROPOSAL: 22,
    ContributionKind.QUESTION: 12,
    ContributionKind.OTHER: 6,
}
# Share of proposals that answer a problem.
PROPOSALS_UNDER_PROBLEM = 0.75
# Of what was posted in the last hours, the share still waiting for approval (pre-moderation).
PENDING_HOURS = 36
PENDING_SHARE = 0.25
# Shares of moderated, flagged, withdrawn and edited posts among the rest.
HIDDEN_SHARE = 0.01
FLAGGED_SHARE = 0.005
WITHDRAWN_SHARE = 0.015
EDITED_SHARE = 0.02
LOCKED_SHARE = 0.005
QUOTE_SHARE = 0.15
# Of the people who reply in a thread, the share who follow it.
FOLLOW_SHARE = 0.2
# Heavy-tailed popularity (Pareto), capped so that no thread takes more than a few percent of the replies.
POPULARITY_ALPHA = 1.4
POPULARITY_CAP = 40.0

AXES = (
    ("Transporte público y caminos de la ladera",
     "<p>Rutas del MIO y alimentadoras, transporte informal, escaleras y senderos peatonales.</p>"),
    ("Seguridad y convivencia en los barrios",
     "<p>Hurtos, riñas, ruido, presencia institucional y oferta para jóvenes.</p>"),
    ("Espacio público, parques y alumbrado",
     "<p>Parques, canchas, andenes, basuras y luminarias.</p>"),
    ("Gestión del riesgo y servicios básicos",
     "<p>Deslizamientos, quebradas, acueducto, alcantarillado y energía.</p>"),
)
AXIS_WEIGHTS = (4, 3, 2, 2)
PLACES = (
    "Siloé", "Terrón Colorado", "Los Chorros", "Montebello", "La Buitrera", "El Retiro", "Alto Nápoles",
    "Lleras Camargo", "Brisas de Mayo", "Pueblo Joven", "La Sultana", "Altos de Santa Elena",
)
PROBLEMS = (
    (
        "Los buses del MIO no suben a {place} después de las ocho de la noche",
        "Las escaleras de {place} están rotas y sin pasamanos",
        "No hay ruta alimentadora entre {place} y la estación Unidad Deportiva",
        "Los jeeps informales cobran el doble en {place} cuando llueve",
        "Las vías de {place} se vuelven intransitables en invierno",
    ),
    (
        "Robos frecuentes en el paradero de {place}",
        "Riñas los fines de semana en la cancha de {place}",
        "Los jóvenes de {place} no tienen a dónde ir en las tardes",
        "No se ve a la policía del cuadrante en {place}",
        "Conflictos por el ruido de los estaderos en {place}",
    ),
    (
        "El parque de {place} está sin luz desde hace meses",
        "Basuras acumuladas en la quebrada de {place}",
        "Los andenes de {place} están ocupados por carros y motos",
        "El polideportivo de {place} lleva dos años cerrado",
    ),
    (
        "Deslizamientos en las casas de la parte alta de {place}",
        "El agua llega solo tres días por semana a {place}",
        "Cortes de luz cada vez que llueve en {place}",
        "Las alcantarillas de {place} se desbordan con cada aguacero",
    ),
)
TITLES = {
    ContributionKind.CAUSE: (
        "La empresa operadora dice que la ruta no es rentable",
        "No hay presupuesto asignado para el mantenimiento en {place}",
        "Falta coordinación entre las secretarías",
        "Los contratos de obra en {place} se quedan a medias",
        "Nadie sabe a quién reportar los daños",
        "La comunidad de {place} no fue tenida en cuenta en el diseño",
    ),
    ContributionKind.CONSEQUENCE: (
        "Quienes trabajan de noche caminan media hora a oscuras",
        "Los niños de {place} dejan de ir al colegio cuando llueve",
        "Los negocios de {place} cierran más temprano",
        "Las personas mayores ya casi no salen de la casa",
        "Aumentan los accidentes en la vía a {place}",
    ),
    ContributionKind.PROPOSAL: (
        "Crear una ruta nocturna entre {place} y el centro",
        "Mesas de trabajo mensuales con la junta de acción comunal de {place}",
        "Presupuesto participativo para arreglar las escaleras de {place}",
        "Luminarias solares en el sendero de {place}",
        "Escuela deportiva gratuita en la cancha de {place}",
        "Alertas tempranas por WhatsApp para las familias de {place}",
    ),
    ContributionKind.QUESTION: (
        "¿Quién responde por el mantenimiento de las escaleras de {place}?",
        "¿Cuándo se publica el cronograma de obras para {place}?",
        "¿Cómo se inscribe una junta de acción comunal en las mesas del foro?",
        "¿Hay presupuesto de este año para {place}?",
    ),
    ContributionKind.OTHER: (
        "Gracias por abrir este espacio de conversación",
        "Comparto fotos del estado del sendero de {place}",
        "Propongo una sesión presencial del foro en {place}",
    ),
}
SENTENCES = (
    "En {place} llevamos años esperando una respuesta de la administración.",
    "Lo hemos hablado en la junta de acción comunal y todos coinciden.",
    "Las personas mayores y quienes tienen alguna discapacidad son las más afectadas.",
    "Cuando llueve la situación empeora y nadie viene a revisar.",
    "Según la encuesta que hicimos en el barrio, siete de cada diez familias lo viven a diario.",
    "La última vez que vino una cuadrilla fue hace más de un año.",
    "Hay un derecho de petición radicado desde marzo y todavía no tenemos respuesta.",
    "Las mujeres que vuelven tarde del trabajo tienen miedo de caminar solas por ahí.",
    "El colegio del sector ya envió una carta a la secretaría.",
    "Sería bueno que las soluciones se construyan con la comunidad y no desde una oficina.",
    "Hay organizaciones juveniles que pueden ayudar si las convocan.",
    "No pedimos obras grandes: con mantenimiento periódico bastaría por ahora.",
    "Los datos del diagnóstico territorial muestran lo mismo para toda la comuna.",
    "Propongo que se haga seguimiento público a los compromisos que salgan de este foro.",
)
REPLY_SENTENCES = (
    "Estoy de acuerdo, en mi cuadra pasa exactamente lo mismo.",
    "Yo vivo en {place} y lo confirmo.",
    "Gracias por plantearlo, es un tema que nos afecta a todos.",
    "No estoy tan seguro: creo que la causa principal es otra.",
    "¿Alguien sabe si ya hay un proyecto aprobado para esto?",
    "La semana pasada hubo una reunión con la secretaría y dijeron que lo iban a revisar.",
    "Podríamos organizar una jornada comunitaria mientras llega la solución.",
    "Hay que insistir con el derecho de petición, así fue como nos respondieron en el otro barrio.",
    "Sería bueno sumar a la junta de acción comunal y al colegio.",
    "Lo importante es que la respuesta quede por escrito y con fechas.",
    "Apoyo la propuesta, pero hay que pensar en cómo se mantiene en el tiempo.",
)
HIDDEN_REASONS = (
    "Contiene insultos contra otra persona participante.",
    "Publica datos personales de un vecino.",
    "Publicidad que no tiene relación con el tema del foro.",
)
FIRST_NAMES = (
    "María Fernanda", "Luz Dary", "Yurani", "Carlos Andrés", "Jhon Jairo", "Paola", "Diana Marcela", "Luis Eduardo",
    "Ana Milena", "Jorge", "Sandra Patricia", "Wilson", "Leidy Johana", "Andrés Felipe", "Gloria", "Hernán",
)
LAST_NAMES = (
    "Ríos", "Mosquera", "Valencia", "Caicedo", "Riascos", "Gómez", "Hurtado", "Angulo", "Castillo", "Ocoró",
    "Zúñiga", "Muñoz", "Cuero", "Lozano", "Rentería", "Bonilla",
)


@dataclass(eq=False)
class _Post:
    """A post being generated; ids and counters are set once every post exists."""

    created_at: datetime
    author_id: int | None
    body: str
    title: str = ""
    kind: ContributionKind | None = None
    axis_id: int | None = None
    thread: _Post | None = None
    parent: _Post | None = None
    quote: _Post | None = None
    status: PostStatus = PostStatus.PUBLISHED
    hidden_reason: str = ""
    is_pinned: bool = False
    is_locked: bool = False
    edited_at: datetime | None = None
    popularity: float = 1.0
    id: int = 0
    replies_count: int = 0
    supports_count: int = 0
    flags_count: int = 0
    last_activity_at: datetime | None = None


class _Generator:
    """The random choices behind the data set; one fixed seed, so every database gets the same forum."""

    def __init__(self, now: datetime, opens_at: datetime, axis_ids: list[int], authors: list[int],
                 author_weights: list[float]):
        self.rnd = random.Random(SEED)
        self.now = now
        self.opens_at = opens_at
        self.axis_ids = axis_ids
        self.authors = authors
        self.author_weights = author_weights

    def author(self) -> int:
        return self.rnd.choices(self.authors, self.author_weights)[0]

    def popularity(self) -> float:
        return min(self.rnd.paretovariate(POPULARITY_ALPHA), POPULARITY_CAP)

    def place(self) -> str:
        return self.rnd.choice(PLACES)

    def body(self, sentences: tuple[str, ...], paragraphs: tuple[int, int], per_paragraph: tuple[int, int]) -> str:
        rnd = self.rnd
        return "".join(
            "<p>" + " ".join(s.format(place=self.place()) for s in rnd.sample(sentences, rnd.randint(*per_paragraph)))
            + "</p>"
            for _ in range(rnd.randint(*paragraphs))
        )

    def status(self, created_at: datetime) -> tuple[PostStatus, str]:
        """Recent posts may still wait for approval; a few others were moderated, flagged or withdrawn."""
        rnd = self.rnd
        if created_at > self.now - timedelta(hours=PENDING_HOURS) and rnd.random() < PENDING_SHARE:
            return PostStatus.PENDING, ""
        draw = rnd.random()
        if draw < HIDDEN_SHARE:
            return PostStatus.HIDDEN, rnd.choice(HIDDEN_REASONS)
        if draw < HIDDEN_SHARE + FLAGGED_SHARE:
            return PostStatus.FLAGGED, ""
        if draw < HIDDEN_SHARE + FLAGGED_SHARE + WITHDRAWN_SHARE:
            return PostStatus.WITHDRAWN, ""
        return PostStatus.PUBLISHED, ""

    def edited(self, post: _Post) -> None:
        if post.status is PostStatus.PUBLISHED and self.rnd.random() < EDITED_SHARE:
            post.edited_at = post.created_at + timedelta(minutes=self.rnd.randint(1, 14))

    def head(self, created_at: datetime, kind: ContributionKind, parent: _Post | None) -> _Post:
        rnd = self.rnd
        axis_index = rnd.choices(range(len(self.axis_ids)), AXIS_WEIGHTS)[0]
        if parent is not None:
            axis_id = parent.axis_id
            axis_index = self.axis_ids.index(axis_id)
        else:
            axis_id = self.axis_ids[axis_index]
        templates = PROBLEMS[axis_index] if kind is ContributionKind.PROBLEM else TITLES[kind]
        status, reason = self.status(created_at)
        post = _Post(
            created_at=created_at,
            author_id=self.author(),
            title=rnd.choice(templates).format(place=self.place()),
            body=self.body(SENTENCES, (1, 3), (2, 3)),
            kind=kind,
            axis_id=axis_id,
            parent=parent,
            status=status,
            hidden_reason=reason,
            is_locked=rnd.random() < LOCKED_SHARE,
            popularity=self.popularity(),
        )
        self.edited(post)
        return post

    def reply(self, thread: _Post, created_at: datetime, earlier: list[_Post], *, published: bool = False) -> _Post:
        rnd = self.rnd
        status, reason = (PostStatus.PUBLISHED, "") if published else self.status(created_at)
        quotable = [post for post in earlier if post.status is PostStatus.PUBLISHED]
        post = _Post(
            created_at=created_at,
            author_id=self.author(),
            body=self.body(REPLY_SENTENCES, (1, 2), (1, 3)),
            thread=thread,
            quote=rnd.choice(quotable) if quotable and rnd.random() < QUOTE_SHARE else None,
            status=status,
            hidden_reason=reason,
        )
        self.edited(post)
        return post

    def reply_times(self, thread: _Post, n: int) -> list[datetime]:
        """Replies come mostly in the first days of a thread."""
        span = self.now - thread.created_at
        times = []
        for _ in range(n):
            moment = thread.created_at + timedelta(hours=self.rnd.expovariate(1 / 48))
            if moment >= self.now:
                moment = thread.created_at + span * self.rnd.random()
            times.append(moment)
        return sorted(times)


def _heads(gen: _Generator, moderator_id: int) -> tuple[list[_Post], _Post]:
    """N_THREADS contributions: a pinned welcome post, the chosen thread, the rest drawn at random."""
    rnd = gen.rnd
    welcome = _Post(
        created_at=gen.opens_at + timedelta(hours=1),
        author_id=moderator_id,
        title=WELCOME_TITLE,
        body="<p>Este foro recoge problemas, causas, consecuencias y propuestas sobre la ladera. Lea las reglas "
             "de participación antes de escribir: cada aporte se revisa antes de publicarse.</p>",
        kind=ContributionKind.OTHER,
        axis_id=gen.axis_ids[0],
        is_pinned=True,
        is_locked=True,
        # Locked from the start: it gets neither replies nor supports.
        popularity=0.0,
    )
    bench = _Post(
        created_at=gen.opens_at + timedelta(days=3),
        author_id=gen.author(),
        title=BENCH_THREAD_TITLE,
        body=gen.body(SENTENCES, (3, 3), (3, 3)),
        kind=ContributionKind.PROBLEM,
        axis_id=gen.axis_ids[0],
    )
    heads = [welcome, bench]
    start, span = gen.opens_at + timedelta(hours=2), gen.now - gen.opens_at - timedelta(hours=3)
    times = sorted(start + span * rnd.random() for _ in range(N_THREADS - len(heads)))
    problems: list[_Post] = []
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    for created_at in times:
        kind = rnd.choices(kinds, weights)[0]
        # Problems that can have children so far (not the chosen thread: its children are picked below).
        candidates = [p for p in problems if p.status is not PostStatus.PENDING]
        under_problem = kind in (ContributionKind.CAUSE, ContributionKind.CONSEQUENCE) or (
            kind is ContributionKind.PROPOSAL and rnd.random() < PROPOSALS_UNDER_PROBLEM
        )
        if under_problem and not candidates:
            kind, under_problem = ContributionKind.PROBLEM, False
        parent = rnd.choices(candidates, [p.popularity for p in candidates])[0] if under_problem else None
        post = gen.head(created_at, kind, parent)
        heads.append(post)
        if kind is ContributionKind.PROBLEM:
            problems.append(post)
    # The chosen thread gets the first published contributions of each kind posted after it.
    wanted = Counter(BENCH_THREAD_CHILDREN)
    for post in heads:
        if post.created_at > bench.created_at and post.parent is not None and wanted[post.kind] > 0:
            if post.status is PostStatus.PUBLISHED:
                post.parent, post.axis_id = bench, bench.axis_id
                wanted[post.kind] -= 1
    if +wanted:
        raise RuntimeError(f"not enough contributions to hang under the chosen thread: {dict(+wanted)} missing")
    # The most popular published problem of each axis is pinned.
    for axis_id in gen.axis_ids:
        in_axis = [p for p in problems if p.axis_id == axis_id and p.status is PostStatus.PUBLISHED]
        max(in_axis, key=lambda p: p.popularity).is_pinned = True
    return heads, bench


def _replies(gen: _Generator, heads: list[_Post], bench: _Post) -> list[_Post]:
    """N_POSTS - N_THREADS replies: BENCH_THREAD_REPLIES published ones in the chosen thread, the rest
    spread over the other threads by popularity (none under a contribution still waiting for approval)."""
    replies: list[_Post] = []
    for created_at in gen.reply_times(bench, BENCH_THREAD_REPLIES):
        replies.append(gen.reply(bench, created_at, [bench, *replies], published=True))
    eligible = [head for head in heads if head is not bench and head.status is not PostStatus.PENDING]
    counts = Counter(gen.rnd.choices(eligible, [head.popularity for head in eligible],
                                     k=N_POSTS - N_THREADS - BENCH_THREAD_REPLIES))
    for thread in eligible:
        earlier = [thread]
        for created_at in gen.reply_times(thread, counts[thread]):
            earlier.append(gen.reply(thread, created_at, earlier))
        replies.extend(earlier[1:])
    return replies


def _supports(gen: _Generator, heads: list[_Post], bench: _Post, supporters: list[int]) -> list[dict]:
    """About N_SUPPORTS supports of published-at-some-point contributions, never by their authors."""
    rnd = gen.rnd
    eligible = [head for head in heads if head is not bench and head.status is not PostStatus.PENDING]
    counts = Counter(rnd.choices(eligible, [head.popularity for head in eligible],
                                 k=N_SUPPORTS - BENCH_THREAD_SUPPORTS))
    counts[bench] = BENCH_THREAD_SUPPORTS
    rows = []
    for head, n in counts.items():
        pool = [user_id for user_id in supporters if user_id != head.author_id]
        for user_id in rnd.sample(pool, min(n, len(pool))):
            rows.append({"post_id": head.id, "user_id": user_id,
                         "created_at": head.created_at + (gen.now - head.created_at) * rnd.random()})
        head.supports_count = min(n, len(pool))
    return rows


def _flags(gen: _Generator, posts: list[_Post], flaggers: list[int]) -> list[dict]:
    """Posts hidden by flags carry the threshold's number of distinct flags."""
    rnd = gen.rnd
    rows = []
    for post in posts:
        if post.status is PostStatus.FLAGGED:
            for user_id in rnd.sample([u for u in flaggers if u != post.author_id], FLAG_THRESHOLD):
                rows.append({"post_id": post.id, "user_id": user_id, "reason": rnd.choice(list(FlagReason)),
                             "created_at": post.created_at + timedelta(hours=rnd.randint(1, 20))})
            post.flags_count = FLAG_THRESHOLD
    return rows


def _follows(gen: _Generator, heads: list[_Post], replies: list[_Post]) -> list[dict]:
    """Authors follow their threads (posting does that); some of the people who reply do too."""
    pairs = {(head.id, head.author_id) for head in heads if head.author_id is not None}
    pairs |= {(reply.thread.id, reply.author_id) for reply in replies
              if reply.author_id is not None and gen.rnd.random() < FOLLOW_SHARE}
    return [{"thread_id": thread_id, "user_id": user_id} for thread_id, user_id in sorted(pairs)]


def _post_row(post: _Post) -> dict:
    return {
        "id": post.id,
        "forum_id": None,  # filled in by the caller
        "thread_id": post.thread.id if post.thread else None,
        "axis_id": post.axis_id,
        "kind": post.kind,
        "parent_id": post.parent.id if post.parent else None,
        "quote_id": post.quote.id if post.quote else None,
        "duplicate_of_id": None,
        "author_id": post.author_id,
        "title": post.title,
        "body": post.body,
        "status": post.status,
        "hidden_reason": post.hidden_reason,
        "is_locked": post.is_locked,
        "is_pinned": post.is_pinned,
        "supports_count": post.supports_count,
        "replies_count": post.replies_count,
        "flags_count": post.flags_count,
        "search_text": search_text(post.title, post.body),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "last_activity_at": post.last_activity_at,
    }


def _users(rnd: random.Random, organism: Organism, territories: list[Territory], now: datetime) -> list[User]:
    # One real hash for all: the benchmark never logs in, and scrypt per account would only slow seeding.
    password_hash = generate_password_hash("Bench-Foro-Cali-2026")
    people = [
        ("admin@forobench.cali", "Administración", Role.ADMIN, None),
        ("sdtpc@forobench.cali", "Funcionaria de Participación", Role.OFFICIAL, organism),
        ("moderacion1@forobench.cali", "Moderación del foro", Role.MODERATOR, None),
        ("moderacion2@forobench.cali", "Moderación del foro (suplente)", Role.MODERATOR, None),
    ]
    people += [
        (f"persona{i}@forobench.cali", f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}", Role.CITIZEN, None)
        for i in range(1, N_USERS - len(people) + 1)
    ]
    users = []
    for index, (email, name, role, staff_of) in enumerate(people):
        user = User(email=email, password_hash=password_hash, display_name=name, role=role, organism=staff_of,
                    territory=rnd.choice(territories) if role is Role.CITIZEN else None,
                    created_at=now - timedelta(days=rnd.randint(41, 400)))
        user.consents.append(Consent(policy_version="2026-11", channel="bench"))
        if role is Role.CITIZEN and index % 60 == 0:
            # A deleted account, as accounts.delete_account leaves it: its posts show "Participante eliminado".
            user.email = user.password_hash = user.display_name = None
            user.territory = None
            user.deleted_at = now - timedelta(days=rnd.randint(1, 30))
        users.append(user)
    return users


def seed(now: datetime) -> dict:
    """Load the whole data set into the current app's database (one transaction, committed here)."""
    rnd = random.Random(SEED)
    load_reference_data()
    organism = db.session.scalar(select(Organism).where(Organism.acronym == "SDTPC"))
    territories = list(db.session.scalars(select(Territory).order_by(Territory.id)))
    groups = list(db.session.scalars(select(TargetGroup).order_by(TargetGroup.id)))
    users = _users(rnd, organism, territories, now)
    db.session.add_all(users)
    cycle = seed_large._cycle(local_today(now).year)
    db.session.add(cycle)
    db.session.flush()
    official = next(user for user in users if user.role is Role.OFFICIAL)
    moderators = [user for user in users if user.role is Role.MODERATOR]
    opens_at = now - timedelta(days=FORUM_DAYS)
    space = Space(
        kind=SpaceKind.FORUM,
        title="Foro virtual sobre la ladera: movilidad, seguridad y espacio público",
        description="<p>Un espacio para analizar los problemas de la ladera, sus causas y consecuencias, y "
                    "construir propuestas para el plan de acción del próximo año.</p>",
        organism=organism,
        cycle=cycle,
        phase=Phase.DIAGNOSIS,
        participation_level=ParticipationLevel.CONSULTATION,
        state=SpaceState.OPEN,
        opens_at=opens_at,
        closes_at=now + timedelta(days=50),
        location="",
        response_business_days=15,
        created_by_id=official.id,
        created_at=opens_at - timedelta(days=10),
        state_changed_at=opens_at,
        territories=rnd.sample(territories, 3),
        target_groups=rnd.sample(groups, 2),
        moderators=moderators,
    )
    forum = Forum(
        space=space,
        topic=FORUM_TOPIC,
        context="<p>El diagnóstico territorial de 2025 identificó la movilidad y la seguridad como las "
                "principales preocupaciones de las comunas de ladera. Consulte los "
                '<a href="https://www.cali.gov.co/planeacion/">datos del diagnóstico</a> antes de aportar.</p>',
        rules="<ul><li>Respete a las demás personas.</li><li>No publique datos personales.</li>"
              "<li>Un aporte por idea: problema, causa, consecuencia o propuesta.</li></ul>",
        moderation_mode=ModerationMode.PRE,
        flag_threshold=FLAG_THRESHOLD,
        axes=[ForumAxis(title=title, description=description, position=index)
              for index, (title, description) in enumerate(AXES)],
    )
    db.session.add_all([space, forum])
    db.session.flush()

    citizens = [user for user in users if user.role is Role.CITIZEN]
    active = [user.id for user in citizens if user.deleted_at is None]
    # A few people write a lot, most write little.
    gen = _Generator(now, opens_at, [axis.id for axis in forum.axes], [user.id for user in citizens],
                     [min(rnd.paretovariate(1.2), 50.0) for _ in citizens])
    heads, bench = _heads(gen, moderators[0].id)
    replies = _replies(gen, heads, bench)
    posts = sorted(heads + replies, key=lambda post: post.created_at)
    for number, post in enumerate(posts, start=1):
        post.id = number
    for head in heads:
        head.last_activity_at = head.created_at
    for reply in replies:
        reply.last_activity_at = reply.created_at
        if reply.status is PostStatus.PUBLISHED:
            reply.thread.replies_count += 1
            reply.thread.last_activity_at = max(reply.thread.last_activity_at, reply.created_at)
    supports = _supports(gen, heads, bench, active)
    flags = _flags(gen, posts, active)
    follows = _follows(gen, heads, replies)
    revisions = [{"post_id": post.id, "title": post.title, "body": "<p>Primera versión del texto.</p>",
                  "created_at": post.edited_at} for post in posts if post.edited_at]

    rows = [_post_row(post) | {"forum_id": forum.id} for post in posts]
    for start in range(0, len(rows), 2_000):
        db.session.execute(insert(ForumPost), rows[start:start + 2_000])
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the sequence behind: the next post written in this database must not collide.
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('forum_posts', 'id'), :n)"), {"n": len(rows)})
    for table, table_rows in ((PostSupport, supports), (PostFlag, flags), (thread_follows, follows),
                              (PostRevision, revisions)):
        if table_rows:  # an INSERT without rows would insert one row of defaults
            db.session.execute(insert(table), table_rows)
    db.session.commit()
    statuses = Counter(post.status.value for post in posts)
    return {
        "users": len(users),
        "threads": len(heads),
        "posts": len(posts),
        "supports": len(supports),
        "follows": len(follows),
        "pinned": sum(post.is_pinned for post in heads),
        "locked": sum(post.is_locked for post in heads),
        **{f"{status} posts": n for status, n in sorted(statuses.items()) if status != "published"},
        "children of the chosen thread": sum(head.parent is bench for head in heads),
    }


def bench_ids(app: Flask) -> tuple[int, int]:
    """The forum's space id and the chosen thread's id."""
    with app.app_context():
        row = db.session.execute(
            select(Forum.space_id, ForumPost.id)
            .join(ForumPost, ForumPost.forum_id == Forum.id)
            .where(Forum.topic == FORUM_TOPIC, ForumPost.title == BENCH_THREAD_TITLE, ForumPost.thread_id.is_(None))
        ).one_or_none()
    if row is None:
        raise SystemExit("the forum bench database has no bench forum or thread: reseed it")
    return row[0], row[1]


def _expected_size(now: datetime) -> bool:
    """True when the database already holds this forum, with these counts, open for a while yet."""
    if not inspect(db.engine).has_table("forum_posts"):
        return False
    forum = db.session.scalar(select(Forum).where(Forum.topic == FORUM_TOPIC))
    if forum is None or forum.space.state is not SpaceState.OPEN or forum.space.closes_at < now + timedelta(days=1):
        return False

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(ForumPost).where(ForumPost.forum_id == forum.id,
                                                                                   *where))

    bench_replies = db.session.scalar(
        select(ForumPost.replies_count).where(ForumPost.forum_id == forum.id, ForumPost.title == BENCH_THREAD_TITLE)
    )
    return (
        count() == N_POSTS
        and count(ForumPost.thread_id.is_(None)) == N_THREADS
        and bench_replies == BENCH_THREAD_REPLIES
    )


def ensure_seeded(app: Flask, url: str) -> str:
    """Seed the database behind ``app`` unless it already holds this forum; say what was done."""
    with app.app_context():
        now = now_utc()
        seeded = _expected_size(now)
        # End the read transaction first: on PostgreSQL it would block the migration's DDL.
        db.session.remove()
        if seeded:
            upgrade()  # a newer migration still applies to an existing bench database
            return "already seeded"
        seed_large._wipe(url)
        upgrade()
        sizes = seed(now)
        seed_large._analyze()
        return "seeded " + ", ".join(f"{n} {what}" for what, n in sizes.items())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(ensure_seeded(seed_large.bench_app(sys.argv[1]), sys.argv[1]))
