"""Participation health: how many spaces an organism runs, how deep they go, and what it still owes.

The municipal plan asks organisms to "cerrar el ciclo": a space is not finished until the organism
says publicly what it did with the input. This module counts an organism's published spaces per
phase and per rung of the participation ladder, and lists the closed spaces whose institutional
response is still pending, flagging those past their due date. After a call for proposals it also
lists what the organism owes there: answers to winning and concerted proposals, and answers to the
control-social observations citizens make on its actions.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import joinedload

from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ControlObservation,
    ParticipationLevel,
    Phase,
    Proposal,
    ProposalCall,
    Space,
    SpaceState,
)
from foro.services.business_days import business_days_between
from foro.services.spaces import answer_owed_clause
from foro.timeutil import local_today

# States in which the organism owes its institutional response.
OWING_STATES = (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED)
# The states a public table counts: every state but draft, in lifecycle order.
PUBLIC_STATES = tuple(state for state in SpaceState if state is not SpaceState.DRAFT)


def overdue_condition(today: date) -> ColumnElement[bool]:
    """SQL twin of ``Space.is_overdue``: a space that owes its response and is past the due date."""
    return and_(Space.state.in_(OWING_STATES), Space.response_due_on < today)


@dataclass(frozen=True)
class CountRow:
    """Published spaces of one phase or one participation level, counted per state."""

    key: Phase | ParticipationLevel
    by_state: dict[SpaceState, int]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


@dataclass(frozen=True)
class OwedResponse:
    """A closed space still waiting for its institutional response."""

    space: Space
    closed_on: date
    due_on: date | None
    business_days_elapsed: int
    overdue: bool
    business_days_overdue: int


@dataclass(frozen=True)
class ParticipationHealth:
    states: tuple[SpaceState, ...]
    by_phase: list[CountRow]
    by_level: list[CountRow]
    owed: list[OwedResponse]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.by_phase)

    @property
    def state_totals(self) -> dict[SpaceState, int]:
        return {state: sum(row.by_state[state] for row in self.by_phase) for state in self.states}

    @property
    def finished_count(self) -> int:
        """Spaces that have closed, whether or not they were answered."""
        totals = self.state_totals
        return sum(totals[state] for state in (*OWING_STATES, SpaceState.RESPONSE_GIVEN))

    @property
    def responded_count(self) -> int:
        return self.state_totals[SpaceState.RESPONSE_GIVEN]

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.owed if item.overdue)

    @property
    def deepest_level(self) -> ParticipationLevel | None:
        """The highest rung of the ladder any published space has reached."""
        reached = [row.key for row in self.by_level if row.total]
        return reached[-1] if reached else None


def _count_rows(organism_id: int, column, keys) -> list[CountRow]:
    """Published spaces of the organism per ``column`` value and state: one GROUP BY query, zeros kept."""
    counts = {
        (key, state): number
        for key, state, number in db.session.execute(
            select(column, Space.state, func.count())
            .where(Space.organism_id == organism_id, Space.state != SpaceState.DRAFT)
            .group_by(column, Space.state)
        )
    }
    return [CountRow(key, {state: counts.get((key, state), 0) for state in PUBLIC_STATES}) for key in keys]


def _owed_responses(organism_id: int, today: date) -> list[OwedResponse]:
    spaces = db.session.scalars(select(Space).where(Space.organism_id == organism_id, Space.state.in_(OWING_STATES)))
    owed = []
    for space in spaces:
        # closed_at is set by the lifecycle; rows imported in a closed state fall back on the schedule.
        closed_on = local_today(space.closed_at or space.closes_at)
        overdue = space.is_overdue(today)
        owed.append(
            OwedResponse(
                space=space,
                closed_on=closed_on,
                due_on=space.response_due_on,
                business_days_elapsed=max(0, business_days_between(closed_on, today)),
                overdue=overdue,
                business_days_overdue=business_days_between(space.response_due_on, today) if overdue else 0,
            )
        )
    # Overdue first, the longest overdue on top; then the ones whose deadline comes soonest.
    owed.sort(key=lambda item: (not item.overdue, item.due_on or date.max, item.space.id))
    return owed


def participation_health(organism_id: int, today: date) -> ParticipationHealth:
    """The organism's published spaces per phase and per participation level (every phase and every
    rung of the ladder, zeros included, so shallow participation shows), and its owed responses.

    Drafts are not counted: this is a public page. Runs three queries whatever the amount of data.
    """
    return ParticipationHealth(
        states=PUBLIC_STATES,
        by_phase=_count_rows(organism_id, Space.phase, list(Phase)),
        by_level=_count_rows(organism_id, Space.participation_level, list(ParticipationLevel)),
        owed=_owed_responses(organism_id, today),
    )


@dataclass(frozen=True)
class OwedAnswers:
    """A call whose results are out and whose winning or concerted proposals still wait for an answer."""

    space: Space
    count: int


@dataclass(frozen=True)
class OwedFollowUp:
    """What the organism owes after the vote: answers to proposals, and answers to control observations."""

    answers: list[OwedAnswers]
    observations: list[ControlObservation]

    @property
    def answers_count(self) -> int:
        return sum(item.count for item in self.answers)


def owed_follow_up(organism_id: int) -> OwedFollowUp:
    """Per call of the organism with published results, how many winning or concerted proposals are
    unanswered; and the control observations on its actions still without answer, oldest first.
    Two queries whatever the amount of data."""
    counts = db.session.execute(
        select(Space, func.count(Proposal.id))
        .join(ProposalCall, ProposalCall.space_id == Space.id)
        .join(Proposal, Proposal.call_id == ProposalCall.id)
        .where(
            Space.organism_id == organism_id,
            Space.state.in_((SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN)),
            answer_owed_clause(),
        )
        .group_by(Space.id)
        .order_by(Space.closes_at, Space.id)
    )
    observations = db.session.scalars(
        select(ControlObservation)
        .join(Action, Action.id == ControlObservation.action_id)
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .where(ActionPlan.organism_id == organism_id, ControlObservation.answered_at.is_(None))
        .options(joinedload(ControlObservation.action))
        .order_by(ControlObservation.created_at, ControlObservation.id)
    )
    return OwedFollowUp(
        answers=[OwedAnswers(space=space, count=count) for space, count in counts],
        observations=list(observations),
    )
