"""Citizen control and evaluation of plan actions: the organism's progress updates, who follows an
action, citizens' ratings of what it achieved, and control-social observations the organism must answer."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, Numeric, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import ActionStatus
from foro.models.planning import Action
from foro.models.reference import Territory
from foro.models.user import User

BODY_MAX = 10_000

action_follows = Table(
    "action_follows",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ProgressUpdate(Base):
    """An organism's report on an action at a date. The latest one also updates the action's current
    indicator value and status, so the plan pages show it."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint("percent_done BETWEEN 0 AND 100", name="percent_range"),
        Index("ix_progress_updates_action_reported", "action_id", "reported_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reported_on: Mapped[date] = mapped_column(Date)
    indicator_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    percent_done: Mapped[int] = mapped_column(Integer)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"))
    # Sanitised HTML.
    body: Mapped[str] = mapped_column(Text)
    # One http(s) address per line: documents, photos, data behind the report.
    evidence_links: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship()
    author: Mapped[User | None] = relationship()


class ActionEvaluation(Base):
    """A citizen's rating of what an action achieved: fulfilment and effect, 1 to 5, with a comment.
    One per person per action, which they may change."""

    __tablename__ = "action_evaluations"
    __table_args__ = (
        UniqueConstraint("action_id", "user_id"),
        CheckConstraint("fulfilment BETWEEN 1 AND 5 AND effect BETWEEN 1 AND 5", name="ratings_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    fulfilment: Mapped[int] = mapped_column(Integer)
    effect: Mapped[int] = mapped_column(Integer)
    # Plain text.
    comment: Mapped[str] = mapped_column(Text, default="")
    # The evaluator's self-declared comuna or corregimiento when they rated, for averages per territory.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship()
    territory: Mapped[Territory | None] = relationship()


class ControlObservation(Base):
    """A citizen's report, with evidence, that an action is not happening as reported (control social).
    The organism must answer it publicly."""

    __tablename__ = "control_observations"
    __table_args__ = (Index("ix_control_observations_action_created", "action_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Plain text.
    body: Mapped[str] = mapped_column(Text)
    # One http(s) address per line.
    evidence_links: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Plain text; empty until the organism answers.
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action: Mapped[Action] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
