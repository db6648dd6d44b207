"""The vote of a call for proposals: what is on the ballot, casting and taking back votes under the call's
rule, and the results (ranking, by territory, CSV) with their publication.

The rules hold in the database. One vote per person per proposal is the primary key of ``proposal_votes``;
each voter's ``ballots`` row carries the call's limit and budget cap under CHECK constraints and is updated
in the same transaction as the vote, so however many requests race, a voter cannot pass the limit or the
cap. Counters (``ballots.votes_count``, ``ballots.cost_total``, ``proposals.votes_count``) change in SQL.
Every writing path first takes a share lock on the space row (PostgreSQL ``FOR KEY SHARE``; SQLite's
``BEGIN IMMEDIATE`` already serialises writers) and then reads the window: closing the space takes
``FOR UPDATE`` on that row, so a vote racing the close is either stored before it or refused after it.
Individual votes are never shown to anyone: the read functions return totals or the viewer's own choices.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.errors import Conflict, InvalidTransition, NotAllowed, NotFound
from foro.extensions import db
from foro.models import (
    Ballot,
    CallWindow,
    NotificationKind,
    Proposal,
    ProposalCall,
    ProposalCoauthor,
    ProposalStatus,
    ProposalVote,
    Space,
    SpaceState,
    Territory,
    User,
    VoteRule,
    proposal_origins,
)
from foro.services.notifications import Notice, notify_each, path_for
from foro.services.page_cache import bump_call_revision
from foro.services.spaces import change_space_state
from foro.timeutil import now_utc

BALLOT_PER_PAGE = 30
RESULTS_PER_PAGE = 50
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 100_000
# Open-data rule (Ley 1581): a count of fewer people than this is shown as "menos de 5".
SMALL_CELL = 5
# The viewer's own choices listed on the ballot page (a simple-rule voter may choose many).
OWN_CHOICES_SHOWN = 200

# Ranking order: most votes first, ties broken by the earlier proposal.
RANKING = (Proposal.votes_count.desc(), Proposal.created_at.asc(), Proposal.id.asc())


def pesos(amount: Decimal | int | None) -> str:
    """Colombian pesos as the ``money`` filter writes them, for messages built in services."""
    return "$ " + format_decimal(int(amount or 0), format="#,##0")


def on_ballot_clause(call_id: int):
    """What is voted on: published proposals of the call that did not go into a concerted proposal
    (concerted proposals plus the originals left alone). Merged, hidden and withdrawn never are."""
    return and_(
        Proposal.call_id == call_id,
        Proposal.status == ProposalStatus.PUBLISHED,
        ~exists().where(proposal_origins.c.original_id == Proposal.id),
    )


def _is_active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and not user.is_deleted


def _insert_ignoring_duplicates(table, values: dict):
    """INSERT ... ON CONFLICT DO NOTHING, in the dialect of the session's database."""
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return dialect_insert(table).values(**values).on_conflict_do_nothing()


