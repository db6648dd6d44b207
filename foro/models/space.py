"""The participation space: the envelope every exercise (forum, survey, ...) plugs its content into."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import ParticipationLevel, Phase, SpaceKind, SpaceState
from foro.models.planning import Action, Cycle
from foro.models.reference import Organism, TargetGroup, Territory
from foro.models.user import User

space_territories = Table(
    "space_territories",
    Base.metadata,
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True, index=True),
)

space_target_groups = Table(
    "space_target_groups",
    Base.metadata,
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_groups.id", ondelete="CASCADE"), primary_key=True),
)

space_moderators = Table(
    "space_moderators",
    Base.metadata,
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The institutional response names the plan actions that took the space's input up ("cerrar el ciclo").
space_response_actions = Table(
    "space_response_actions",
    Base.metadata,
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Space(Base):
    """A participation exercise of one organism, in one phase, with a public schedule and lifecycle.

    Capabilities attach their own content in tables that point here by ``space_id`` and are
    dispatched by ``kind``; the envelope owns the schedule, the state and the institutional response.
    """

    __tablename__ = "spaces"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="dates_in_order"),
        CheckConstraint("response_business_days BETWEEN 1 AND 120", name="response_days_range"),
        # The home page's sections and the overdue count each read one state in one order.
        Index("ix_spaces_state_closes_at", "state", "closes_at"),
        Index("ix_spaces_state_opens_at", "state", "opens_at"),
        Index("ix_spaces_state_response_given_at", "state", "response_given_at"),
        Index("ix_spaces_state_response_due_on", "state", "response_due_on"),
        Index("ix_spaces_opens_at", "opens_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SpaceKind] = mapped_column(str_enum(SpaceKind, "space_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # Sanitised HTML (foro.sanitize).
    description: Mapped[str] = mapped_column(Text, default="")
    organism_id: Mapped[int] = mapped_column(ForeignKey("organisms.id", ondelete="RESTRICT"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    participation_level: Mapped[ParticipationLevel] = mapped_column(
        str_enum(ParticipationLevel, "participation_level")
    )
    state: Mapped[SpaceState] = mapped_column(str_enum(SpaceState, "space_state"), default=SpaceState.DRAFT)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    response_business_days: Mapped[int] = mapped_column(Integer, default=15)
    # Set when the space closes: the day by which the organism owes its institutional response.
    response_due_on: Mapped[date | None] = mapped_column(Date)
    # Sanitised HTML: what the organism did with the input ("cerrar el ciclo").
    institutional_response: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organism: Mapped[Organism] = relationship()
    cycle: Mapped[Cycle] = relationship()
    action: Mapped[Action | None] = relationship()
    territories: Mapped[list[Territory]] = relationship(
        secondary=space_territories, order_by=lambda: (Territory.kind, Territory.number)
    )
    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=space_target_groups, order_by=lambda: TargetGroup.name
    )
    moderators: Mapped[list[User]] = relationship(secondary=space_moderators, order_by=lambda: User.id)
    response_actions: Mapped[list[Action]] = relationship(
        secondary=space_response_actions, order_by=lambda: Action.id
    )
    transitions: Mapped[list["SpaceTransition"]] = relationship(
        back_populates="space", cascade="all, delete-orphan", order_by="SpaceTransition.id"
    )

    def is_overdue(self, today: date) -> bool:
        return (
            self.state in (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED)
            and self.response_due_on is not None
            and today > self.response_due_on
        )


class SpaceTransition(Base):
    """Append-only history of a space's state changes: who moved it, from where to where, and when."""

    __tablename__ = "space_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[SpaceState] = mapped_column(str_enum(SpaceState, "from_state"))
    to_state: Mapped[SpaceState] = mapped_column(str_enum(SpaceState, "to_state"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()
