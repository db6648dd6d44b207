"""The demo's calls for proposals: the whole loop of issue 4, from a forum contribution to an evaluated action.

Two calls are filled. The Comuna 18 participatory budget (SDTPC) ran months ago and walks every step:
proposals, a concerted proposal, the vote under a budget cap, the results, the organism's answers (one
proposal becomes a new plan action, one joins an existing action, one is rejected), the progress the
organism reported since, the citizens' evaluations and a control-social observation with its answer.
The hillside night-transport call (SMOV) is voting now: its proposals come from the hillside forum's
contributions, keep the link, and residents of the comunas 1, 18 and 20 can still vote.

Everything goes through the services, as a person would do it, so the counters, ballots and
notifications are the real ones. The services only accept what the running window allows, so the
seeder moves the call's windows around "now" while it acts (proposing, then concertation, then voting)
and afterwards puts the windows and every row's date back on the call's calendar, as the forum demo
does with its posts.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from foro.extensions import db
from foro.models import (
    Action,
    ActionStatus,
    AnswerDecision,
    Ballot,
    ForumPost,
    Phase,
    Procedure,
    Proposal,
    ProposalCall,
    ProposalComment,
    ProposalEndorsement,
    ProposalSupport,
    ProposalVote,
    Space,
    Stance,
    TerritoryKind,
    VoteRule,
)
from foro.services import answers, concertation, followup, proposal_setup, proposals, voting
from foro.services.plans import ActionDetails
from foro.timeutil import now_utc


@dataclass(frozen=True)
class DemoProposal:
    key: str
    author: str
    title: str
    problem: str
    description: str
    cost: Decimal
    territory: tuple | None = None
    on_behalf_of: str = ""
    groups: tuple[str, ...] = ()
    # Title of the forum contribution it comes from (a problem it answers or a forum proposal).
    forum_post: str = ""
    supporters: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()
    followers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoConcerted:
    key: str
    author: str
    origins: tuple[str, ...]
    title: str
    problem: str
    description: str
    cost: Decimal
    territory: tuple | None = None
    stances: tuple[tuple[str, Stance, str], ...] = ()


@dataclass(frozen=True)
class DemoAnswer:
    proposal: str
    decision: AnswerDecision
    reason: str
    # Key of an existing demo action it joins, or the new action it becomes.
    joins: str = ""
    new_action: dict | None = None
    # What the organism reported since, days before today: (days ago, value, percent, status, text, links).
    updates: tuple[tuple, ...] = ()
    evaluations: tuple[tuple[str, int, int, str], ...] = ()
    observations: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class DemoCall:
    vote_rule: VoteRule
    # Share of the space's span at which proposing and concertation end (voting ends when the space closes).
    proposing_share: float
    concertation_share: float
    proposals: tuple[DemoProposal, ...]
    max_votes: int | None = None
    budget_cap: Decimal | None = None
    winners_count: int | None = None
    residents_only: bool = False
    live_totals: bool = False
    concerted: tuple[DemoConcerted, ...] = ()
    # Proposal key -> the people who voted for it.
    votes: dict = field(default_factory=dict)
    answers: tuple[DemoAnswer, ...] = ()


def _day(days_ago: int) -> date:
    return (now_utc() - timedelta(days=days_ago)).date()


class CallSeeder:
    """Fills one call for proposals through the services (see the module docstring)."""

    def __init__(self, seeder, spec, space: Space, demo: DemoCall):
        self.seeder = seeder
        self.spec = spec
        self.space = space
        self.demo = demo
        self.official = seeder.official(spec.organism)
        self.moderator = seeder.users[spec.moderators[0]] if spec.moderators else self.official
        self.call: ProposalCall | None = None
        self.proposals: dict[str, Proposal] = {}
        span = space.closes_at - space.opens_at
        self.calendar = (
            space.opens_at + span * demo.proposing_share,
            space.opens_at + span * demo.concertation_share,
            space.closes_at,
        )

    def _user(self, email: str):
        return self.seeder.users[email]

    def _territory_id(self, key) -> int | None:
        return self.seeder.territories[key].id if key else None

    def configure(self) -> None:
        """Before the space opens: the official sets the call up on its real calendar."""
        proposing_ends_at, concertation_ends_at, voting_ends_at = self.calendar
        details = proposal_setup.CallDetails(
            proposing_ends_at=proposing_ends_at,
            concertation_ends_at=concertation_ends_at,
            voting_ends_at=voting_ends_at,
            vote_rule=self.demo.vote_rule,
            max_votes=self.demo.max_votes,
            budget_cap=self.demo.budget_cap,
            winners_count=self.demo.winners_count,
            residents_only=self.demo.residents_only,
            live_totals=self.demo.live_totals,
        )
        self.call = proposal_setup.configure_call(self.official, self.space, details)
        self.seeder.count("calls")

    def _run_window(self, *ends_from_now: timedelta) -> None:
        """Make the next window run now: the windows that already ran end a moment ago."""
        now = now_utc()
        ends = [
            now - timedelta(seconds=3 - i) if delta is None else now + delta for i, delta in enumerate(ends_from_now)
        ]
        self.call.proposing_ends_at, self.call.concertation_ends_at, self.call.voting_ends_at = ends
        db.session.flush()

    def fill_while_open(self) -> None:
        """Proposing, concertation and voting, each through the services while its window runs."""
        hour = timedelta(hours=1)
        self._run_window(hour, 2 * hour, 3 * hour)
        for spec in self.demo.proposals:
            self.proposal(spec)
        self._run_window(None, hour, 2 * hour)
        for spec in self.demo.concerted:
            self.concerted(spec)
        self._run_window(None, None, hour)
        for key, voters in self.demo.votes.items():
            for email in voters:
                voting.cast_vote(self._user(email), self.call, self.proposals[key].id)
        self.call.proposing_ends_at, self.call.concertation_ends_at, self.call.voting_ends_at = self.calendar
        self._date_rows()
        db.session.flush()

    def proposal(self, spec: DemoProposal) -> None:
        forum_post_id = None
        if spec.forum_post:
            forum_post_id = db.session.scalar(select(ForumPost.id).where(ForumPost.title == spec.forum_post))
        details = proposals.ProposalDetails(
            title=spec.title,
            problem=spec.problem,
            description=spec.description,
            estimated_cost=spec.cost,
            territory_id=self._territory_id(spec.territory),
            target_group_ids=[self.seeder.groups[name].id for name in spec.groups],
            on_behalf_of=spec.on_behalf_of,
            forum_post_id=forum_post_id,
        )
        proposal = proposals.submit_proposal(self._user(spec.author), self.call, details)
        self.proposals[spec.key] = proposal
        for email in spec.supporters:
            proposals.support(self._user(email), proposal)
        for email, text in spec.comments:
            proposals.comment(self._user(email), proposal, text)
        for email in spec.followers:
            proposals.follow(self._user(email), proposal)
        self.seeder.count("proposals")

    def concerted(self, spec: DemoConcerted) -> None:
        details = concertation.ConcertedDetails(
            title=spec.title,
            problem=spec.problem,
            description=spec.description,
            territory_id=self._territory_id(spec.territory),
            estimated_cost=spec.cost,
        )
        origins = [self.proposals[key].id for key in spec.origins]
        proposal = concertation.create_concerted(self._user(spec.author), self.call, origins, details)
        self.proposals[spec.key] = proposal
        for email, stance, comment in spec.stances:
            concertation.take_stance(self._user(email), proposal, stance, comment)
        self.seeder.count("proposals")

    def _date_rows(self) -> None:
        """Put the proposals, supports, comments, stances and votes inside the windows they belong to."""
        proposing_ends_at, concertation_ends_at, voting_ends_at = self.calendar
        opens_at = self.space.opens_at
        originals = [p for key, p in self.proposals.items() if key in {s.key for s in self.demo.proposals}]
        spread = (proposing_ends_at - opens_at) / (len(originals) + 1)
        for index, proposal in enumerate(originals, start=1):
            created = opens_at + spread * index
            proposal.created_at = proposal.updated_at = created
            self._date_children(proposal.id, created, proposing_ends_at)
        for proposal in self.proposals.values():
            if proposal not in originals:
                created = proposing_ends_at + (concertation_ends_at - proposing_ends_at) / 3
                proposal.created_at = proposal.updated_at = created
                db.session.execute(
                    update(ProposalEndorsement)
                    .where(ProposalEndorsement.concerted_id == proposal.id)
                    .values(created_at=created + timedelta(hours=20), updated_at=created + timedelta(hours=20))
                )
        voted_at = concertation_ends_at + min(timedelta(days=1), (voting_ends_at - concertation_ends_at) / 4)
        db.session.execute(update(ProposalVote).where(ProposalVote.call_id == self.call.id).values(created_at=voted_at))
        db.session.execute(update(Ballot).where(Ballot.call_id == self.call.id).values(updated_at=voted_at))

    def _date_children(self, proposal_id: int, created: datetime, window_end: datetime) -> None:
        later = min(created + timedelta(days=2), window_end - timedelta(hours=1))
        for model in (ProposalSupport, ProposalComment):
            db.session.execute(update(model).where(model.proposal_id == proposal_id).values(created_at=later))

    def publish_results(self) -> None:
        voting.publish_results(self.official, self.call)

    def answer_all(self) -> None:
        """After the results: the organism answers, then reports progress; citizens evaluate and observe."""
        for spec in self.demo.answers:
            proposal = self.proposals[spec.proposal]
            new_action = None
            if spec.new_action is not None:
                new_action = ActionDetails(**spec.new_action)
            details = answers.AnswerDetails(
                decision=spec.decision,
                reason=spec.reason,
                action_id=self.seeder.actions[spec.joins].id if spec.joins else None,
                new_action=new_action,
            )
            answer = answers.answer_proposal(self.official, self.space, proposal, details)
            self.seeder.count("answers")
            if answer.action_id is not None:
                self.follow_up(db.session.get(Action, answer.action_id), spec)

    def follow_up(self, action: Action, spec: DemoAnswer) -> None:
        for days_ago, value, percent, status, text, links in spec.updates:
            details = followup.ProgressDetails(
                reported_on=_day(days_ago),
                percent_done=percent,
                status=status,
                body=text,
                indicator_value=value,
                evidence_links=links,
            )
            update_row = followup.publish_update(self.official, action, details)
            update_row.created_at = datetime.combine(_day(days_ago), datetime.min.time(), tzinfo=now_utc().tzinfo)
        for email, fulfilment, effect, comment in spec.evaluations:
            followup.evaluate(self._user(email), action, fulfilment=fulfilment, effect=effect, comment=comment)
        for email, body, links, answer_text in spec.observations:
            observation = followup.observe(self._user(email), action, body=body, evidence_links=links)
            if answer_text:
                followup.answer_observation(self.official, observation, answer=answer_text)


COMUNA = TerritoryKind.COMUNA

# Shown on the demo's traceability pages: keep the evidence links on official sites.
CALI = "https://www.cali.gov.co/"

C18_BUDGET_CALL = DemoCall(
    vote_rule=VoteRule.BUDGET,
    budget_cap=Decimal(420_000_000),
    proposing_share=0.45,
    concertation_share=0.6,
    proposals=(
        DemoProposal(
            key="escuela-deportiva",
            author="ciudadana3@demo.foro.cali",
            on_behalf_of="Junta de Acción Comunal de Alto Nápoles",
            title="Escuela de formación deportiva para niñas y niños de Alto Nápoles",
            problem=(
                "En Alto Nápoles no hay ninguna actividad gratuita para niñas y niños después del colegio; muchos "
                "pasan la tarde solos en la calle."
            ),
            description=(
                "<p>Entrenadores del barrio dictan fútbol, voleibol y patinaje tres tardes por semana en la cancha "
                "de Alto Nápoles, con uniformes y refrigerio.</p><ul><li>120 cupos para niñas y niños de 6 a 14 "
                "años.</li><li>Diez meses de actividades.</li></ul>"
            ),
            cost=Decimal(180_000_000),
            territory=(COMUNA, 18),
            groups=("Niñas, niños y adolescentes",),
            supporters=("ciudadano4@demo.foro.cali", "ciudadana5@demo.foro.cali", "ciudadana7@demo.foro.cali"),
            comments=(
                (
                    "ciudadana5@demo.foro.cali",
                    "Que los horarios no choquen con la jornada de la tarde del colegio de Los Chorros.",
                ),
            ),
            followers=("ciudadana5@demo.foro.cali",),
        ),
        DemoProposal(
            key="salon-comunal",
            author="ciudadano4@demo.foro.cali",
            on_behalf_of="Junta de Acción Comunal de Los Chorros",
            title="Adecuar el salón comunal de Los Chorros para reuniones y talleres",
            problem="El salón comunal tiene el techo roto y no tiene baños; las reuniones se hacen en la calle.",
            description="<p>Cambiar el techo, construir dos baños accesibles y dotar el salón con 60 sillas.</p>",
            cost=Decimal(150_000_000),
            territory=(COMUNA, 18),
            groups=("Juntas de Acción Comunal y JAL",),
            supporters=("ciudadana3@demo.foro.cali", "ciudadano8@demo.foro.cali"),
        ),
        DemoProposal(
            key="huerta",
            author="ciudadana7@demo.foro.cali",
            title="Huerta comunitaria en el lote de la quebrada",
            problem="El lote junto a la quebrada se volvió un botadero de escombros.",
            description="<p>Limpiar el lote y sembrar una huerta que cuiden las familias vecinas.</p>",
            cost=Decimal(60_000_000),
            territory=(COMUNA, 18),
            supporters=("ciudadana3@demo.foro.cali",),
        ),
        DemoProposal(
            key="compostaje",
            author="ciudadana1@demo.foro.cali",
            title="Compostaje de los residuos de la plaza de mercado del barrio",
            problem="Los residuos orgánicos del mercado terminan en la quebrada.",
            description="<p>Un punto de compostaje con capacitación a los vendedores.</p>",
            cost=Decimal(40_000_000),
            territory=(COMUNA, 18),
        ),
        DemoProposal(
            key="camaras",
            author="ciudadano8@demo.foro.cali",
            title="Cámaras de vigilancia en las escaleras de Mario Correa",
            problem="Las escaleras de Mario Correa son oscuras y allí roban a quienes bajan temprano.",
            description="<p>Instalar ocho cámaras conectadas con la estación de policía.</p>",
            cost=Decimal(220_000_000),
            territory=(COMUNA, 18),
            supporters=("ciudadano2@demo.foro.cali",),
        ),
    ),
    concerted=(
        DemoConcerted(
            key="huerta-compostaje",
            author="sdtpc@demo.foro.cali",
            origins=("huerta", "compostaje"),
            title="Huerta y compostaje comunitarios junto a la quebrada",
            problem="El lote de la quebrada es un botadero y los residuos del mercado terminan en el agua.",
            description=(
                "<p>Las dos propuestas se juntan: el compost de la plaza de mercado abona la huerta que las familias "
                "siembran en el lote recuperado.</p>"
            ),
            cost=Decimal(90_000_000),
            territory=(COMUNA, 18),
            stances=(
                ("ciudadana7@demo.foro.cali", Stance.ENDORSE, "Así se aprovecha mejor el lote."),
                (
                    "ciudadana1@demo.foro.cali",
                    Stance.OBJECT,
                    "Estoy de acuerdo en juntarlas, pero el presupuesto del compostaje quedó muy corto.",
                ),
            ),
        ),
    ),
    votes={
        "escuela-deportiva": (
            "ciudadana1@demo.foro.cali",
            "ciudadano2@demo.foro.cali",
            "ciudadana3@demo.foro.cali",
            "ciudadano4@demo.foro.cali",
            "ciudadana5@demo.foro.cali",
            "ciudadano6@demo.foro.cali",
        ),
        "salon-comunal": ("ciudadana3@demo.foro.cali", "ciudadano4@demo.foro.cali", "ciudadano8@demo.foro.cali"),
        "huerta-compostaje": (
            "ciudadana1@demo.foro.cali",
            "ciudadana5@demo.foro.cali",
            "ciudadana7@demo.foro.cali",
            "ciudadano8@demo.foro.cali",
        ),
        "camaras": ("ciudadano2@demo.foro.cali", "ciudadano6@demo.foro.cali"),
    },
    answers=(
        DemoAnswer(
            proposal="escuela-deportiva",
            decision=AnswerDecision.ACCEPTED,
            reason=(
                "Fue la propuesta más votada y cabe en el presupuesto de la comuna. La Secretaría la incluye en su "
                "plan de acción como una acción nueva, ejecutada con la Junta de Acción Comunal de Alto Nápoles."
            ),
            new_action=dict(
                procedure=Procedure.PARTICIPATORY_PLANNING,
                phase=Phase.IMPLEMENTATION,
                title="Escuela de formación deportiva de Alto Nápoles (presupuesto participativo Comuna 18)",
                objective="Ofrecer actividades deportivas gratuitas a niñas y niños de Alto Nápoles.",
                goal="120 niñas y niños inscritos durante diez meses.",
                indicator_name="Niñas y niños inscritos",
                indicator_unit="personas inscritas",
                indicator_target=Decimal(120),
                budget=Decimal(180_000_000),
                responsible_office="Subsecretaría de Desarrollo Territorial",
            ),
            updates=(
                (
                    40,
                    Decimal(45),
                    30,
                    ActionStatus.IN_PROGRESS,
                    "<p>Se contrataron tres entrenadores del barrio y abrieron las inscripciones: 45 niñas y niños "
                    "inscritos en la primera semana.</p>",
                    CALI,
                ),
                (
                    12,
                    Decimal(98),
                    60,
                    ActionStatus.IN_PROGRESS,
                    "<p>Las clases van en su tercer mes con 98 inscritos. Llegaron los uniformes; el refrigerio "
                    "empezó a entregarse en octubre.</p>",
                    "",
                ),
            ),
            evaluations=(
                (
                    "ciudadana3@demo.foro.cali",
                    4,
                    5,
                    "Los niños están felices; falta que el refrigerio llegue a tiempo.",
                ),
                (
                    "ciudadana5@demo.foro.cali",
                    3,
                    4,
                    "Buena escuela, pero los cupos de patinaje se llenaron el primer día.",
                ),
            ),
            observations=(
                (
                    "ciudadano4@demo.foro.cali",
                    "El reporte dice que el refrigerio se entrega desde octubre, pero en noviembre hubo dos semanas "
                    "sin refrigerio en la cancha.",
                    "",
                    "Es cierto: el contrato del refrigerio se suspendió del 3 al 14 de noviembre por un cambio de "
                    "proveedor. Desde el 15 se entrega de nuevo y se repondrán los días perdidos en diciembre.",
                ),
            ),
        ),
        DemoAnswer(
            proposal="huerta-compostaje",
            decision=AnswerDecision.PARTLY_ACCEPTED,
            reason=(
                "La huerta se hará dentro de la acción de acompañamiento a las JAL, con la limpieza del lote. El "
                "compostaje necesita un permiso ambiental del DAGMA y se tramitará en la próxima vigencia."
            ),
            joins="sdtpc-presupuesto",
        ),
        DemoAnswer(
            proposal="salon-comunal",
            decision=AnswerDecision.REJECTED,
            reason=(
                "El salón está en un predio sin legalizar y no se puede invertir en él. La Secretaría acompañará a "
                "la JAC en el trámite de legalización para que la propuesta vuelva a la próxima convocatoria."
            ),
        ),
    ),
)

HILLSIDE_NIGHT_CALL = DemoCall(
    vote_rule=VoteRule.LIMITED,
    max_votes=2,
    winners_count=2,
    residents_only=True,
    live_totals=True,
    proposing_share=0.45,
    concertation_share=0.7,
    proposals=(
        DemoProposal(
            key="mio-cable-nocturno",
            author="ciudadana3@demo.foro.cali",
            title="MIO Cable hasta las 11 de la noche durante tres meses de prueba",
            problem="Después de las 8 de la noche no hay cómo subir a la parte alta de Siloé.",
            description=(
                "<p>Ampliar el horario del MIO Cable hasta las 11 p. m. de lunes a sábado durante tres meses y "
                "contar cuántas personas lo usan en ese horario.</p>"
            ),
            cost=Decimal(240_000_000),
            territory=(COMUNA, 20),
            forum_post="Ampliar el horario del MIO Cable como prueba durante tres meses",
            supporters=("ciudadano4@demo.foro.cali", "ciudadana5@demo.foro.cali"),
            followers=("ciudadano4@demo.foro.cali",),
        ),
        DemoProposal(
            key="camperos-integrados",
            author="ciudadano4@demo.foro.cali",
            on_behalf_of="Asociación de camperos de Terrón Colorado",
            title="Pasaje integrado entre los camperos de la ladera y el MIO",
            problem="Quien sube en campero paga dos pasajes para llegar al centro.",
            description="<p>Un pasaje integrado con la tarjeta del MIO en las tres rutas de camperos de la ladera.</p>",
            cost=Decimal(120_000_000),
            territory=(COMUNA, 1),
            forum_post="Integrar los camperos de la ladera al MIO con un pasaje integrado",
            supporters=("ciudadana3@demo.foro.cali",),
        ),
        DemoProposal(
            key="paraderos",
            author="ciudadana5@demo.foro.cali",
            title="Paraderos con techo, banca y rampa en la ladera",
            problem="Los paraderos de la ladera no tienen techo, bancas ni rampas.",
            description="<p>Construir 15 paraderos cubiertos y accesibles en las rutas alimentadoras de la ladera.</p>",
            cost=Decimal(300_000_000),
            territory=(COMUNA, 20),
            forum_post="Los paraderos de la ladera no tienen techo, bancas ni rampas",
        ),
    ),
    votes={
        "mio-cable-nocturno": ("ciudadana3@demo.foro.cali", "ciudadano4@demo.foro.cali"),
        "paraderos": ("ciudadana3@demo.foro.cali",),
    },
)
