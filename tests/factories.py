"""Plain ``make_*`` functions that store realistic rows; each commits so HTTP requests see them."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    AgendaItem,
    CallWindow,
    ContributionKind,
    Cycle,
    CyclePhase,
    Forum,
    ForumAxis,
    ForumPost,
    LivePoll,
    LivePollOption,
    LiveQuestion,
    LiveSession,
    ModerationMode,
    Notification,
    NotificationKind,
    Organism,
    ParticipationLevel,
    Phase,
    PollStatus,
    PostStatus,
    Procedure,
    Proposal,
    ProposalCall,
    ProposalKind,
    QuestionStatus,
    QuestionUpvote,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
    TerritoryKind,
    User,
    VoteRule,
)
from foro.models.user import Consent
from foro.search import search_text
from foro.timeutil import now_utc

DEFAULT_PASSWORD = "Participar-en-Cali-2026"
# One fast hash for every test user: scrypt at full cost would dominate the suite's time.
_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="pbkdf2:sha256:1000")
_sequence = itertools.count(1)


def _commit(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def organism(acronym: str = "SDTPC") -> Organism:
    return db.session.scalar(select(Organism).where(Organism.acronym == acronym))


def territory(number: int = 1, kind: TerritoryKind = TerritoryKind.COMUNA) -> Territory:
    return db.session.scalar(select(Territory).where(Territory.kind == kind, Territory.number == number))


def target_group(name: str = "Jóvenes") -> TargetGroup:
    return db.session.scalar(select(TargetGroup).where(TargetGroup.name == name))


def make_user(
    role: Role = Role.CITIZEN,
    *,
    organism: Organism | None = None,
    email: str | None = None,
    display_name: str | None = None,
    territory: Territory | None = None,
) -> User:
    n = next(_sequence)
    user = User(
        email=email or f"persona{n}@example.org",
        password_hash=_PASSWORD_HASH,
        display_name=display_name or f"Persona {n}",
        role=role,
        organism_id=organism.id if organism else None,
        territory_id=territory.id if territory else None,
    )
    user.consents.append(Consent(policy_version="2026-11", channel="web"))
    return _commit(user)


def make_official(acronym: str = "SDTPC") -> User:
    return make_user(Role.OFFICIAL, organism=organism(acronym))


def make_cycle(year: int | None = None) -> Cycle:
    year = year or date.today().year
    existing = db.session.scalar(select(Cycle).where(Cycle.year == year))
    if existing:
        return existing
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
    return _commit(cycle)


def make_plan(org: Organism | None = None, cycle: Cycle | None = None) -> ActionPlan:
    org = org or organism()
    cycle = cycle or make_cycle()
    existing = db.session.scalar(
        select(ActionPlan).where(ActionPlan.organism_id == org.id, ActionPlan.cycle_id == cycle.id)
    )
    return existing or _commit(ActionPlan(organism=org, cycle=cycle))


def make_action(plan: ActionPlan | None = None, **fields) -> Action:
    plan = plan or make_plan()
    n = next(_sequence)
    values = dict(
        procedure=Procedure.PARTICIPATORY_PLANNING,
        title=f"Escuela de liderazgo comunitario {n}",
        objective="Fortalecer las capacidades de los líderes comunales.",
        goal="Formar 300 líderes comunitarios",
        indicator_name="Líderes formados",
        indicator_unit="personas",
        indicator_baseline=Decimal(0),
        indicator_target=Decimal(300),
        indicator_current=Decimal(120),
        indicator_measured_on=date.today(),
        budget=Decimal(150_000_000),
        responsible_office="Subsecretaría de Participación",
        phase=Phase.IMPLEMENTATION,
        status=ActionStatus.IN_PROGRESS,
    )
    values.update(fields)
    return _commit(Action(plan=plan, **values))


def make_space(
    org: Organism | None = None,
    *,
    state: SpaceState = SpaceState.OPEN,
    kind: SpaceKind = SpaceKind.FORUM,
    phase: Phase = Phase.DIAGNOSIS,
    territories: list[Territory] | None = None,
    opens_in_days: int = -2,
    lasts_days: int = 14,
    moderators: list[User] | None = None,
    participation_level: ParticipationLevel = ParticipationLevel.CONSULTATION,
    description: str = "<p>¿Cómo mejorar el transporte en la ladera?</p>",
    **fields,
) -> Space:
    """A space already in ``state`` (set directly: factories build fixtures, not lifecycles)."""
    org = org or organism()
    n = next(_sequence)
    opens_at = now_utc() + timedelta(days=opens_in_days)
    space = Space(
        organism=org,
        cycle=make_cycle(),
        kind=kind,
        title=fields.pop("title", f"Foro sobre movilidad en la ladera {n}"),
        description=description,
        phase=phase,
        participation_level=participation_level,
        state=state,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=lasts_days),
        territories=territories or [],
        moderators=moderators or [],
        **fields,
    )
    return _commit(space)


def make_forum(
    space: Space | None = None,
    *,
    axes: tuple[str, ...] = ("Movilidad y transporte", "Seguridad y convivencia"),
    moderation_mode: ModerationMode = ModerationMode.POST,
    flag_threshold: int = 3,
    **space_fields,
) -> Forum:
    """A forum (with its axes) in ``space``, or in a new open space of kind forum."""
    space = space or make_space(kind=SpaceKind.FORUM, **space_fields)
    forum = Forum(
        space=space,
        topic=f"¿Qué le pasa a {space.title.lower()}?",
        context="<p>Datos del diagnóstico territorial.</p>",
        rules="<p>Respeta a las demás personas.</p>",
        moderation_mode=moderation_mode,
        flag_threshold=flag_threshold,
    )
    forum.axes = [ForumAxis(title=title, position=index) for index, title in enumerate(axes)]
    return _commit(forum)


def make_post(
    forum: Forum,
    author: User,
    *,
    kind: ContributionKind | None = ContributionKind.PROBLEM,
    axis: ForumAxis | None = None,
    parent: ForumPost | None = None,
    thread: ForumPost | None = None,
    quote: ForumPost | None = None,
    status: PostStatus = PostStatus.PUBLISHED,
    title: str | None = None,
    body: str = "<p>Los buses no suben a la ladera después de las ocho de la noche.</p>",
    **fields,
) -> ForumPost:
    """A contribution (thread head), or with ``thread`` a reply; the thread's reply counter follows."""
    n = next(_sequence)
    is_reply = thread is not None
    title = "" if is_reply else (title if title is not None else f"Transporte nocturno en la ladera {n}")
    post = ForumPost(
        forum=forum,
        author=author,
        thread=thread,
        kind=None if is_reply else kind,
        axis=None if is_reply else (axis or forum.axes[0]),
        parent=parent,
        quote=quote,
        status=status,
        title=title,
        body=body,
        search_text=search_text(title, body),
        **fields,
    )
    db.session.add(post)
    if is_reply and status is PostStatus.PUBLISHED:
        thread.replies_count = ForumPost.replies_count + 1
    return _commit(post)