def lock_window(call: ProposalCall) -> CallWindow:
    """The call's window read again inside the writing transaction, the space row share-locked so that a
    concurrent close (``FOR UPDATE`` in change_space_state) waits for this transaction, or this one for it."""
    db.session.execute(
        select(Space)
        .where(Space.id == call.space_id)
        .with_for_update(read=True, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return call.window_at(now_utc())


def _window_refusal(window: CallWindow) -> InvalidTransition:
    if window is CallWindow.FINISHED:
        return InvalidTransition(_l("La votación de esta convocatoria ya terminó: no se reciben ni se cambian votos."))
    return InvalidTransition(_l("La votación de esta convocatoria aún no ha empezado."))


def _require_voting(actor, call: ProposalCall) -> None:
    if not _is_active(actor):
        raise NotAllowed(_l("Inicia sesión para votar."))
    window = lock_window(call)
    if not permissions.can_vote(actor, window):
        raise _window_refusal(window)


def _proposal_of_call(call: ProposalCall, proposal_id: int) -> Proposal:
    proposal = db.session.scalar(select(Proposal).where(Proposal.id == proposal_id, Proposal.call_id == call.id))
    if proposal is None:
        raise NotFound(_l("Esa propuesta no pertenece a esta convocatoria."))
    return proposal


def _require_on_ballot(proposal: Proposal) -> None:
    if proposal.status is ProposalStatus.MERGED:
        raise InvalidTransition(_l("Esta propuesta se unió a otra: vota por la propuesta en la que quedó."))
    if proposal.status is not ProposalStatus.PUBLISHED:
        raise InvalidTransition(_l("Esta propuesta no está en la votación: fue retirada u ocultada."))
    if proposal.concerted_into:
        raise InvalidTransition(
            _l(
                "Esta propuesta quedó dentro de la propuesta concertada «%(title)s»: vota por esa.",
                title=proposal.concerted_into[0].title,
            )
        )


def residency_refusal(actor, call: ProposalCall) -> NotAllowed | None:
    """Why ``actor`` may not vote in a residents-only call (None if they may). Residency is what the person
    declared in their profile: the message says so, and that it can be changed in «Mi cuenta»."""
    if not call.residents_only:
        return None
    allowed = {territory.id for territory in call.space.territories}
    if actor.territory_id is not None and actor.territory_id in allowed:
        return None
    names = ", ".join(territory.display_name for territory in call.space.territories)
    if actor.territory_id is None:
        return NotAllowed(
            _l(
                "En esta votación solo votan residentes de: %(names)s. Tu perfil no dice dónde vives: la "
                "residencia es la comuna o corregimiento que declaras en «Mi cuenta» (/cuenta).",
                names=names,
            )
        )
    return NotAllowed(
        _l(
            "En esta votación solo votan residentes de: %(names)s. En tu perfil declaraste vivir en %(yours)s; "
            "si cambiaste de residencia, actualízala en «Mi cuenta» (/cuenta).",
            names=names,
            yours=actor.territory.display_name if actor.territory else "",
        )
    )


def _locked_ballot(call: ProposalCall, actor: User, *, create: bool) -> Ballot | None:
    """The voter's ballot row, locked for this transaction (created with the call's limits if asked).

    Parallel votes of one person queue on this lock, so the numbers read here stay true until commit.
    """
    if create:
        db.session.execute(
            _insert_ignoring_duplicates(
                Ballot.__table__,
                dict(
                    call_id=call.id,
                    user_id=actor.id,
                    votes_count=0,
                    cost_total=Decimal(0),
                    max_votes=call.max_votes if call.vote_rule is VoteRule.LIMITED else None,
                    budget_cap=call.budget_cap if call.vote_rule is VoteRule.BUDGET else None,
                    updated_at=now_utc(),
                ),
            )
        )
    return db.session.scalar(
        select(Ballot)
        .where(Ballot.call_id == call.id, Ballot.user_id == actor.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _limit_refusal(ballot: Ballot, cost: Decimal) -> Conflict | None:
    """The limit or the cap this vote would pass, read from the locked ballot row."""
    if ballot.max_votes is not None and ballot.votes_count + 1 > ballot.max_votes:
        return Conflict(
            _nl(
                "Ya usaste tu único voto: el límite de esta convocatoria es %(num)d voto por persona. "
                "Quita tu voto para votar por otra propuesta.",
                "Ya usaste tus %(num)d votos: el límite de esta convocatoria es %(num)d votos por persona. "
                "Quita uno para votar por otra propuesta.",
                ballot.max_votes,
            )
        )
    if ballot.budget_cap is not None and ballot.cost_total + cost > ballot.budget_cap:
        return Conflict(
            _l(
                "Esta propuesta cuesta %(cost)s y solo te quedan %(left)s del presupuesto de %(cap)s. "
                "Quita alguna de tus propuestas para que quepa.",
                cost=pesos(cost),
                left=pesos(ballot.budget_cap - ballot.cost_total),
                cap=pesos(ballot.budget_cap),
            )
        )
    return None


def _add_to_votes(proposal: Proposal, delta: int) -> None:
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(votes_count=Proposal.votes_count + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(proposal, ["votes_count"])


def _move_ballot(call: ProposalCall, actor: User, delta: int, cost: Decimal) -> None:
    db.session.execute(
        update(Ballot)
        .where(Ballot.call_id == call.id, Ballot.user_id == actor.id)
        .values(
            votes_count=Ballot.votes_count + delta,
            cost_total=Ballot.cost_total + (cost if delta > 0 else -cost),
            updated_at=now_utc(),
        )
        .execution_options(synchronize_session=False)
    )


def _totals_changed(call: ProposalCall) -> None:
    """A vote's last statement. Only live totals are public while the vote runs; without them the
    anonymous pages show no total until the window ends, which changes their cache key by itself, so
    votes then do not touch the call row (on which every voter would otherwise queue)."""
    if call.live_totals:
        bump_call_revision(call.id)


def cast_vote(actor: User, call: ProposalCall, proposal_id: int) -> Proposal:
    """``actor`` votes for a proposal on the ballot of ``call`` while its vote window runs.

    The vote row, the voter's ballot counters and the proposal's total change in one transaction; the
    ballot's CHECK constraints refuse passing the call's limit or budget cap even if the numbers read
    under the lock were wrong. ``voter_territory_id`` keeps the residence declared at voting time.
    Raises NotAllowed (not logged in, not a resident), InvalidTransition (outside the window, not on the
    ballot), NotFound (not a proposal of this call) or Conflict (already voted, over the limit or cap).
    """
    _require_voting(actor, call)
    proposal = _proposal_of_call(call, proposal_id)
    _require_on_ballot(proposal)
    if refusal := residency_refusal(actor, call):
        raise refusal
    ballot = _locked_ballot(call, actor, create=True)
    already = exists().where(ProposalVote.proposal_id == proposal.id, ProposalVote.user_id == actor.id)
    if db.session.scalar(select(already)):
        raise Conflict(_l("Ya votaste por esta propuesta."))
    cost = proposal.estimated_cost
    if refusal := _limit_refusal(ballot, cost):
        raise refusal
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(ProposalVote).values(
                    proposal_id=proposal.id,
                    user_id=actor.id,
                    call_id=call.id,
                    voter_territory_id=actor.territory_id,
                    created_at=now_utc(),
                )
            )
            _move_ballot(call, actor, 1, cost)
    except IntegrityError:
        # The primary key or a CHECK of the ballot refused it: say which, from the numbers as they stand.
        if db.session.scalar(select(already)):
            raise Conflict(_l("Ya votaste por esta propuesta.")) from None
        ballot = _locked_ballot(call, actor, create=False)
        raise (
            _limit_refusal(ballot, cost) or Conflict(_l("Tu voto no se pudo registrar; inténtalo de nuevo."))
        ) from None
    _add_to_votes(proposal, 1)
    db.session.expire(ballot)
    _totals_changed(call)
    return proposal


def remove_vote(actor: User, call: ProposalCall, proposal_id: int) -> Proposal:
    """Take back one's vote (to change one's choice), only while the vote window runs.

    Raises NotAllowed, InvalidTransition, NotFound, or Conflict if there was no such vote.
    """
    _require_voting(actor, call)
    proposal = _proposal_of_call(call, proposal_id)
    ballot = _locked_ballot(call, actor, create=False)
    removed = 0
    if ballot is not None:
        removed = db.session.execute(
            delete(ProposalVote)
            .where(ProposalVote.proposal_id == proposal.id, ProposalVote.user_id == actor.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    if removed != 1:
        raise Conflict(_l("No habías votado por esta propuesta."))
    _move_ballot(call, actor, -1, proposal.estimated_cost)
    _add_to_votes(proposal, -1)
    db.session.expire(ballot)
    _totals_changed(call)
    return proposal


# --- The ballot page -----------------------------------------------------------------------------------


@dataclass
class BallotPage:
    """What the ballot page shows: a page of the ballot, and the viewer's own state (never anyone else's)."""

    pagination: Pagination
    window: CallWindow
    totals_visible: bool
    ballot: Ballot | None = None
    voted_ids: set[int] = field(default_factory=set)
    own_choices: list[Proposal] = field(default_factory=list)
    residency: NotAllowed | None = None


def ballot_query(call: ProposalCall, territory_id: int | None = None):
    query = (
        select(Proposal)
        .where(on_ballot_clause(call.id))
        .options(joinedload(Proposal.territory))
        .order_by(Proposal.created_at.asc(), Proposal.id.asc())
    )
    if territory_id is not None:
        query = query.where(Proposal.territory_id == territory_id)
    return query


def ballot_page(call: ProposalCall, viewer, page: int = 1, territory_id: int | None = None) -> BallotPage:
    """A page of the ballot and the viewer's choices: five queries whatever the number of proposals."""
    window = call.window_at(now_utc())
    pagination = db.paginate(
        ballot_query(call, territory_id), page=min(max(page, 1), MAX_PAGE), per_page=BALLOT_PER_PAGE, error_out=False
    )
    result = BallotPage(pagination, window, permissions.can_see_vote_totals(call, window))
    if not _is_active(viewer):
        return result
    result.ballot = db.session.get(Ballot, (call.id, viewer.id))
    result.residency = residency_refusal(viewer, call)
    if result.ballot is None or result.ballot.votes_count == 0:
        return result
    page_ids = [proposal.id for proposal in pagination.items]
    result.own_choices = list(
        db.session.scalars(
            select(Proposal)
            .join(ProposalVote, ProposalVote.proposal_id == Proposal.id)
            .where(ProposalVote.call_id == call.id, ProposalVote.user_id == viewer.id)
            .order_by(Proposal.title, Proposal.id)
            .limit(OWN_CHOICES_SHOWN)
        )
    )
    if len(result.own_choices) < OWN_CHOICES_SHOWN:
        result.voted_ids = {p.id for p in result.own_choices}
    elif page_ids:
        result.voted_ids = set(
            db.session.scalars(
                select(ProposalVote.proposal_id).where(
                    ProposalVote.user_id == viewer.id, ProposalVote.proposal_id.in_(page_ids)
                )
            )
        )
    return result


# --- Results -------------------------------------------------------------------------------------------


@dataclass
class TerritoryRow:
    territory: Territory | None
    proposals: int = 0
    votes: int = 0

    @property
    def suppressed(self) -> bool:
        return self.votes < SMALL_CELL


@dataclass
class Results:
    pagination: Pagination
    first_rank: int
    published: bool
    total_votes: int
    voters: int
    by_proposal_territory: list[TerritoryRow]
    by_voter_territory: list[TerritoryRow]

    def rank_of(self, index: int, proposal: Proposal) -> int:
        """The stored rank once published; before that, the place in the current ranking."""
        return proposal.rank if self.published and proposal.rank else self.first_rank + index


def ranking_query(call: ProposalCall):
    return select(Proposal).where(on_ballot_clause(call.id)).order_by(*RANKING)


def _territories(ids) -> dict[int, Territory]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {t.id: t for t in db.session.scalars(select(Territory).where(Territory.id.in_(ids)))}


def results(call: ProposalCall, page: int = 1) -> Results:
    """The ranking (paginated), totals, proposals grouped by their territory, and votes grouped by the
    voters' declared territory. Six queries whatever the size of the vote."""
    page = min(max(page, 1), MAX_PAGE)
    pagination = db.paginate(
        ranking_query(call).options(joinedload(Proposal.territory)),
        page=page,
        per_page=RESULTS_PER_PAGE,
        error_out=False,
    )
    total_votes, voters = db.session.execute(
        select(func.count(), func.count(func.distinct(ProposalVote.user_id))).where(ProposalVote.call_id == call.id)
    ).one()
    by_proposal = db.session.execute(
        select(Proposal.territory_id, func.count(), func.coalesce(func.sum(Proposal.votes_count), 0))
        .where(on_ballot_clause(call.id))
        .group_by(Proposal.territory_id)
    ).all()
    by_voter = db.session.execute(
        select(ProposalVote.voter_territory_id, func.count())
        .where(ProposalVote.call_id == call.id)
        .group_by(ProposalVote.voter_territory_id)
    ).all()
    names = _territories({row[0] for row in by_proposal} | {row[0] for row in by_voter})

    def order(row: TerritoryRow):
        t = row.territory
        return (t is None, (t.kind.value, t.number) if t else ("", 0))

    return Results(
        pagination=pagination,
        first_rank=(page - 1) * RESULTS_PER_PAGE + 1,
        published=call.results_published_at is not None,
        total_votes=total_votes,
        voters=voters,
        by_proposal_territory=sorted(
            (TerritoryRow(names.get(tid), n, int(votes)) for tid, n, votes in by_proposal), key=order
        ),
        by_voter_territory=sorted((TerritoryRow(names.get(tid), 0, n) for tid, n in by_voter), key=order),
    )


def csv_rows(call: ProposalCall):
    """The ranking as rows of plain values, with no personal data: (id, title, kind, territory, cost,
    votes, rank, winner). Streams in batches whatever the number of proposals."""
    published = call.results_published_at is not None
    query = (
        select(Proposal, Territory)
        .outerjoin(Territory, Territory.id == Proposal.territory_id)
        .where(on_ballot_clause(call.id))
        .order_by(*RANKING)
        .execution_options(yield_per=1000)
    )
    for place, (proposal, territory) in enumerate(db.session.execute(query), start=1):
        yield (
            proposal.id,
            proposal.title,
            proposal.kind,
            territory,
            proposal.estimated_cost,
            proposal.votes_count,
            proposal.rank if published and proposal.rank else place,
            proposal.is_winner,
        )


def _winners(call: ProposalCall, ranked: list[tuple[int, int, Decimal]]) -> set[int]:
    """Which proposals win, from (id, votes, cost) in ranking order. A proposal needs at least one vote.

    Simple and limited rules: the first ``winners_count`` (every voted proposal if None). Budget rule: in
    ranking order, each proposal that still fits what is left of the cap (as Decidim's budgets do)."""
    voted = [(pid, cost) for pid, votes, cost in ranked if votes > 0]
    if call.vote_rule is VoteRule.BUDGET:
        left = call.budget_cap
        chosen = set()
        for pid, cost in voted:
            if cost <= left:
                chosen.add(pid)
                left -= cost
        return chosen
    if call.winners_count is not None:
        voted = voted[: call.winners_count]
    return {pid for pid, _cost in voted}


def publish_results(actor: User, call: ProposalCall) -> set[int]:
    """Compute rank and winners, set ``results_published_at`` and move the space to results published;
    tell the authors of the winning proposals. Only the space's runners, once the space is closed.

    The call row is locked, so two runners publishing at once make one publication. Returns the ids of
    the winners. Raises NotAllowed or InvalidTransition (and whatever change_space_state raises).
    """
    space = call.space
    if not permissions.can_move_space_to(actor, space, SpaceState.RESULTS_PUBLISHED):
        raise NotAllowed(_l("Solo quienes dirigen esta convocatoria pueden publicar sus resultados."))
    if not permissions.can_publish_call_results(actor, space):
        if space.state in (SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN):
            raise InvalidTransition(_l("Los resultados de esta convocatoria ya se publicaron."))
        raise InvalidTransition(
            _l("Cierra el espacio antes de publicar los resultados: la votación debe haber terminado.")
        )
    locked = db.session.execute(
        select(ProposalCall)
        .where(ProposalCall.id == call.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if locked.results_published_at is not None:
        raise InvalidTransition(_l("Los resultados de esta convocatoria ya se publicaron."))
    ranked = db.session.execute(
        select(Proposal.id, Proposal.votes_count, Proposal.estimated_cost)
        .where(on_ballot_clause(call.id))
        .order_by(*RANKING)
    ).all()
    winners = _winners(locked, ranked)
    db.session.execute(
        update(Proposal)
        .where(Proposal.call_id == call.id)
        .values(rank=None, is_winner=False)
        .execution_options(synchronize_session=False)
    )
    if ranked:
        db.session.execute(
            update(Proposal),
            [{"id": pid, "rank": place, "is_winner": pid in winners} for place, (pid, _v, _c) in enumerate(ranked, 1)],
        )
    locked.results_published_at = now_utc()
    db.session.flush()
    change_space_state(actor, space, SpaceState.RESULTS_PUBLISHED)
    _tell_winners(call, winners)
    # change_space_state bumped already; the ranks and winners written above belong to the same change.
    bump_call_revision(call.id)
    db.session.expire_all()
    return winners


def _tell_winners(call: ProposalCall, winners: set[int]) -> None:
    if not winners:
        return
    proposals = db.session.scalars(select(Proposal).where(Proposal.id.in_(winners))).all()
    coauthors = db.session.execute(
        select(ProposalCoauthor.proposal_id, ProposalCoauthor.user_id).where(
            ProposalCoauthor.proposal_id.in_(winners), ProposalCoauthor.accepted_at.is_not(None)
        )
    ).all()
    url = path_for("voting.results", space_id=call.space_id)
    notices = []
    for proposal in sorted(proposals, key=lambda p: p.rank or 0):
        message = _l(
            "Tu propuesta «%(title)s» ganó la votación (puesto %(rank)s).", title=proposal.title, rank=proposal.rank
        )
        people = [proposal.author_id] + [uid for pid, uid in coauthors if pid == proposal.id]
        notices += [Notice(uid, NotificationKind.PROPOSAL, str(message)) for uid in people if uid is not None]
    notify_each(notices, url)
