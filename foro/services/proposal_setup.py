"""Setting up a call for proposals: the ProposalCall row of a space of kind proposal_call.

The organism's staff set the three window ends (proposing, concertation, voting), the vote rule with its
limit (max_votes for the limited rule, budget_cap for the participatory budget), how many proposals win,
whether only residents of the space's territories vote, and whether totals show while voting runs. They
may do it while the space is a draft or announced (``permissions.can_configure_call``): once it opens,
people propose and vote under these rules, so they no longer change.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from foro import permissions
from foro.errors import InvalidInput, NotAllowed
from foro.extensions import db
from foro.models import ProposalCall, Space, SpaceKind, User, VoteRule
from foro.services.page_cache import bump_call_revision

MAX_VOTES_LIMIT = 100
WINNERS_LIMIT = 1_000
# Numeric(16, 2) holds 14 digits of pesos.
MONEY_LIMIT = Decimal("99999999999999")


@dataclass
class CallDetails:
    """The settings of a call, as plain values (from a form, the CLI or a test). Datetimes are aware (UTC).

    ``concertation_ends_at`` None means the call has no concertation window: the vote follows proposing.
    """

    proposing_ends_at: datetime
    voting_ends_at: datetime
    concertation_ends_at: datetime | None = None
    vote_rule: VoteRule = VoteRule.SIMPLE
    max_votes: int | None = None
    budget_cap: Decimal | None = None
    winners_count: int | None = None
    residents_only: bool = False
    live_totals: bool = False


def call_of(space: Space) -> ProposalCall | None:
    return db.session.scalar(select(ProposalCall).where(ProposalCall.space_id == space.id))


def _lock_space(space: Space) -> Space:
    return db.session.execute(
        select(Space).where(Space.id == space.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _checked_windows(space: Space, details: CallDetails) -> tuple[datetime, datetime, datetime]:
    proposing, voting = details.proposing_ends_at, details.voting_ends_at
    concertation = details.concertation_ends_at or proposing
    if any(moment.tzinfo is None for moment in (proposing, concertation, voting)):
        raise ValueError("call windows must be timezone-aware")
    if proposing <= space.opens_at:
        raise InvalidInput(
            _l("Las propuestas se reciben desde que el espacio abre: el cierre de propuestas debe ser posterior."),
            field="proposing_ends_at",
        )
    if concertation < proposing:
        raise InvalidInput(
            _l("La concertación empieza cuando termina la recepción de propuestas: su cierre debe ser posterior."),
            field="concertation_ends_at",
        )
    if voting <= concertation:
        raise InvalidInput(
            _l("La votación empieza cuando termina la concertación: su cierre debe ser posterior."),
            field="voting_ends_at",
        )
    if voting > space.closes_at:
        raise InvalidInput(
            _l("La votación debe terminar a más tardar cuando cierra el espacio."), field="voting_ends_at"
        )
    return proposing, concertation, voting


def _checked_rule(details: CallDetails) -> tuple[VoteRule, int | None, Decimal | None]:
    if not isinstance(details.vote_rule, VoteRule):
        raise InvalidInput(_l("Elige cómo se vota."), field="vote_rule")
    max_votes = budget_cap = None
    if details.vote_rule is VoteRule.LIMITED:
        max_votes = details.max_votes
        if max_votes is None or not 1 <= max_votes <= MAX_VOTES_LIMIT:
            raise InvalidInput(
                _l(
                    "Con votos limitados, indica cuántos votos tiene cada persona (entre 1 y %(n)s).", n=MAX_VOTES_LIMIT
                ),
                field="max_votes",
            )
    if details.vote_rule is VoteRule.BUDGET:
        budget_cap = details.budget_cap
        if budget_cap is None or not Decimal(0) < budget_cap <= MONEY_LIMIT or budget_cap != budget_cap.to_integral():
            raise InvalidInput(
                _l("Con presupuesto participativo, indica el presupuesto total en pesos, sin centavos."),
                field="budget_cap",
            )
    return details.vote_rule, max_votes, budget_cap


def configure_call(actor: User, space: Space, details: CallDetails) -> ProposalCall:
    """Create (the first time) or change the settings of the call of ``space``.

    Rules: the space is of kind proposal_call; the organism's staff, while it is a draft or announced
    (checked under the space's row lock, so a call cannot change as the space opens); proposing ends
    after the space opens, concertation (may be empty) ends no earlier, the vote after it and no later
    than the space closes; the limited rule needs 1 to 100 votes per person, the budget rule a cap in
    whole pesos; other rules keep neither; winners_count, if given, is 1 to 1,000.
    Raises InvalidInput (naming the form field) or NotAllowed.
    """
    if space.kind is not SpaceKind.PROPOSAL_CALL:
        raise InvalidInput(_l("Este espacio no es una convocatoria de propuestas."))
    space = _lock_space(space)
    if not permissions.can_configure_call(actor, space):
        raise NotAllowed(
            _l("Solo el personal del organismo puede configurar la convocatoria, y solo antes de que abra.")
        )
    proposing, concertation, voting = _checked_windows(space, details)
    vote_rule, max_votes, budget_cap = _checked_rule(details)
    if details.winners_count is not None and not 1 <= details.winners_count <= WINNERS_LIMIT:
        raise InvalidInput(
            _l("El número de propuestas ganadoras debe estar entre 1 y %(n)s.", n=WINNERS_LIMIT), field="winners_count"
        )
    call = call_of(space)
    if call is None:
        call = ProposalCall(space=space)
        db.session.add(call)
    call.proposing_ends_at = proposing
    call.concertation_ends_at = concertation
    call.voting_ends_at = voting
    call.vote_rule = vote_rule
    call.max_votes = max_votes
    call.budget_cap = budget_cap
    call.winners_count = details.winners_count
    call.residents_only = bool(details.residents_only)
    call.live_totals = bool(details.live_totals)
    db.session.flush()
    # An announced call's pages show its windows and vote rule.
    bump_call_revision(call.id)
    return call