def make_notification(user: User, message: str = "Alguien respondió a tu aporte.", url: str = "/") -> Notification:
    return _commit(Notification(user_id=user.id, kind=NotificationKind.REPLY, message=message, url=url))


# Days from now of (opens, proposing ends, concertation ends, voting ends) that make each window run now.
_CALL_DAYS = {
    CallWindow.NOT_OPEN: (2, 5, 7, 10),
    CallWindow.PROPOSING: (-2, 3, 5, 8),
    CallWindow.CONCERTATION: (-6, -1, 2, 5),
    CallWindow.VOTING: (-8, -5, -2, 3),
    CallWindow.FINISHED: (-10, -7, -5, -1),
}


def make_call(
    org: Organism | None = None,
    *,
    window: CallWindow = CallWindow.PROPOSING,
    vote_rule: VoteRule = VoteRule.SIMPLE,
    max_votes: int | None = None,
    budget_cap: Decimal | None = None,
    state: SpaceState | None = None,
    **fields,
) -> ProposalCall:
    """A call for proposals in a new space of kind proposal_call whose dates put ``window`` at now.
    The space is open, except before (announced) and after the vote (closed), unless ``state`` says."""
    opens, proposing, concertation, voting = (timedelta(days=d) for d in _CALL_DAYS[window])
    default_state = {CallWindow.NOT_OPEN: SpaceState.ANNOUNCED, CallWindow.FINISHED: SpaceState.CLOSED}
    space_fields = {key: fields.pop(key) for key in ("territories", "moderators", "title", "action") if key in fields}
    space = make_space(
        org,
        kind=SpaceKind.PROPOSAL_CALL,
        phase=Phase.FORMULATION,
        state=state or default_state.get(window, SpaceState.OPEN),
        opens_in_days=opens.days,
        lasts_days=(voting - opens).days,
        **space_fields,
    )
    now = now_utc()
    call = ProposalCall(
        space=space,
        proposing_ends_at=now + proposing,
        concertation_ends_at=now + concertation,
        voting_ends_at=space.closes_at,
        vote_rule=vote_rule,
        max_votes=max_votes if max_votes is not None else (3 if vote_rule is VoteRule.LIMITED else None),
        budget_cap=budget_cap
        if budget_cap is not None
        else (Decimal("100000000") if vote_rule is VoteRule.BUDGET else None),
        **fields,
    )
    return _commit(call)


