"""Traceability: for one plan action, the whole chain that led to it and what came of it.

Forum contributions → proposals (originals, and the concerted proposals they went into) → the vote →
the organism's answer → the action → progress updates → citizen evaluations and control observations;
and the commitments of live accountability sessions, each followed as an action of its own.
This is "the loop that matters most" (DOMAIN.md) read from the action's side. Each function runs a fixed
number of queries whatever the number of proposals, updates or evaluations, so the page stays cheap.

Only what is public is read: hidden proposals and forum posts that are not published are left out.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from foro.extensions import db
from foro.models import (
    Action,
    ActionEvaluation,
    ActionPlan,
    Commitment,
    ControlObservation,
    Forum,
    ForumPost,
    LiveSession,
    PostStatus,
    ProgressUpdate,
    Proposal,
    ProposalAnswer,
    ProposalCall,
    ProposalStatus,
    Space,
    SpaceState,
    Territory,
)
from foro.models.space import space_response_actions


@dataclass(frozen=True)
class TerritoryRating:
    """Citizens' ratings of an action from one territory (None: people who declared none)."""

    territory: Territory | None
    count: int
    fulfilment: Decimal
    effect: Decimal


@dataclass(frozen=True)
class Ratings:
    count: int
    fulfilment: Decimal | None
    effect: Decimal | None
    by_territory: list[TerritoryRating]


@dataclass(frozen=True)
class RespondingSpace:
    """A space whose institutional response names the action; a forum's relatoría is linked when out."""

    space: Space
    has_synthesis: bool


@dataclass
class ActionOrigin:
    """What the action page's "De dónde viene esta acción" box shows."""

    answers: list[ProposalAnswer]
    forum_posts: list[ForumPost]
    # Commitments of live sessions this action follows (it is their tracking action) or that concern it.
    commitments: list[Commitment] = field(default_factory=list)

    @property
    def votes_total(self) -> int:
        return sum(answer.proposal.votes_count for answer in self.answers)

    @property
    def is_empty(self) -> bool:
        return not self.answers and not self.forum_posts and not self.commitments

    def tracked_commitment(self, action_id: int) -> Commitment | None:
        """The commitment this action was created to follow, if it is one."""
        return next((c for c in self.commitments if c.tracking_action_id == action_id), None)

    def commitments_about(self, action_id: int) -> list[Commitment]:
        """Commitments made in sessions about this action (each followed by an action of its own)."""
        return [c for c in self.commitments if c.action_id == action_id and c.tracking_action_id != action_id]

    @staticmethod
    def originals_of(proposal: Proposal) -> list[Proposal]:
        """The originals combined into a concerted proposal; a hidden one stays out of the public chain."""
        return [original for original in proposal.origins if original.status is not ProposalStatus.HIDDEN]


@dataclass
class ActionTrace(ActionOrigin):
    action: Action = None
    responding_spaces: list[RespondingSpace] = field(default_factory=list)
    updates: list[ProgressUpdate] = field(default_factory=list)
    ratings: Ratings | None = None
    observations: list[ControlObservation] = field(default_factory=list)

    def posts_of(self, proposal: Proposal) -> list[ForumPost]:
        """The forum contributions behind one proposal, counting those of its originals."""
        ids = {proposal.forum_post_id, *(original.forum_post_id for original in proposal.origins)}
        return [post for post in self.forum_posts if post.id in ids]


def _answers_into(action_id: int) -> list[ProposalAnswer]:
    """The answers that name the action, with their proposal, its call and space, and its
    originals: two queries (the originals come in one IN query)."""
    answers = list(
        db.session.scalars(
            select(ProposalAnswer)
            .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
            .where(ProposalAnswer.action_id == action_id, Proposal.status != ProposalStatus.HIDDEN)
            .options(
                joinedload(ProposalAnswer.answered_by),
                joinedload(ProposalAnswer.proposal).joinedload(Proposal.territory),
                joinedload(ProposalAnswer.proposal)
                .joinedload(Proposal.call)
                .joinedload(ProposalCall.space)
                .joinedload(Space.organism),
                joinedload(ProposalAnswer.proposal).selectinload(Proposal.origins),
            )
            .order_by(ProposalAnswer.answered_at, ProposalAnswer.id)
        ).unique()
    )
    return answers


