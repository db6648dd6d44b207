"""The organism's answers to the proposals of a call: accepted (the proposal becomes a new plan action
or joins an existing one), partly accepted, or rejected, always with a public reason.

Every concerted proposal and every winner must be answered before the space can give its institutional
response (``foro.services.spaces.answer_owed_clause``); any other published proposal of the call may be
answered too. An answer may be corrected later by the organism's staff; the space never moves on its own.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    AnswerDecision,
    NotificationKind,
    Proposal,
    ProposalAnswer,
    ProposalCall,
    ProposalStatus,
    Space,
    User,
    proposal_follows,
)
from foro.models.proposal import REASON_MAX
from foro.sanitize import is_blank, normalise_plain_text
from foro.security import MAX_ID
from foro.services.notifications import Notice, notify_each, path_for
from foro.services.page_cache import bump_call_revision
from foro.services.plans import ActionDetails, create_action
from foro.services.spaces import answer_owed_clause

ACCEPTING = (AnswerDecision.ACCEPTED, AnswerDecision.PARTLY_ACCEPTED)


@dataclass
class AnswerDetails:
    """What the staff decide, as plain values. An accepting decision names exactly one of
    ``action_id`` (join an existing action) or ``new_action`` (create one in the organism's plan).
    ``replaces_answer_id`` is the answer the person saw when they opened the form (None: none yet), so
    that two people answering at once do not overwrite each other silently."""

    decision: AnswerDecision
    reason: str
    action_id: int | None = None
    new_action: ActionDetails | None = None
    replaces_answer_id: int | None = None


def check_may_answer(actor: User, space: Space) -> None:
    """NotAllowed for people outside the organism's staff; InvalidTransition for the staff while the
    results are not yet published (there is nothing to answer yet)."""
    if permissions.can_answer_proposal(actor, space):
        return
    # The staff of the organism are exactly those who edit its plan: tell them why it is too early.
    if permissions.can_edit_plan(actor, space.organism_id):
        raise InvalidTransition(_l("Las propuestas se responden cuando la convocatoria ha publicado sus resultados."))
    raise NotAllowed(_l("Solo el personal del organismo de la convocatoria puede responder sus propuestas."))


def answerable_proposal(space: Space, proposal_id: int) -> Proposal | None:
    """The proposal ``proposal_id`` of the call of ``space`` with what its answer page shows, or None
    (another call's proposal is as absent as a missing one)."""
    return db.session.scalar(
        select(Proposal)
        .join(ProposalCall, ProposalCall.id == Proposal.call_id)
        .where(Proposal.id == proposal_id, ProposalCall.space_id == space.id)
        .options(
            joinedload(Proposal.call),
            joinedload(Proposal.territory),
            joinedload(Proposal.answer).joinedload(ProposalAnswer.action),
            selectinload(Proposal.target_groups),
            selectinload(Proposal.coauthors),
        )
    )


def action_choices(space: Space) -> list[Action]:
    """The actions an answer may join: the organism's plan for the call's vigencia."""
    return list(
        db.session.scalars(
            select(Action)
            .join(ActionPlan)
            .where(ActionPlan.organism_id == space.organism_id, ActionPlan.cycle_id == space.cycle_id)
            .order_by(Action.procedure, Action.title, Action.id)
        )
    )


def _clean_reason(reason: str | None) -> str:
    text = normalise_plain_text(reason or "")
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    if is_blank(text):
        raise InvalidInput(
            _l("Escribe la razón de la respuesta: se publica para que la ciudadanía sepa por qué."), field="reason"
        )
    if len(text) > REASON_MAX:
        raise InvalidInput(_l("La razón admite hasta %(n)s caracteres.", n=REASON_MAX), field="reason")
    return text


def _existing_action(space: Space, action_id: int) -> Action:
    # Past an integer column's range no action can match (and PostgreSQL would refuse the number).
    action = (
        None
        if not 1 <= action_id <= MAX_ID
        else db.session.scalar(
            select(Action)
            .join(ActionPlan)
            .where(
                Action.id == action_id,
                ActionPlan.organism_id == space.organism_id,
                ActionPlan.cycle_id == space.cycle_id,
            )
        )
    )
    if action is None:
        raise InvalidInput(
            _l("La acción elegida no pertenece al plan de acción del organismo en la vigencia de la convocatoria."),
            field="action_id",
        )
    return action


def _new_action(actor: User, space: Space, proposal: Proposal, details: ActionDetails) -> Action:
    # The action happens where the proposal asked and for whom: these come from the proposal, never the form.
    details.territory_ids = [proposal.territory_id] if proposal.territory_id else []
    details.target_group_ids = [group.id for group in proposal.target_groups]
    return create_action(actor, space.organism, space.cycle, details)


def answer_proposal(actor: User, space: Space, proposal: Proposal, details: AnswerDetails) -> ProposalAnswer:
    """Answer ``proposal`` (of the call of ``space``), or correct its answer.

    Rules: the organism's staff, once the results are published (check_may_answer); the proposal is
    published (not merged, hidden or withdrawn); the reason is required plain text; an accepting
    decision joins an action of the organism's plan for the call's vigencia or creates one there with
    the proposal's territory and target groups. The proposal row is locked so that two answers queue;
    the second one is refused with Conflict unless it was written knowing the first.
    The authors, accepted co-authors, the authors of the originals of a concerted proposal and the
    followers are notified. Raises NotAllowed, InvalidTransition, InvalidInput or Conflict; nothing is
    stored then (an action created on the way is undone with the caller's rollback).
    """
    check_may_answer(actor, space)
    # Serialise answers to one proposal (PostgreSQL; SQLite's BEGIN IMMEDIATE already does).
    locked = db.session.execute(
        select(Proposal.status).where(Proposal.id == proposal.id).with_for_update()
    ).scalar_one()
    if locked is not ProposalStatus.PUBLISHED:
        raise InvalidTransition(_l("Solo se responden propuestas publicadas; esta fue retirada, unida u ocultada."))
    try:
        decision = AnswerDecision(details.decision)
    except ValueError:
        raise InvalidInput(
            _l("Elige una decisión: aceptada, aceptada en parte o no aceptada."), field="decision"
        ) from None
    reason = _clean_reason(details.reason)

    existing = db.session.scalar(
        select(ProposalAnswer)
        .where(ProposalAnswer.proposal_id == proposal.id)
        .execution_options(populate_existing=True)
    )
    if (existing.id if existing else None) != details.replaces_answer_id:
        raise Conflict(
            _l("Otra persona respondió esta propuesta mientras escribías. Revisa su respuesta antes de cambiarla.")
        )

    action = None
    if decision in ACCEPTING:
        if details.action_id is not None and details.new_action is not None:
            raise InvalidInput(_l("Elige una acción existente o crea una nueva, no las dos."), field="action_id")
        if details.action_id is not None:
            action = _existing_action(space, details.action_id)
        elif details.new_action is not None:
            action = _new_action(actor, space, proposal, details.new_action)
        else:
            raise InvalidInput(
                _l(
                    "Una propuesta aceptada se vuelve una acción del plan: elige una acción existente o crea una nueva."
                ),
                field="action_id",
            )

    answer = existing or ProposalAnswer(proposal_id=proposal.id, answered_by_id=actor.id)
    answer.decision = decision
    answer.reason = reason
    answer.action = action
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        raise Conflict(
            _l("Otra persona respondió esta propuesta mientras escribías. Revisa su respuesta antes de cambiarla.")
        ) from None
    _notify(actor, space, proposal, answer, corrected=existing is not None)
    # The answer shows on the proposal's page and the call's answers page.
    bump_call_revision(proposal.call_id)
    return answer


def _notify(actor: User, space: Space, proposal: Proposal, answer: ProposalAnswer, *, corrected: bool) -> None:
    authors = [proposal.author_id, *(c.user_id for c in proposal.coauthors if c.accepted_at is not None)]
    original_authors = [original.author_id for original in proposal.origins]
    followers = db.session.scalars(
        select(proposal_follows.c.user_id).where(proposal_follows.c.proposal_id == proposal.id)
    )
    values = {"title": proposal.title, "decision": answer.decision.label}
    if corrected:
        own = _l("El organismo corrigió su respuesta a tu propuesta «%(title)s»: %(decision)s.", **values)
        other = _l("El organismo corrigió su respuesta a la propuesta «%(title)s»: %(decision)s.", **values)
    else:
        own = _l("El organismo respondió tu propuesta «%(title)s»: %(decision)s.", **values)
        other = _l("El organismo respondió la propuesta «%(title)s»: %(decision)s.", **values)
    kind = NotificationKind.INSTITUTIONAL_ANSWER
    notices = [Notice(user_id, kind, str(own)) for user_id in authors if user_id is not None]
    notices += [Notice(user_id, kind, str(other)) for user_id in [*original_authors, *followers] if user_id is not None]
    notify_each(
        [notice for notice in notices if notice.user_id != actor.id],
        path_for("proposals.show", space_id=space.id, proposal_id=proposal.id),
    )


@dataclass(frozen=True)
class CallAnswers:
    """What a call's organism owes and what it has answered."""

    owed: list[Proposal]
    given: list[ProposalAnswer]


def call_answers(call: ProposalCall) -> CallAnswers:
    """The owed proposals (winners by rank, then concerted ones) and the given answers (by the proposal's
    rank, then newest), each with what the answers page shows. Three queries whatever their number."""
    owed = db.session.scalars(
        select(Proposal)
        .where(Proposal.call_id == call.id, answer_owed_clause())
        .options(joinedload(Proposal.territory))
        .order_by(Proposal.rank.is_(None), Proposal.rank, Proposal.id)
    )
    given = db.session.scalars(
        select(ProposalAnswer)
        .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
        .where(Proposal.call_id == call.id, Proposal.status != ProposalStatus.HIDDEN)
        .options(
            joinedload(ProposalAnswer.proposal).joinedload(Proposal.territory),
            joinedload(ProposalAnswer.action),
        )
        .order_by(Proposal.rank.is_(None), Proposal.rank, ProposalAnswer.answered_at.desc(), ProposalAnswer.id)
    )
    return CallAnswers(owed=list(owed), given=list(given))
