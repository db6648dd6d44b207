"""Live accountability sessions (rendición de cuentas): a space of kind live session run in real time.

Before the session: its settings (stream, co-organising organisms), an agenda whose items point at plan
actions, attendance registrations and questions sent in advance. During it: the current agenda item, the
moderated question queue with upvotes, single-choice polls, commitments and who is present. After it: the
organism's written answers to the questions left unanswered and the attendees' evaluation of the session.
Everything a socket event changes is a row here first; broadcasts only repeat what is stored.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import PollStatus, QuestionStatus
from foro.models.planning import Action
from foro.models.reference import Organism
from foro.models.space import Space
from foro.models.user import User

QUESTION_MAX = 500
ANSWER_SUMMARY_MAX = 2_000
WRITTEN_ANSWER_MAX = 5_000
DISMISSAL_REASON_MAX = 300
AGENDA_TITLE_MAX = 200
AGENDA_NOTES_MAX = 2_000
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 120
POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 8
COMMITMENT_MAX = 1_000
EVALUATION_COMMENT_MAX = 1_000
STREAM_URL_MAX = 500

# Organisms that run the session together with the space's own organism (the mayor's sessions).
live_session_organisms = Table(
    "live_session_organisms",
    Base.metadata,
    Column("session_id", ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("organism_id", ForeignKey("organisms.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LiveSession(Base):
    """The live content of one space of kind live session. Date, time and place are the space's own
    (``opens_at``, ``closes_at``, ``location``); the session is live while the space is open."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), unique=True)
    # The embed address of the organism's own stream (https, on an allowed video host), or empty.
    stream_url: Mapped[str] = mapped_column(String(STREAM_URL_MAX), default="")
    # Position of the agenda item being presented now; None before the first one.
    current_position: Mapped[int | None] = mapped_column(Integer)
    # Increased by every write to the session's live state, in the same transaction; each broadcast
    # carries it, so a client that missed one (a message queue outage) knows to ask for a snapshot.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The most people present at once, for the record.
    peak_present: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship()
    organisms: Mapped[list[Organism]] = relationship(
        secondary=live_session_organisms, order_by=lambda: Organism.name
    )
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )


class AgendaItem(Base):
    """One point of the agenda, usually the report on a plan action (goal, indicator, progress, budget
    are read from the action as the plan holds them, never copied)."""

    __tablename__ = "live_agenda_items"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(AGENDA_TITLE_MAX))
    # Plain text.
    notes: Mapped[str] = mapped_column(Text, default="")
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)

    session: Mapped[LiveSession] = relationship(back_populates="agenda")
    action: Mapped[Action | None] = relationship()


class LiveAttendance(Base):
    """A person registered for the session in advance, or present in its room while it ran, or both."""

    __tablename__ = "live_attendances"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LiveQuestion(Base):
    """A citizen's question, in advance (for an agenda item) or live. Moderators approve or dismiss it
    (a dismissal keeps its reason); approved questions are public and upvoted; the answer is the
    moderator's live summary or, for questions left unanswered, the organism's written answer."""

    __tablename__ = "live_questions"
    __table_args__ = (
        CheckConstraint("status <> 'dismissed' OR dismissal_reason <> ''", name="dismissal_has_reason"),
        CheckConstraint("status <> 'answered' OR answer <> ''", name="answered_has_answer"),
        CheckConstraint("upvote_count >= 0", name="upvotes_not_negative"),
        Index("ix_live_questions_session_status", "session_id", "status", "upvote_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_agenda_items.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Plain text.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[QuestionStatus] = mapped_column(
        str_enum(QuestionStatus, "question_status"), default=QuestionStatus.PENDING
    )
    # Sent while the session was announced, before it went live.
    in_advance: Mapped[bool] = mapped_column(Boolean, default=False)
    upvote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Plain text.
    dismissal_reason: Mapped[str] = mapped_column(String(DISMISSAL_REASON_MAX), default="")
    # Plain text: the moderator's summary of the answer given live, or the organism's written answer.
    answer: Mapped[str] = mapped_column(Text, default="")
    # True when the answer was written by the organism after the session (it was owed).
    answered_in_writing: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[LiveSession] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class QuestionUpvote(Base):
    """One upvote per person per question: the primary key says so."""

    __tablename__ = "live_question_upvotes"

    question_id: Mapped[int] = mapped_column(ForeignKey("live_questions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LivePoll(Base):
    """A single-choice poll a moderator launches during the session; its results are kept."""

    __tablename__ = "live_polls"
    __table_args__ = (CheckConstraint("vote_count >= 0", name="votes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("live_agenda_items.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(POLL_QUESTION_MAX))
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus, "poll_status"), default=PollStatus.OPEN)
    vote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    options: Mapped[list["LivePollOption"]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="LivePollOption.position"
    )


class LivePollOption(Base):
    __tablename__ = "live_poll_options"
    __table_args__ = (
        UniqueConstraint("poll_id", "position"),
        CheckConstraint("vote_count >= 0", name="votes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("live_polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(POLL_OPTION_MAX))
    vote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    poll: Mapped[LivePoll] = relationship(back_populates="options")


class LivePollVote(Base):
    """One vote per person per poll (the primary key); never shown individually."""

    __tablename__ = "live_poll_votes"

    poll_id: Mapped[int] = mapped_column(ForeignKey("live_polls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("live_poll_options.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Commitment(Base):
    """A promise made during the session (compromiso): text, responsible organism, due date and, if it
    concerns one, a plan action. It is followed through its own action in the responsible organism's
    plan (``tracking_action``), so it gets the same progress updates, follows and evaluations as any
    plan action."""

    __tablename__ = "live_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    # Plain text.
    body: Mapped[str] = mapped_column(Text)
    organism_id: Mapped[int] = mapped_column(ForeignKey("organisms.id", ondelete="RESTRICT"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    # The plan action the promise is about, if any.
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    tracking_action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="RESTRICT"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[LiveSession] = relationship()
    organism: Mapped[Organism] = relationship()
    action: Mapped[Action | None] = relationship(foreign_keys=[action_id])
    tracking_action: Mapped[Action] = relationship(foreign_keys=[tracking_action_id])


class SessionEvaluation(Base):
    """An attendee's evaluation of the session: was the information clear, were the questions answered
    (1 no, 2 in part, 3 yes), how useful it was (1 to 5), and a comment. One per person."""

    __tablename__ = "live_session_evaluations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint(
            "information_clear BETWEEN 1 AND 3 AND questions_answered BETWEEN 1 AND 3 AND usefulness BETWEEN 1 AND 5",
            name="ratings_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    information_clear: Mapped[int] = mapped_column(Integer)
    questions_answered: Mapped[int] = mapped_column(Integer)
    usefulness: Mapped[int] = mapped_column(Integer)
    # Plain text.
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LivePresence(Base):
    """One open socket connection in a session's room, refreshed by its server process every few
    seconds; rows not refreshed for a while belong to a process that died and no longer count."""

    __tablename__ = "live_presences"
    __table_args__ = (Index("ix_live_presences_session_seen", "session_id", "seen_at"),)

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