def _forum_posts(answers: list[ProposalAnswer]) -> list[ForumPost]:
    """The published forum contributions the answered proposals and their originals came from: one
    query, always run (an empty IN list costs a trivial query and keeps the count constant)."""
    ids = set()
    for answer in answers:
        ids.add(answer.proposal.forum_post_id)
        ids.update(original.forum_post_id for original in answer.proposal.origins)
    ids.discard(None)
    return list(
        db.session.scalars(
            select(ForumPost)
            .join(Forum, Forum.id == ForumPost.forum_id)
            .join(Space, Space.id == Forum.space_id)
            .where(
                ForumPost.id.in_(sorted(ids)),
                ForumPost.status == PostStatus.PUBLISHED,
                Space.state != SpaceState.DRAFT,
            )
            .options(joinedload(ForumPost.forum).joinedload(Forum.space))
            .order_by(ForumPost.created_at, ForumPost.id)
        )
    )


def _commitments(action_id: int) -> list[Commitment]:
    """Commitments followed by the action or made about it, with their session's space: one query.
    Sessions are public from their announcement, so every commitment is."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where((Commitment.tracking_action_id == action_id) | (Commitment.action_id == action_id))
            .options(
                joinedload(Commitment.session).joinedload(LiveSession.space),
                joinedload(Commitment.organism),
                joinedload(Commitment.tracking_action),
            )
            .order_by(Commitment.created_at, Commitment.id)
        )
    )


def action_origin(action: Action) -> ActionOrigin:
    """The proposals answered into ``action`` (with decision and vote totals), the forum contributions
    behind them and the live-session commitments it follows or concerns, for the action page's origin
    box. Four queries."""
    answers = _answers_into(action.id)
    return ActionOrigin(answers=answers, forum_posts=_forum_posts(answers), commitments=_commitments(action.id))


def _responding_spaces(action_id: int) -> list[RespondingSpace]:
    rows = db.session.execute(
        select(Space, Forum.synthesis_published_at)
        .join(space_response_actions, space_response_actions.c.space_id == Space.id)
        .outerjoin(Forum, Forum.space_id == Space.id)
        .where(space_response_actions.c.action_id == action_id, Space.state != SpaceState.DRAFT)
        .options(joinedload(Space.organism))
        .order_by(Space.response_given_at, Space.id)
    )
    return [RespondingSpace(space=space, has_synthesis=published is not None) for space, published in rows]


def _ratings(action_id: int) -> Ratings:
    """Counts and averages per declared territory in one GROUP BY; the totals are weighed from them."""
    rows = db.session.execute(
        select(
            Territory,
            func.count(ActionEvaluation.id),
            func.sum(ActionEvaluation.fulfilment),
            func.sum(ActionEvaluation.effect),
        )
        .select_from(ActionEvaluation)
        .outerjoin(Territory, Territory.id == ActionEvaluation.territory_id)
        .where(ActionEvaluation.action_id == action_id)
        .group_by(ActionEvaluation.territory_id, Territory.id)
    ).all()

    def mean(total, count) -> Decimal:
        return (Decimal(int(total)) / count).quantize(Decimal("0.1"))

    by_territory = [
        TerritoryRating(territory=territory, count=count, fulfilment=mean(fulfil, count), effect=mean(effect, count))
        for territory, count, fulfil, effect in rows
    ]
    # Named territories by kind and number; people who declared none last.
    by_territory.sort(
        key=lambda r: (
            r.territory is None,
            r.territory.kind.value if r.territory else "",
            getattr(r.territory, "number", 0),
        )
    )
    count = sum(count for _, count, _, _ in rows)
    if not count:
        return Ratings(count=0, fulfilment=None, effect=None, by_territory=[])
    return Ratings(
        count=count,
        fulfilment=mean(sum(int(f) for _, _, f, _ in rows), count),
        effect=mean(sum(int(e) for _, _, _, e in rows), count),
        by_territory=by_territory,
    )


def action_trace(action_id: int) -> ActionTrace | None:
    """The whole chain of one action, or None if it does not exist. Twelve queries whatever the data."""
    action = db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.plan).joinedload(ActionPlan.organism),
            joinedload(Action.plan).joinedload(ActionPlan.cycle),
            selectinload(Action.territories),
        )
    )
    if action is None:
        return None
    answers = _answers_into(action.id)
    updates = list(
        db.session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.action_id == action.id)
            .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc())
        )
    )
    observations = list(
        db.session.scalars(
            select(ControlObservation)
            .where(ControlObservation.action_id == action.id)
            .order_by(ControlObservation.created_at.desc(), ControlObservation.id.desc())
        )
    )
    return ActionTrace(
        answers=answers,
        forum_posts=_forum_posts(answers),
        commitments=_commitments(action.id),
        action=action,
        responding_spaces=_responding_spaces(action.id),
        updates=updates,
        ratings=_ratings(action.id),
        observations=observations,
    )
