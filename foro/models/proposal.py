"""Calls for proposals: a space of kind proposal_call, its citizens' proposals, their concertation into
concerted proposals, the vote, and the organism's answer to each proposal that won or was concerted.

The vote rules hold in the database, not only in Python: one vote per person per proposal is the
primary key of ``proposal_votes``, and each voter's ``ballots`` row carries the call's limits with CHECK
constraints, so a vote that would pass the limit or the budget cap fails inside its transaction however
many requests race.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import AnswerDecision, CallWindow, ProposalKind, ProposalStatus, SpaceState, Stance, VoteRule
from foro.models.forum import ForumPost
from foro.models.planning import Action
from foro.models.reference import TargetGroup, Territory
from foro.models.space import Space
from foro.models.user import User

TITLE_MAX = 200
PROBLEM_MAX = 2_000
BODY_MAX = 10_000
ON_BEHALF_MAX = 200
REASON_MAX = 2_000
# Pesos colombianos; 16 digits hold any municipal budget.
MONEY = Numeric(16, 2)


class ProposalCall(Base):
    """The settings of a call for proposals. Its windows follow each other inside the space's dates:
    proposing from ``space.opens_at`` to ``proposing_ends_at``, concertation until
    ``concertation_ends_at`` (may be empty), voting until ``voting_ends_at``. The review (the organism's
    answers) runs afterwards, within the space's response term."""

    __tablename__ = "proposal_calls"
    __table_args__ = (
        CheckConstraint(
            "proposing_ends_at <= concertation_ends_at AND concertation_ends_at < voting_ends_at",
            name="windows_in_order",
        ),
        CheckConstraint(
            "(vote_rule = 'limited') = (max_votes IS NOT NULL) AND (max_votes IS NULL OR max_votes >= 1)",
            name="limited_has_max_votes",
        ),
        CheckConstraint(
            "(vote_rule = 'budget') = (budget_cap IS NOT NULL) AND (budget_cap IS NULL OR budget_cap > 0)",
            name="budget_has_cap",
        ),
        CheckConstraint("winners_count IS NULL OR winners_count >= 1", name="winners_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), unique=True)
    proposing_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    concertation_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    vote_rule: Mapped[VoteRule] = mapped_column(str_enum(VoteRule, "vote_rule"), default=VoteRule.SIMPLE)
    max_votes: Mapped[int | None] = mapped_column(Integer)
    budget_cap: Mapped[Decimal | None] = mapped_column(MONEY)
    # Simple and limited rules: how many of the most voted proposals win (None: every voted proposal).
    # The budget rule picks winners by votes while their costs fit the cap, as Decidim's budgets do.
    winners_count: Mapped[int | None] = mapped_column(Integer)
    # Only people whose self-declared comuna or corregimiento is one of the space's territories may vote.
    residents_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Totals are shown while voting runs (otherwise only after the window closes).
    live_totals: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the ranking is computed and the space moves to results published.
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Grows by one in every transaction that changes what an anonymous visitor sees on the call's pages
    # (foro.services.page_cache.bump_call_revision): part of the cache key of those pages.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    space: Mapped[Space] = relationship()

    def window_at(self, now: datetime) -> CallWindow:
        """Which window is running at ``now``. Only an open space has a running window: closing the
        space early ends the vote, and a space not yet opened receives nothing."""
        if self.space.state is not SpaceState.OPEN:
            return (
                CallWindow.NOT_OPEN
                if self.space.state in (SpaceState.DRAFT, SpaceState.ANNOUNCED)
                else (CallWindow.FINISHED)
            )
        if now < self.space.opens_at:
            return CallWindow.NOT_OPEN
        if now < self.proposing_ends_at:
            return CallWindow.PROPOSING
        if now < self.concertation_ends_at:
            return CallWindow.CONCERTATION
        if now < self.voting_ends_at:
            return CallWindow.VOTING
        return CallWindow.FINISHED


proposal_target_groups = Table(
    "proposal_target_groups",
    Base.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_groups.id", ondelete="CASCADE"), primary_key=True),
)

# Which originals went into each concerted proposal; an original goes into at most one.
proposal_origins = Table(
    "proposal_origins",
    Base.metadata,
    Column("concerted_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("original_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    UniqueConstraint("original_id", name="uq_proposal_origins_original_id"),
)

proposal_follows = Table(
    "proposal_follows",
    Base.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Proposal(Base):
    """A citizen's proposal, or a concerted proposal combining several. Counters change in SQL
    (``n = n + 1``) in the transaction that writes the row they count, never in Python."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(
            "supports_count >= 0 AND comments_count >= 0 AND votes_count >= 0", name="counters_not_negative"
        ),
        CheckConstraint("estimated_cost >= 0", name="cost_not_negative"),
        # Only a merged proposal names a target; the target may vanish only with its whole call (SET NULL).
        CheckConstraint("merged_into_id IS NULL OR status = 'merged'", name="only_merged_has_target"),
        Index("ix_proposals_call_status", "call_id", "status", "created_at"),
        Index("ix_proposals_call_supports", "call_id", "status", "supports_count"),
        Index("ix_proposals_call_votes", "call_id", "status", "votes_count"),
        Index("ix_proposals_call_comments", "call_id", "status", "comments_count"),
        Index("ix_proposals_call_territory", "call_id", "territory_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("proposal_calls.id", ondelete="CASCADE"))
    kind: Mapped[ProposalKind] = mapped_column(str_enum(ProposalKind, "proposal_kind"), default=ProposalKind.ORIGINAL)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The organisation or participation body the author proposes for, as they name it ("" = themselves).
    on_behalf_of: Mapped[str] = mapped_column(String(ON_BEHALF_MAX), default="")
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # Plain text: the problem the proposal answers.
    problem: Mapped[str] = mapped_column(Text)
    # Sanitised HTML (foro.sanitize).
    description: Mapped[str] = mapped_column(Text)
    # NULL: the whole city.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"), index=True)
    estimated_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # The forum contribution behind it: a problem it answers, or a forum proposal carried into the call.
    forum_post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.PUBLISHED
    )
    # Shown to the author and the public when a moderator hides the proposal.
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the moderator merged it, shown on its page.
    merge_reason: Mapped[str] = mapped_column(String(500), default="")
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)
    votes_count: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the results are published: place in the ranking, and whether it won.
    rank: Mapped[int | None] = mapped_column(Integer)
    is_winner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    call: Mapped[ProposalCall] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    territory: Mapped[Territory | None] = relationship()
    forum_post: Mapped[ForumPost | None] = relationship()
    merged_into: Mapped["Proposal | None"] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=proposal_target_groups, order_by=lambda: TargetGroup.name
    )
    # For a concerted proposal: the originals combined into it.
    origins: Mapped[list["Proposal"]] = relationship(
        secondary=proposal_origins,
        primaryjoin=lambda: Proposal.id == proposal_origins.c.concerted_id,
        secondaryjoin=lambda: Proposal.id == proposal_origins.c.original_id,
        order_by=lambda: Proposal.id,
        back_populates="concerted_into",
    )
    # For an original: the concerted proposal it went into (a list of at most one).
    concerted_into: Mapped[list["Proposal"]] = relationship(
        secondary=proposal_origins,
        primaryjoin=lambda: Proposal.id == proposal_origins.c.original_id,
        secondaryjoin=lambda: Proposal.id == proposal_origins.c.concerted_id,
        back_populates="origins",
        viewonly=True,
    )
    coauthors: Mapped[list["ProposalCoauthor"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalCoauthor.invited_at"
    )
    answer: Mapped["ProposalAnswer | None"] = relationship(back_populates="proposal", uselist=False)


class ProposalCoauthor(Base):
    """A person the author invited to co-author; they become a co-author when they accept."""

    __tablename__ = "proposal_coauthors"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="coauthors")
    user: Mapped[User] = relationship()


class ProposalSupport(Base):
    """One support per person per proposal, while proposals are received: the primary key is the rule."""

    __tablename__ = "proposal_supports"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalComment(Base):
    __tablename__ = "proposal_comments"
    __table_args__ = (Index("ix_proposal_comments_proposal_created", "proposal_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Sanitised HTML.
    body: Mapped[str] = mapped_column(Text)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class ProposalEndorsement(Base):
    """An original author's public endorsement of, or objection to, the concerted proposal their
    proposal went into; one per person, which they may change."""

    __tablename__ = "proposal_endorsements"

    concerted_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "stance"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class Ballot(Base):
    """A voter's running totals in one call, with the call's limits copied in so that CHECK constraints
    enforce them: every vote updates this row in its transaction (a row lock on PostgreSQL, the write
    lock on SQLite), so parallel votes of one person queue here and the limits cannot be overrun."""

    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint("votes_count >= 0 AND cost_total >= 0", name="totals_not_negative"),
        CheckConstraint("max_votes IS NULL OR votes_count <= max_votes", name="within_max_votes"),
        CheckConstraint("budget_cap IS NULL OR cost_total <= budget_cap", name="within_budget_cap"),
    )

    call_id: Mapped[int] = mapped_column(ForeignKey("proposal_calls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    votes_count: Mapped[int] = mapped_column(Integer, default=0)
    cost_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    max_votes: Mapped[int | None] = mapped_column(Integer)
    budget_cap: Mapped[Decimal | None] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProposalVote(Base):
    """One vote per person per proposal. Individual votes are never shown; only totals are."""

    __tablename__ = "proposal_votes"
    __table_args__ = (
        Index("ix_proposal_votes_call_user", "call_id", "user_id"),
        # The results page counts votes by the voters' declared territory.
        Index("ix_proposal_votes_call_territory", "call_id", "voter_territory_id"),
    )

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("proposal_calls.id", ondelete="CASCADE"))
    # The voter's self-declared comuna or corregimiento when they voted, for results by territory.
    voter_territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalAnswer(Base):
    """The organism's answer to a proposal, always with a public reason. An accepted or partly accepted
    proposal names the plan action it became or joined."""

    __tablename__ = "proposal_answers"
    __table_args__ = (CheckConstraint("decision = 'rejected' OR action_id IS NOT NULL", name="accepted_names_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[AnswerDecision] = mapped_column(str_enum(AnswerDecision, "answer_decision"))
    # Plain text, shown publicly.
    reason: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="answer")
    action: Mapped[Action | None] = relationship()
    answered_by: Mapped[User | None] = relationship()
