"""Participation spaces: creating and editing the envelope, and the one function that moves its state."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from foro import permissions
from foro.errors import InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    Cycle,
    Forum,
    Organism,
    ParticipationLevel,
    Phase,
    Proposal,
    ProposalAnswer,
    ProposalCall,
    ProposalKind,
    ProposalStatus,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    SpaceTransition,
    TargetGroup,
    Territory,
    User,
)
from foro.sanitize import clean_user_html, is_blank, normalise_plain_text
from foro.services.business_days import add_business_days
from foro.services.common import rows_by_id
from foro.services.page_cache import bump_call_revision, bump_forum_revision
from foro.timeutil import local_today, now_utc

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
RESPONSE_MAX = 20_000
LOCATION_MAX = 200

# The lifecycle, in order: each state may move only to the next one.
NEXT_STATE = {
    SpaceState.DRAFT: SpaceState.ANNOUNCED,
    SpaceState.ANNOUNCED: SpaceState.OPEN,
    SpaceState.OPEN: SpaceState.CLOSED,
    SpaceState.CLOSED: SpaceState.RESULTS_PUBLISHED,
    SpaceState.RESULTS_PUBLISHED: SpaceState.RESPONSE_GIVEN,
}

MODERATOR_ROLES = (Role.MODERATOR, Role.OFFICIAL, Role.ADMIN)


@dataclass
class SpaceDetails:
    """The editable envelope of a space, as plain values (from a form, the CLI or a test)."""

    kind: SpaceKind
    title: str
    phase: Phase
    participation_level: ParticipationLevel
    opens_at: datetime
    closes_at: datetime
    cycle_id: int
    description: str = ""
    location: str = ""
    action_id: int | None = None
    response_business_days: int = 15
    territory_ids: list[int] = field(default_factory=list)
    target_group_ids: list[int] = field(default_factory=list)
    moderator_ids: list[int] = field(default_factory=list)


def _apply_details(space: Space, organism_id: int, details: SpaceDetails) -> None:
    title = normalise_plain_text(details.title or "")
    if is_blank(title):
        raise InvalidInput(_l("Escribe un título."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_l("El título admite hasta %(n)s caracteres.", n=TITLE_MAX), field="title")
    if len(details.description or "") > DESCRIPTION_MAX:
        raise InvalidInput(
            _l("La descripción admite hasta %(n)s caracteres.", n=DESCRIPTION_MAX), field="description"
        )
    location = normalise_plain_text(details.location or "")
    if len(location) > LOCATION_MAX:
        raise InvalidInput(_l("El lugar admite hasta %(n)s caracteres.", n=LOCATION_MAX), field="location")
    if details.opens_at.tzinfo is None or details.closes_at.tzinfo is None:
        raise ValueError("space dates must be timezone-aware")
    if details.closes_at <= details.opens_at:
        raise InvalidInput(_l("La fecha de cierre debe ser posterior a la de apertura."), field="closes_at")
    _check_call_fits(space, details)
    if not 1 <= details.response_business_days <= 120:
        raise InvalidInput(
            _l("El plazo de respuesta debe estar entre 1 y 120 días hábiles."), field="response_business_days"
        )
    cycle = db.session.get(Cycle, details.cycle_id)
    if cycle is None:
        raise InvalidInput(_l("La vigencia elegida no existe."), field="cycle_id")
    action = None
    if details.action_id is not None:
        # A space serves an action of its own organism's plan for the same vigencia.
        action = db.session.scalar(
            select(Action)
            .join(ActionPlan)
            .where(
                Action.id == details.action_id,
                ActionPlan.organism_id == organism_id,
                ActionPlan.cycle_id == cycle.id,
            )
        )
        if action is None:
            raise InvalidInput(
                _l("La acción elegida no pertenece al plan de este organismo para esa vigencia."), field="action_id"
            )
    territories = rows_by_id(
        Territory, details.territory_ids, _l("Alguno de los territorios no existe."), "territory_ids"
    )
    groups = rows_by_id(
        TargetGroup, details.target_group_ids, _l("Alguno de los grupos de valor no existe."), "target_group_ids"
    )
    moderators = rows_by_id(
        User, details.moderator_ids, _l("Alguna de las personas moderadoras no existe."), "moderator_ids"
    )
    if any(m.is_deleted or m.role not in MODERATOR_ROLES for m in moderators):
        raise InvalidInput(
            _l("Solo personas con rol de moderación, funcionarias o administradoras pueden moderar."),
            field="moderator_ids",
        )

    space.kind = details.kind
    space.title = title
    space.description = clean_user_html(details.description or "")
    space.location = location
    space.phase = details.phase
    space.participation_level = details.participation_level
    space.opens_at = details.opens_at
    space.closes_at = details.closes_at
    space.response_business_days = details.response_business_days
    space.cycle = cycle
    space.action = action
    space.territories = territories
    space.target_groups = groups
    space.moderators = moderators


def create_space(actor: User, organism: Organism, details: SpaceDetails) -> Space:
    """A new space of ``organism``, in draft. Only the organism's officials and admins may create it.

    Raises NotAllowed, or InvalidInput naming the offending field.
    """
    if not permissions.can_create_space(actor, organism.id):
        raise NotAllowed(_l("Solo el personal del organismo puede crear espacios de participación."))
    space = Space(organism=organism, state=SpaceState.DRAFT, created_by_id=actor.id)
    _apply_details(space, organism.id, details)
    db.session.add(space)
    db.session.flush()
    return space


def update_space(actor: User, space: Space, details: SpaceDetails) -> Space:
    """Edit the envelope while the space has not closed. Raises NotAllowed or InvalidInput."""
    if not permissions.can_edit_space(actor, space):
        raise NotAllowed(_l("No puedes editar este espacio: solo su organismo puede, y solo hasta que cierre."))
    _apply_details(space, space.organism_id, details)
    db.session.flush()
    bump_forum_revision(space_id=space.id)
    bump_call_revision(space_id=space.id)
    return space


def change_space_state(
    actor: User,
    space: Space,
    target: SpaceState,
    *,
    response: str = "",
    note: str = "",
    action_ids: Sequence[int] = (),
) -> SpaceTransition:
    """Move ``space`` to ``target``: the only way a space's state changes.

    The lifecycle is strictly ordered (NEXT_STATE); who may make each move is decided in
    ``permissions.can_move_space_to``. Closing fixes the response deadline in Colombian business days.
    Each kind of space may refuse a move its content is not ready for and react to a move made
    (``_kind_rules``): a forum reaches "results published" only with its relatoría, a call only through
    its count, and neither a call nor a live session gives its response while answers are owed. Giving
    the response requires its text, and may name the plan actions (``action_ids``, of the organism's
    plans) that took the input up.
    The space row is locked so two concurrent moves cannot both succeed.
    Raises InvalidTransition, NotAllowed or InvalidInput.
    """
    if action_ids and target is not SpaceState.RESPONSE_GIVEN:
        raise ValueError("plan actions are named only when giving the institutional response")
    locked = db.session.execute(
        select(Space).where(Space.id == space.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    current = locked.state
    if NEXT_STATE.get(current) is not target:
        raise InvalidTransition(
            _l(
                "Este espacio está «%(current)s» y no puede pasar a «%(target)s».",
                current=current.label,
                target=target.label,
            )
        )
    if not permissions.can_move_space_to(actor, locked, target):
        raise NotAllowed(_l("No tienes permiso para cambiar el estado de este espacio."))

    kind_rules = _kind_rules(locked.kind)
    if kind_rules is not None and (refusal := kind_rules.refusal(locked, target)):
        raise InvalidTransition(refusal)

    moment = now_utc()
    if target is SpaceState.CLOSED:
        locked.closed_at = moment
        locked.response_due_on = add_business_days(local_today(moment), locked.response_business_days)
    if target is SpaceState.RESPONSE_GIVEN:
        if is_blank(response):
            raise InvalidInput(
                _l("Escribe la respuesta institucional: qué hizo el organismo con los aportes."), field="response"
            )
        if len(response) > RESPONSE_MAX:
            raise InvalidInput(
                _l("La respuesta admite hasta %(n)s caracteres.", n=RESPONSE_MAX), field="response"
            )
        locked.institutional_response = clean_user_html(response)
        locked.response_given_at = moment
        locked.response_actions = _organism_actions(locked.organism_id, action_ids)
    locked.state = target
    locked.state_changed_at = moment
    transition = SpaceTransition(
        space=locked, from_state=current, to_state=target, actor_id=actor.id, note=note[:500]
    )
    db.session.add(transition)
    db.session.flush()
    if kind_rules is not None and kind_rules.after is not None:
        kind_rules.after(locked, target)
    bump_forum_revision(space_id=locked.id)
    bump_call_revision(space_id=locked.id)
    return transition


@dataclass(frozen=True)
class KindRules:
    """What one kind of space adds to the lifecycle: ``refusal(space, target)`` gives the reason a move
    cannot be made yet (or None), ``after(space, target)`` runs in the same transaction once it is made."""

    refusal: Callable[[Space, SpaceState], object | None]
    after: Callable[[Space, SpaceState], None] | None = None


def _kind_rules(kind: SpaceKind) -> KindRules | None:
    # Imported here: the live-session service builds on this module.
    from foro.services import live_sessions

    return {
        SpaceKind.FORUM: KindRules(_forum_refusal),
        SpaceKind.PROPOSAL_CALL: KindRules(_call_refusal),
        SpaceKind.LIVE_SESSION: KindRules(live_sessions.transition_refusal, live_sessions.after_transition),
    }.get(kind)


def _forum_refusal(space: Space, target: SpaceState):
    if target is SpaceState.RESULTS_PUBLISHED and _forum_awaits_synthesis(space):
        return _l("Los resultados de un foro son su relatoría: publícala desde la página «Relatoría» del foro.")
    return None


def _call_refusal(space: Space, target: SpaceState):
    if target is SpaceState.RESULTS_PUBLISHED and _call_awaits_results(space):
        return _l("Los resultados de una convocatoria se publican desde su página «Resultados de la votación».")
    if target is SpaceState.RESPONSE_GIVEN and (owed := unanswered_proposals_count(space)):
        return _nl(
            "Falta responder %(num)s propuesta ganadora o concertada antes de dar la respuesta institucional.",
            "Faltan responder %(num)s propuestas ganadoras o concertadas antes de dar la respuesta institucional.",
            owed,
        )
    return None


def _forum_awaits_synthesis(space: Space) -> bool:
    return space.kind is SpaceKind.FORUM and bool(
        db.session.scalar(select(exists().where(Forum.space_id == space.id, Forum.synthesis_published_at.is_(None))))
    )


def _check_call_fits(space: Space, details: SpaceDetails) -> None:
    """A call for proposals' windows run inside its space's dates: new dates must still hold them."""
    call = None
    if space.id is not None and space.kind is SpaceKind.PROPOSAL_CALL:
        call = db.session.scalar(select(ProposalCall).where(ProposalCall.space_id == space.id))
    if call is None:
        return
    message = _l(
        "Las fechas de la convocatoria no caben en las nuevas fechas del espacio: ajusta primero la convocatoria."
    )
    if details.opens_at >= call.proposing_ends_at:
        raise InvalidInput(message, field="opens_at")
    if details.closes_at < call.voting_ends_at:
        raise InvalidInput(message, field="closes_at")


def _call_awaits_results(space: Space) -> bool:
    return space.kind is SpaceKind.PROPOSAL_CALL and bool(
        db.session.scalar(
            select(exists().where(ProposalCall.space_id == space.id, ProposalCall.results_published_at.is_(None)))
        )
    )


def answer_owed_clause():
    """Proposals the organism owes an answer: every concerted proposal and every winner still standing."""
    return and_(
        Proposal.status == ProposalStatus.PUBLISHED,
        or_(Proposal.is_winner.is_(True), Proposal.kind == ProposalKind.CONCERTED),
        ~exists().where(ProposalAnswer.proposal_id == Proposal.id),
    )


def unanswered_proposals_count(space: Space) -> int:
    """How many proposals of this call still wait for the organism's answer (0 for other kinds)."""
    if space.kind is not SpaceKind.PROPOSAL_CALL:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Proposal)
        .join(ProposalCall, ProposalCall.id == Proposal.call_id)
        .where(ProposalCall.space_id == space.id, answer_owed_clause())
    )