def make_proposal(
    call: ProposalCall,
    author: User,
    *,
    kind: ProposalKind = ProposalKind.ORIGINAL,
    origins: list[Proposal] | None = None,
    estimated_cost: Decimal = Decimal("25000000"),
    **fields,
) -> Proposal:
    """A published proposal of ``call``; with ``origins``, a concerted proposal combining them."""
    n = next(_sequence)
    proposal = Proposal(
        call=call,
        author=author,
        kind=ProposalKind.CONCERTED if origins else kind,
        title=fields.pop("title", f"Ruta nocturna de bus para la ladera {n}"),
        problem=fields.pop("problem", "Después de las ocho de la noche no hay transporte a la ladera."),
        description=fields.pop("description", "<p>Una ruta del MIO cada 30 minutos hasta las once.</p>"),
        estimated_cost=estimated_cost,
        origins=origins or [],
        **fields,
    )
    return _commit(proposal)


def make_live_session(
    space: Space | None = None,
    *,
    state: SpaceState = SpaceState.OPEN,
    moderators: list[User] | None = None,
    agenda: tuple[str, ...] = ("Avance del plan",),
    actions: list[Action | None] | None = None,
    **space_fields,
) -> LiveSession:
    """A live session (and, without ``space``, its space of kind live session in ``state``) with an agenda.

    Without ``moderators`` the space gets one new moderator. Without ``actions`` each agenda item points
    at a new action of the organism's plan; otherwise the items take ``actions`` in order (None: no action).
    """
    if space is None:
        space_fields.setdefault("opens_in_days", 2 if state in (SpaceState.DRAFT, SpaceState.ANNOUNCED) else 0)
        space_fields.setdefault("lasts_days", 1)
        space_fields.setdefault("title", f"Rendición de cuentas de la ladera {next(_sequence)}")
        space_fields.setdefault("phase", Phase.MONITORING)
        space = make_space(
            kind=SpaceKind.LIVE_SESSION,
            state=state,
            moderators=moderators if moderators is not None else [make_user(Role.MODERATOR)],
            **space_fields,
        )
    if actions is None:
        plan = make_plan(space.organism, space.cycle)
        actions = [make_action(plan) for _ in agenda]
    session = LiveSession(space=space)
    for position, title in enumerate(agenda):
        action = actions[position] if position < len(actions) else None
        session.agenda.append(AgendaItem(position=position, title=title, action=action))
    return _commit(session)


def make_live_question(
    session: LiveSession,
    author: User,
    *,
    status: QuestionStatus = QuestionStatus.APPROVED,
    body: str = "¿Cuándo termina la obra?",
    item: AgendaItem | None = None,
    upvotes: int = 0,
) -> LiveQuestion:
    """A question in ``status`` with ``upvotes`` upvotes by new citizens (rows and counter agree)."""
    question = LiveQuestion(
        session=session,
        author=author,
        body=body,
        status=status,
        agenda_item=item,
        in_advance=session.space.state is SpaceState.ANNOUNCED,
    )
    if status is QuestionStatus.DISMISSED:
        question.dismissal_reason = "No se refiere a los temas de la sesión."
    if status is QuestionStatus.ANSWERED:
        question.answer = "La obra termina en marzo."
        question.answered_at = now_utc()
    _commit(question)
    for _ in range(upvotes):
        db.session.add(QuestionUpvote(question_id=question.id, user_id=make_user().id))
    question.upvote_count = upvotes
    return _commit(question)


def make_live_poll(
    session: LiveSession,
    *,
    question: str = "¿Qué tan clara fue la información?",
    options: tuple[str, ...] = ("Muy clara", "Clara", "Confusa"),
    status: PollStatus = PollStatus.OPEN,
) -> LivePoll:
    poll = LivePoll(
        session_id=session.id,
        question=question,
        status=status,
        closed_at=now_utc() if status is PollStatus.CLOSED else None,
    )
    poll.options = [LivePollOption(position=index, label=label) for index, label in enumerate(options)]
    return _commit(poll)
