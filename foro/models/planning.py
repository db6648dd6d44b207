"""Planning cycles (vigencias), their phases, and each organism's action plan."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import ActionStatus, Phase, Procedure
from foro.models.reference import Organism, TargetGroup, Territory


class Cycle(Base):
    """A planning year (vigencia) and the dates of its phases."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(80))

    phases: Mapped[list["CyclePhase"]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CyclePhase.starts_on"
    )

    def phase_on(self, day: date) -> Phase | None:
        for cycle_phase in self.phases:
            if cycle_phase.starts_on <= day <= cycle_phase.ends_on:
                return cycle_phase.phase
        return None


class CyclePhase(Base):
    __tablename__ = "cycle_phases"
    __table_args__ = (
        UniqueConstraint("cycle_id", "phase"),
        CheckConstraint("ends_on >= starts_on", name="phase_dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    cycle: Mapped[Cycle] = relationship(back_populates="phases")


class ActionPlan(Base):
    """One organism's action plan for one cycle."""

    __tablename__ = "action_plans"
    __table_args__ = (UniqueConstraint("organism_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organism_id: Mapped[int] = mapped_column(ForeignKey("organisms.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organism: Mapped[Organism] = relationship()
    cycle: Mapped[Cycle] = relationship()
    actions: Mapped[list["Action"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Action.id"
    )


action_territories = Table(
    "action_territories",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True, index=True),
)

action_target_groups = Table(
    "action_target_groups",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_groups.id", ondelete="CASCADE"), primary_key=True),
)


class Action(Base):
    """A line of an action plan, with its indicator measured in its own unit, not only a percentage."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"), index=True)
    procedure: Mapped[Procedure] = mapped_column(str_enum(Procedure, "procedure"))
    title: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text)
    goal: Mapped[str] = mapped_column(Text)
    indicator_name: Mapped[str] = mapped_column(String(200))
    indicator_unit: Mapped[str] = mapped_column(String(60))
    indicator_baseline: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    indicator_target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    indicator_current: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    indicator_measured_on: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal(0))
    responsible_office: Mapped[str] = mapped_column(String(200))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.PLANNED
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="actions")
    territories: Mapped[list[Territory]] = relationship(
        secondary=action_territories, order_by=lambda: (Territory.kind, Territory.number)
    )
    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=action_target_groups, order_by=lambda: TargetGroup.name
    )

    @property
    def progress_ratio(self) -> float | None:
        """Share of the way from baseline to target the current value has covered, 0..1."""
        if self.indicator_current is None or self.indicator_target == self.indicator_baseline:
            return None
        ratio = (self.indicator_current - self.indicator_baseline) / (
            self.indicator_target - self.indicator_baseline
        )
        return float(max(Decimal(0), min(Decimal(1), ratio)))