def _organism_actions(organism_id: int, action_ids: Sequence[int]) -> list[Action]:
    """The actions with these ids; InvalidInput unless every one is in a plan of ``organism_id``."""
    unique_ids = sorted(set(action_ids))
    if not unique_ids:
        return []
    actions = list(
        db.session.scalars(
            select(Action)
            .join(ActionPlan)
            .where(Action.id.in_(unique_ids), ActionPlan.organism_id == organism_id)
            .order_by(Action.id)
        )
    )
    if len(actions) != len(unique_ids):
        raise InvalidInput(_l("Solo puedes nombrar acciones del plan de acción de este organismo."), field="action_ids")
    return actions


def response_action_choices(space: Space) -> list[Action]:
    """The plan actions an institutional response may name: the organism's, in the space's vigencia."""
    return list(
        db.session.scalars(
            select(Action)
            .join(ActionPlan)
            .where(ActionPlan.organism_id == space.organism_id, ActionPlan.cycle_id == space.cycle_id)
            .order_by(Action.title, Action.id)
        )
    )


@dataclass(frozen=True)
class CalendarFilters:
    """What the public schedule is narrowed to; ``None`` means "todos"."""

    organism_id: int | None = None
    phase: Phase | None = None
    territory_id: int | None = None
    kind: SpaceKind | None = None
    state: SpaceState | None = None


def calendar_query(filters: CalendarFilters) -> Select:
    """The public schedule (cronograma): spaces matching ``filters``, in order of opening.

    Drafts are never part of it, whatever the filters say. Organism and territories are preloaded so
    that listing a page costs the same number of queries however many spaces it shows.
    """
    query = (
        select(Space)
        .where(Space.state != SpaceState.DRAFT)
        .options(selectinload(Space.organism), selectinload(Space.territories))
        .order_by(Space.opens_at, Space.id)
    )
    if filters.organism_id is not None:
        query = query.where(Space.organism_id == filters.organism_id)
    if filters.phase is not None:
        query = query.where(Space.phase == filters.phase)
    if filters.territory_id is not None:
        query = query.where(Space.territories.any(Territory.id == filters.territory_id))
    if filters.kind is not None:
        query = query.where(Space.kind == filters.kind)
    if filters.state is not None:
        query = query.where(Space.state == filters.state)
    return query


def moderator_candidates() -> list[User]:
    """People who may be assigned to moderate a space: active moderators, officials and admins."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(MODERATOR_ROLES), User.deleted_at.is_(None))
            .order_by(User.display_name, User.id)
        )
    )
