"""The demo's live accountability sessions, run through the same services a moderator's clicks call.

Before a session opens its organism sets it up (stream, agenda on plan actions) and residents register
and send questions in advance; while it is open the moderator approves or dismisses questions, people
upvote them, polls run and commitments are recorded, each followed by its own plan action; after it
closes the organism answers in writing what was left unanswered and attendees evaluate the session.
The services stamp everything with the current time, so the rows are re-dated afterwards onto the
session's real schedule, as ``foro.demo._date_history`` does for the space itself.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from foro.extensions import db
from foro.models import (
    Action,
    ActionStatus,
    LiveAttendance,
    LivePoll,
    LivePollVote,
    LiveQuestion,
    QuestionUpvote,
    SessionEvaluation,
    Space,
    SpaceState,
)
from foro.models.live import Commitment
from foro.services import followup, live_sessions
from foro.timeutil import local_today


@dataclass(frozen=True)
class DemoQuestion:
    author: str
    text: str
    # Index into the session's agenda, or None for a question on the session as a whole.
    item: int | None = None
    in_advance: bool = False
    # "approve", "dismiss" or None (left waiting for moderation).
    decision: str | None = "approve"
    reason: str = ""
    upvoters: tuple[str, ...] = ()
    # The moderator's summary of the answer given live; empty if it was not answered live.
    answered_live: str = ""
    # The organism's written answer after the session, for a question left unanswered.
    answered_in_writing: str = ""
    # Being answered right now (open sessions).
    answering: bool = False


@dataclass(frozen=True)
class DemoPoll:
    question: str
    options: tuple[str, ...]
    # Option index → voters.
    votes: tuple[tuple[int, tuple[str, ...]], ...]
    item: int | None = None
    closed: bool = True


@dataclass(frozen=True)
class DemoCommitment:
    body: str
    organism: str
    due_in_days: int
    action: str | None = None
    # (days ago, percent done, status, text) progress reports on the commitment's own action.
    updates: tuple[tuple[int, int, ActionStatus, str], ...] = ()


@dataclass(frozen=True)
class DemoLive:
    agenda: tuple[tuple[str, str | None, str], ...]
    stream_url: str = ""
    co_organisers: tuple[str, ...] = ()
    registrations: tuple[str, ...] = ()
    questions: tuple[DemoQuestion, ...] = ()
    polls: tuple[DemoPoll, ...] = ()
    commitments: tuple[DemoCommitment, ...] = ()
    # How many agenda items the moderator has advanced through (open sessions stop midway).
    items_presented: int | None = None
    # People who followed it in its room while it ran (logged in), besides those who registered.
    attendees: tuple[str, ...] = ()
    # (email, information clear 1-3, questions answered 1-3, usefulness 1-5, comment), after it closed.
    evaluations: tuple[tuple[str, int, int, int, str], ...] = ()
    # The most people present at once, anonymous viewers of the stream page included.
    peak_present: int = 0


class LiveSeeder:
    """Runs one demo session's life; ``foro.demo`` calls each step at its point of the space's life."""

    def __init__(self, seeder, spec, space: Space, demo: DemoLive, admin_email: str):
        self.seeder = seeder
        self.space = space
        self.demo = demo
        self.official = seeder.official(spec.organism)
        self.moderator = seeder.users[spec.moderators[0] if spec.moderators else admin_email]
        self.questions: list[tuple[DemoQuestion, LiveQuestion]] = []
        self.items: list[int] = []

    def _user(self, email: str):
        return self.seeder.users[email]

    def _item_id(self, index: int | None) -> int | None:
        return self.items[index] if index is not None else None

    def announce(self) -> None:
        """The organism publishes the agenda and report; residents register and ask in advance."""
        organism_ids = [self.seeder.organisms[acronym].id for acronym in self.demo.co_organisers]
        live_sessions.configure(
            self.official,
            self.space,
            live_sessions.LiveSettings(stream_url=self.demo.stream_url, organism_ids=organism_ids),
        )
        for title, action_key, notes in self.demo.agenda:
            action_id = self.seeder.actions[action_key].id if action_key else None
            item = live_sessions.add_agenda_item(
                self.official, self.space, title=title, action_id=action_id, notes=notes
            )
            self.items.append(item.id)
        self.seeder.count("live_sessions")
        for email in self.demo.registrations:
            live_sessions.register_attendance(self._user(email), self.space)
        self._ask([q for q in self.demo.questions if q.in_advance])

    def run_live(self) -> None:
        """While open: the agenda advances, questions come in and are moderated, polls, commitments."""
        rooms = [f"demo-{self.space.id}-{email}" for email in self.demo.attendees]
        for sid, email in zip(rooms, self.demo.attendees, strict=True):
            live_sessions.enter_room(sid, self.space, self._user(email))
        presented = len(self.items) if self.demo.items_presented is None else self.demo.items_presented
        for _ in range(presented):
            live_sessions.advance(self.moderator, self.space)
        self._ask([q for q in self.demo.questions if not q.in_advance])
        for demo_question, question in self.questions:
            if demo_question.answered_live:
                live_sessions.moderate_question(
                    self.moderator, self.space, question.id, "answered", summary=demo_question.answered_live
                )
            elif demo_question.answering:
                live_sessions.moderate_question(self.moderator, self.space, question.id, "answering")
        for poll_spec in self.demo.polls:
            poll, _ = live_sessions.launch_poll(
                self.moderator,
                self.space,
                question=poll_spec.question,
                options=list(poll_spec.options),
                item_id=self._item_id(poll_spec.item),
            )
            for index, voters in poll_spec.votes:
                for email in voters:
                    live_sessions.vote_poll(self._user(email), self.space, poll.id, poll.options[index].id)
            if poll_spec.closed:
                live_sessions.close_poll(self.moderator, self.space, poll.id)
        today = local_today()
        for spec in self.demo.commitments:
            commitment, _ = live_sessions.record_commitment(
                self.moderator,
                self.space,
                body=spec.body,
                organism_id=self.seeder.organisms[spec.organism].id,
                due_on=today + timedelta(days=spec.due_in_days),
                action_id=self.seeder.actions[spec.action].id if spec.action else None,
            )
            self.seeder.count("commitments")
            self._report(commitment, spec)
        for sid in rooms:
            live_sessions.leave_room(sid)

    def _ask(self, specs: list[DemoQuestion]) -> None:
        for spec in specs:
            author = self._user(spec.author)
            question, _ = live_sessions.ask(author, self.space, body=spec.text, item_id=self._item_id(spec.item))
            if spec.decision == "approve":
                live_sessions.moderate_question(self.moderator, self.space, question.id, "approve")
            elif spec.decision == "dismiss":
                live_sessions.moderate_question(self.moderator, self.space, question.id, "dismiss", reason=spec.reason)
            for email in spec.upvoters:
                live_sessions.upvote(self._user(email), self.space, question.id)
            self.questions.append((spec, question))
            self.seeder.count("live_questions")

    def _report(self, commitment: Commitment, spec: DemoCommitment) -> None:
        action = db.session.get(Action, commitment.tracking_action_id)
        official = self.seeder.official(spec.organism)
        for days_ago, percent, status, text in spec.updates:
            details = followup.ProgressDetails(
                reported_on=local_today() - timedelta(days=days_ago),
                percent_done=percent,
                status=status,
                body=text,
                indicator_value=Decimal(percent),
            )
            followup.publish_update(official, action, details)

    def answer_owed(self) -> None:
        """Before the institutional response: the organism answers in writing what was left unanswered."""
        for spec, question in self.questions:
            if spec.answered_in_writing:
                live_sessions.answer_in_writing(self.official, self.space, question.id, answer=spec.answered_in_writing)

    def evaluate(self) -> None:
        for email, clear, answered, usefulness, comment in self.demo.evaluations:
            live_sessions.evaluate_session(
                self._user(email),
                self.space,
                information_clear=clear,
                questions_answered=answered,
                usefulness=usefulness,
                comment=comment,
            )

    def date_rows(self, moments: dict[SpaceState, datetime], now: datetime) -> None:
        """Put the session's rows on its schedule: advance questions in the days before it, live ones
        during it, written answers and evaluations after it."""
        session = live_sessions.session_of(self.space)
        opens_at = self.space.opens_at
        live_end = min(self.space.closes_at, now)
        session.peak_present = max(session.peak_present, self.demo.peak_present)
        live = [(spec, q) for spec, q in self.questions if not spec.in_advance]
        step = (live_end - opens_at) / (len(live) + 2)
        for index, (spec, question) in enumerate(self.questions):
            if spec.in_advance:
                asked = opens_at - timedelta(days=len(self.questions) - index, hours=5)
                decided = asked + timedelta(hours=6)
            else:
                asked = opens_at + step * (live.index((spec, question)) + 1)
                decided = asked + min(step / 3, timedelta(minutes=4))
            answered = decided + min(step / 2, timedelta(minutes=10))
            if spec.answered_in_writing:
                answered = moments[SpaceState.CLOSED] + timedelta(days=6)
            values = {"created_at": asked}
            if question.moderated_at is not None:
                values["moderated_at"] = decided
            if question.answered_at is not None:
                values["answered_at"] = answered
            db.session.execute(update(LiveQuestion).where(LiveQuestion.id == question.id).values(**values))
            db.session.execute(
                update(QuestionUpvote).where(QuestionUpvote.question_id == question.id).values(created_at=decided)
            )
        polls_at = opens_at + (live_end - opens_at) * 0.6
        db.session.execute(
            update(LivePoll).where(LivePoll.session_id == session.id).values(opened_at=polls_at)
        )
        db.session.execute(
            update(LivePoll)
            .where(LivePoll.session_id == session.id, LivePoll.closed_at.is_not(None))
            .values(closed_at=polls_at + timedelta(minutes=6))
        )
        poll_ids = db.session.scalars(select(LivePoll.id).where(LivePoll.session_id == session.id)).all()
        if poll_ids:
            db.session.execute(
                update(LivePollVote)
                .where(LivePollVote.poll_id.in_(poll_ids))
                .values(created_at=polls_at + timedelta(minutes=2))
            )
        db.session.execute(
            update(Commitment)
            .where(Commitment.session_id == session.id)
            .values(created_at=opens_at + (live_end - opens_at) * 0.9)
        )
        db.session.execute(
            update(LiveAttendance)
            .where(LiveAttendance.session_id == session.id, LiveAttendance.registered_at.is_not(None))
            .values(registered_at=moments[SpaceState.ANNOUNCED] + timedelta(days=2))
        )
        if self.space.state not in (SpaceState.DRAFT, SpaceState.ANNOUNCED, SpaceState.OPEN):
            db.session.execute(
                update(SessionEvaluation)
                .where(SessionEvaluation.session_id == session.id)
                .values(created_at=moments[SpaceState.CLOSED] + timedelta(days=1))
            )
        db.session.flush()



YOLANDA = "ciudadana1@demo.foro.cali"
CAMILO = "ciudadano2@demo.foro.cali"
ROSA = "ciudadana3@demo.foro.cali"
HECTOR = "ciudadano4@demo.foro.cali"
LEIDY = "ciudadana5@demo.foro.cali"
BRAYAN = "ciudadano6@demo.foro.cali"
LUZ_DARY = "ciudadana7@demo.foro.cali"
GUSTAVO = "ciudadano8@demo.foro.cali"

# The Secretaría de Movilidad's session on the cycle lanes, running right now: the moderator is on its
# second agenda item, one question is being answered, a poll is open.
CYCLE_LANES_SESSION = DemoLive(
    agenda=(
        (
            "Kilómetros construidos y en obra",
            "smov-ciclorrutas",
            "Tramo a tramo: lo construido, lo que está en obra y lo que falta contratar.",
        ),
        (
            "Hallazgos del seguimiento ciudadano",
            "smov-ciclorrutas",
            "Los colectivos de ciclistas presentan lo que encontraron al recorrer la red.",
        ),
        ("Preguntas y compromisos", None, "Respuestas a las preguntas pendientes y compromisos de la Secretaría."),
    ),
    registrations=(CAMILO, BRAYAN, GUSTAVO, LEIDY),
    attendees=(CAMILO, BRAYAN, GUSTAVO, HECTOR),
    items_presented=2,
    questions=(
        DemoQuestion(
            CAMILO,
            "¿Cuándo se termina el tramo de la ciclorruta de la avenida Roosevelt que está en obra desde marzo?",
            item=0,
            in_advance=True,
            upvoters=(BRAYAN, GUSTAVO, LEIDY),
            answered_live=(
                "La Secretaría informó que el tramo de la Roosevelt se entrega a finales del próximo mes; el "
                "retraso se debió al traslado de redes de acueducto."
            ),
        ),
        DemoQuestion(
            BRAYAN,
            "En la ciclorruta de la calle 5 hay carros parqueados todos los días. ¿Quién controla eso?",
            item=1,
            upvoters=(CAMILO, GUSTAVO, HECTOR),
            answering=True,
        ),
        DemoQuestion(
            GUSTAVO,
            "¿Van a poner iluminación en la ciclorruta del Cauca? De noche da miedo pasar.",
            item=1,
            upvoters=(CAMILO, BRAYAN),
        ),
        DemoQuestion(
            HECTOR,
            "¿Hay ciclorrutas previstas para la ladera, o solo para las comunas planas?",
            upvoters=(GUSTAVO,),
        ),
        DemoQuestion(LEIDY, "¿Cuántos biciparqueaderos nuevos habrá en las estaciones del MIO?", decision=None),
        DemoQuestion(
            HECTOR,
            "Compren mi bicicleta usada, escríbanme al 300 000 0000.",
            decision="dismiss",
            reason="Es un aviso comercial y publica un número de teléfono personal.",
        ),
    ),
    polls=(
        DemoPoll(
            "¿Qué tan clara fue la información sobre los kilómetros construidos?",
            ("Muy clara", "Clara", "Poco clara", "Nada clara"),
            votes=((0, (CAMILO,)), (1, (GUSTAVO, HECTOR)), (2, (BRAYAN,))),
            item=0,
        ),
        DemoPoll(
            "¿Qué debería priorizar la Secretaría el próximo año?",
            ("Terminar los tramos en obra", "Iluminación y seguridad", "Ciclorrutas en la ladera"),
            votes=((0, (CAMILO, BRAYAN)), (1, (GUSTAVO,))),
            item=1,
            closed=False,
        ),
    ),
    commitments=(
        DemoCommitment(
            "Publicar en Foro, cada mes, el avance de cada tramo de ciclorruta en obra, con fotos y porcentaje "
            "de ejecución.",
            "SMOV",
            30,
            action="smov-ciclorrutas",
        ),
    ),
    peak_present=64,
)

# The Secretaría de Desarrollo Territorial's yearly session, announced: agenda and report published,
# people registering and sending questions in advance.
PARTICIPATION_REPORT_SESSION = DemoLive(
    agenda=(
        (
            "Avance del plan de acción de participación",
            "sdtpc-rendicion",
            "Cómo van las acciones del plan, con sus indicadores.",
        ),
        (
            "Presupuesto participativo: qué se priorizó y cómo va",
            "sdtpc-presupuesto",
            "Los proyectos priorizados por las comunas y su ejecución.",
        ),
        ("Escuela de Participación Ciudadana", "sdtpc-escuela", ""),
        ("Preguntas de la ciudadanía y compromisos", None, ""),
    ),
    registrations=(YOLANDA, ROSA, LUZ_DARY, HECTOR, LEIDY),
    questions=(
        DemoQuestion(
            YOLANDA,
            "¿Cuántos proyectos del presupuesto participativo de la comuna 15 ya están terminados?",
            item=1,
            in_advance=True,
            upvoters=(ROSA, LUZ_DARY, LEIDY),
        ),
        DemoQuestion(
            ROSA,
            "¿La Escuela de Participación va a llegar a los corregimientos de la zona rural?",
            item=2,
            in_advance=True,
            upvoters=(HECTOR,),
        ),
        DemoQuestion(
            LUZ_DARY,
            "¿Por qué las actas de las JAL no se publican en la página de la Alcaldía?",
            in_advance=True,
            decision=None,
        ),
    ),
)

# The Secretaría de Salud's session with the COPACOS, two months ago: answered live or in writing,
# three commitments followed as actions, evaluated by those who attended.
COPACOS_SESSION = DemoLive(
    agenda=(
        (
            "Hallazgos de los COPACOS sobre la atención en la red pública",
            "ssp-copacos",
            "Cada comité presenta lo que encontró en sus visitas.",
        ),
        ("Respuestas de la Secretaría y compromisos", None, ""),
    ),
    registrations=(YOLANDA, ROSA, LEIDY, LUZ_DARY),
    attendees=(HECTOR, YOLANDA, ROSA, LEIDY),
    questions=(
        DemoQuestion(
            ROSA,
            "En el puesto de salud de Siloé cierran a las 4 de la tarde. ¿Pueden atender hasta más tarde?",
            item=0,
            in_advance=True,
            upvoters=(YOLANDA, LEIDY, LUZ_DARY),
            answered_live=(
                "La Secretaría se comprometió a ampliar el horario hasta las 7:00 p. m. con la Red de Salud "
                "de Ladera (ver compromisos)."
            ),
        ),
        DemoQuestion(
            LEIDY,
            "¿Cuánto se demora en promedio una cita de medicina general en el oriente?",
            item=0,
            upvoters=(YOLANDA, HECTOR),
            answered_live="Hoy, 9 días en promedio; la Secretaría publicará el dato cada trimestre por comuna.",
        ),
        DemoQuestion(
            YOLANDA,
            "¿Dónde podemos dejar quejas cuando no nos atienden bien?",
            item=1,
            upvoters=(ROSA,),
            answered_live="Se instalará un buzón de sugerencias en cada centro de salud, con respuesta en 15 días.",
        ),
        DemoQuestion(
            LUZ_DARY,
            "¿Cuándo vuelve la brigada de vacunación a la comuna 7?",
            upvoters=(LEIDY,),
            answered_in_writing=(
                "La brigada vuelve a la comuna 7 el segundo sábado de cada mes, en la sede de la JAL de "
                "Alfonso López. El calendario completo está en la página de la Secretaría de Salud."
            ),
        ),
        DemoQuestion(
            HECTOR,
            "¿Qué pasó con la ambulancia prometida para Terrón Colorado?",
            answered_in_writing=(
                "La ambulancia está asignada a la Red de Salud de Ladera desde el mes pasado y tiene base en el "
                "hospital de Terrón Colorado."
            ),
        ),
    ),
    polls=(
        DemoPoll(
            "¿Las respuestas de la Secretaría atendieron los hallazgos de los COPACOS?",
            ("Sí", "En parte", "No"),
            votes=((0, (YOLANDA,)), (1, (ROSA, LEIDY, HECTOR)), (2, (LUZ_DARY,))),
        ),
    ),
    commitments=(
        DemoCommitment(
            "Ampliar hasta las 7:00 p. m. el horario del puesto de salud de Siloé, con la Red de Salud de Ladera.",
            "SSP",
            45,
            action="ssp-copacos",
            updates=(
                (20, 50, ActionStatus.IN_PROGRESS, "El nuevo horario rige de lunes a jueves; falta el viernes."),
            ),
        ),
        DemoCommitment(
            "Publicar cada trimestre los tiempos de espera para cita de medicina general, por comuna.",
            "SSP",
            90,
            action="ssp-copacos",
        ),
        DemoCommitment(
            "Instalar en cada centro de salud un buzón de sugerencias con respuesta en 15 días hábiles.",
            "SSP",
            60,
            updates=((10, 100, ActionStatus.DONE, "Buzones instalados en los 42 centros de salud de la red pública."),),
        ),
    ),
    evaluations=(
        (YOLANDA, 3, 3, 5, "Por fin nos respondieron con fechas."),
        (ROSA, 3, 2, 4, ""),
        (LEIDY, 2, 2, 3, "Faltó tiempo para las preguntas de la ladera."),
        (HECTOR, 3, 3, 4, ""),
    ),
    peak_present=142,
)

# DAGMA's evaluation hearing, closed two days ago: two questions still owe a written answer.
TREE_PLANTING_SESSION = DemoLive(
    agenda=(
        ("Resultados de la verificación ciudadana de las siembras", "dagma-arborizacion", ""),
        ("Qué cambia en el programa", "dagma-arborizacion", ""),
    ),
    registrations=(LUZ_DARY, GUSTAVO, LEIDY),
    questions=(
        DemoQuestion(
            LUZ_DARY,
            "¿Quién riega los árboles sembrados en el separador de la carrera 8 en época seca?",
            item=0,
            upvoters=(GUSTAVO, LEIDY),
            answered_live="El contratista de mantenimiento riega dos veces por semana durante los 18 meses siguientes.",
        ),
        DemoQuestion(
            GUSTAVO,
            "¿Se van a reponer los árboles que se secaron en el parque de la comuna 16?",
            item=1,
            upvoters=(LUZ_DARY,),
        ),
        DemoQuestion(LEIDY, "¿Podemos las JAL escoger las especies que se siembran en el barrio?", item=1),
    ),
    evaluations=((LUZ_DARY, 2, 2, 3, "Quedaron preguntas sin responder."),),
    peak_present=37,
)
