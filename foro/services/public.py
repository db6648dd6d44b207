"""Read queries behind the public pages: the home page, organisms and territories.

Every list loads what its template shows through eager loads or GROUP BY aggregates, so a page runs
the same number of SQL statements whatever the amount of data. Drafts never appear here, except in
``organism_spaces`` when the caller says the person may see them.
"""

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    Cycle,
    CyclePhase,
    Organism,
    OrganismKind,
    Procedure,
    Space,
    SpaceState,
    Territory,
    TerritoryKind,
)
from foro.models.planning import action_territories
from foro.models.space import space_territories
from foro.sanitize import clean_user_html
from foro.security import MAX_ID
from foro.services.health import overdue_condition
from foro.timeutil import local_today

HOME_SECTION_LIMIT = 6
CLOSING_SOON = timedelta(days=7)
EXCERPT_LENGTH = 220

_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def _space_cards():
    """Spaces with what ``macros/spaces.html``'s space_card shows: organism and territories."""
    return select(Space).options(joinedload(Space.organism), selectinload(Space.territories))


def plain_excerpt(user_html: str, length: int = EXCERPT_LENGTH) -> str:
    """The text of stored user HTML, tags removed, cut at a word boundary to about ``length`` characters.

    The result is plain text, for autoescaping: never mark it safe.
    """
    # Cleaning first guarantees well-formed tags and escaped "<" in the text, so a regex can drop tags.
    text = html.unescape(_TAG.sub(" ", clean_user_html(user_html or "")))
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] or text[:length]
    return cut.rstrip(" ,.;:") + "…"


@dataclass(frozen=True)
class ResponseSummary:
    space: Space
    excerpt: str


@dataclass(frozen=True)
class HomeSections:
    open_now: list[Space]
    closing_soon: list[Space]
    upcoming: list[Space]
    latest_responses: list[ResponseSummary]
    overdue_count: int


def home_sections(now: datetime, limit: int = HOME_SECTION_LIMIT) -> HomeSections:
    """What the home page lists, each section cut to ``limit`` spaces.

    Open spaces closing soonest first; those of them closing within seven days; announced spaces
    opening soonest first; the newest institutional responses; and how many responses are overdue.
    """
    open_now = _space_cards().where(Space.state == SpaceState.OPEN).order_by(Space.closes_at, Space.id)
    closing_soon = open_now.where(Space.closes_at >= now, Space.closes_at <= now + CLOSING_SOON)
    upcoming = _space_cards().where(Space.state == SpaceState.ANNOUNCED).order_by(Space.opens_at, Space.id)
    responses = (
        _space_cards()
        .where(Space.state == SpaceState.RESPONSE_GIVEN)
        .order_by(Space.response_given_at.desc(), Space.id.desc())
    )
    return HomeSections(
        open_now=list(db.session.scalars(open_now.limit(limit))),
        closing_soon=list(db.session.scalars(closing_soon.limit(limit))),
        upcoming=list(db.session.scalars(upcoming.limit(limit))),
        latest_responses=[
            ResponseSummary(space, plain_excerpt(space.institutional_response))
            for space in db.session.scalars(responses.limit(limit))
        ],
        overdue_count=db.session.scalar(
            select(func.count()).select_from(Space).where(overdue_condition(local_today(now)))
        ),
    )


@dataclass(frozen=True)
class SpaceGroup:
    spaces: list[Space]
    # How many there are in all: the page shows the first ones and links to the calendar for the rest.
    total: int


@dataclass(frozen=True)
class SpaceGroups:
    """One organism's or territory's spaces, split the way a resident looks for them."""

    current: SpaceGroup
    finished: SpaceGroup
    drafts: SpaceGroup


CURRENT, FINISHED, DRAFTS = 0, 1, 2
# Each group shows a bounded number of cards, so the page costs the same after years of history.
GROUP_LIMITS = {CURRENT: 24, FINISHED: 12, DRAFTS: 24}


def _grouped_spaces(where) -> SpaceGroups:
    """Open spaces (closing soonest first), then announced ones (opening soonest first); the finished
    ones, most recently closed first; drafts apart. One windowed query numbers the rows of each group
    and counts them; only the first ``GROUP_LIMITS`` of each are loaded."""
    group = case(
        (Space.state.in_([SpaceState.OPEN, SpaceState.ANNOUNCED]), CURRENT),
        (Space.state == SpaceState.DRAFT, DRAFTS),
        else_=FINISHED,
    )
    # Within one group only one of these keys varies; the others are NULL for every row of the group.
    finished_key = case((group == FINISHED, Space.closes_at)).desc()
    current_key = case(
        (Space.state == SpaceState.OPEN, Space.closes_at),
        (Space.state == SpaceState.ANNOUNCED, Space.opens_at),
        (Space.state == SpaceState.DRAFT, Space.opens_at),
    )
    state_rank = case((Space.state == SpaceState.OPEN, 0), else_=1)
    window = {"partition_by": group, "order_by": (finished_key, state_rank, current_key, Space.id)}
    numbered = (
        select(
            Space.id.label("space_id"),
            group.label("grp"),
            func.row_number().over(**window).label("position"),
            func.count().over(partition_by=group).label("total"),
        )
        .where(*where)
        .subquery()
    )
    limit = case(*((numbered.c.grp == key, value) for key, value in GROUP_LIMITS.items()))
    rows = db.session.execute(
        _space_cards()
        .add_columns(numbered.c.grp, numbered.c.total)
        .join(numbered, numbered.c.space_id == Space.id)
        .where(numbered.c.position <= limit)
        .order_by(numbered.c.grp, numbered.c.position)
    ).all()
    spaces: dict[int, list[Space]] = {key: [] for key in GROUP_LIMITS}
    totals = dict.fromkeys(GROUP_LIMITS, 0)
    for space, key, total in rows:
        spaces[key].append(space)
        totals[key] = total
    return SpaceGroups(*(SpaceGroup(spaces[key], totals[key]) for key in (CURRENT, FINISHED, DRAFTS)))


def current_cycle(today: date) -> Cycle | None:
    """The cycle (vigencia) one of whose phases contains ``today``, else the latest one."""
    contains_today = exists().where(
        CyclePhase.cycle_id == Cycle.id, CyclePhase.starts_on <= today, CyclePhase.ends_on >= today
    )
    return db.session.scalar(select(Cycle).order_by(case((contains_today, 0), else_=1), Cycle.year.desc()).limit(1))


@dataclass(frozen=True)
class OrganismSummary:
    organism: Organism
    space_count: int
    overdue_count: int


def organisms_by_kind(today: date) -> list[tuple[OrganismKind, list[OrganismSummary]]]:
    """Every organism, grouped by kind in the enum's order, with its published spaces and overdue
    responses counted by one aggregate query."""
    organisms = db.session.scalars(select(Organism).order_by(Organism.name))
    counts = {
        organism_id: (spaces, overdue)
        for organism_id, spaces, overdue in db.session.execute(
            select(
                Space.organism_id,
                func.count(),
                func.coalesce(func.sum(case((overdue_condition(today), 1), else_=0)), 0),
            )
            .where(Space.state != SpaceState.DRAFT)
            .group_by(Space.organism_id)
        )
    }
    by_kind: dict[OrganismKind, list[OrganismSummary]] = {kind: [] for kind in OrganismKind}
    for organism in organisms:
        spaces, overdue = counts.get(organism.id, (0, 0))
        by_kind[organism.kind].append(OrganismSummary(organism, spaces, overdue))
    return [(kind, summaries) for kind, summaries in by_kind.items() if summaries]


def organism_by_acronym(acronym: str) -> Organism | None:
    """The organism with exactly this acronym; None for anything that cannot be one (too long, NUL)."""
    if len(acronym) > Organism.acronym.type.length or "\x00" in acronym:
        return None
    return db.session.scalar(select(Organism).where(Organism.acronym == acronym))


def organism_plan(organism_id: int, cycle_id: int) -> ActionPlan | None:
    """The organism's plan for the cycle; None until its first action is written."""
    return db.session.scalar(
        select(ActionPlan).where(ActionPlan.organism_id == organism_id, ActionPlan.cycle_id == cycle_id)
    )


def organism_spaces(organism_id: int, *, include_drafts: bool) -> SpaceGroups:
    """The organism's spaces; drafts only when the caller checked ``permissions.can_see_drafts_of``."""
    where = [Space.organism_id == organism_id]
    if not include_drafts:
        where.append(Space.state != SpaceState.DRAFT)
    return _grouped_spaces(where)


@dataclass(frozen=True)
class TerritorySummary:
    territory: Territory
    space_count: int
    action_count: int


def territories_overview(cycle: Cycle | None) -> list[tuple[TerritoryKind, list[TerritorySummary]]]:
    """Comunas, then corregimientos, each with its published spaces and the actions of ``cycle``
    that concern it, counted by aggregate queries."""
    territories = db.session.scalars(select(Territory).order_by(Territory.kind, Territory.number))
    space_counts = dict(
        db.session.execute(
            select(space_territories.c.territory_id, func.count())
            .join(Space, Space.id == space_territories.c.space_id)
            .where(Space.state != SpaceState.DRAFT)
            .group_by(space_territories.c.territory_id)
        ).all()
    )
    action_counts = {}
    if cycle is not None:
        action_counts = dict(
            db.session.execute(
                select(action_territories.c.territory_id, func.count())
                .join(Action, Action.id == action_territories.c.action_id)
                .join(ActionPlan, ActionPlan.id == Action.plan_id)
                .where(ActionPlan.cycle_id == cycle.id)
                .group_by(action_territories.c.territory_id)
            ).all()
        )
    by_kind: dict[TerritoryKind, list[TerritorySummary]] = {kind: [] for kind in TerritoryKind}
    for territory in territories:
        by_kind[territory.kind].append(
            TerritorySummary(territory, space_counts.get(territory.id, 0), action_counts.get(territory.id, 0))
        )
    return [(kind, summaries) for kind, summaries in by_kind.items() if summaries]


def territory_by_kind_number(kind: str, number: int) -> Territory | None:
    """The comuna or corregimiento of the URL; None for an unknown kind or number."""
    if kind not in {k.value for k in TerritoryKind} or not 0 <= number <= MAX_ID:
        return None
    return db.session.scalar(select(Territory).where(Territory.kind == TerritoryKind(kind), Territory.number == number))


def territory_spaces(territory_id: int) -> SpaceGroups:
    """Published spaces that concern the territory."""
    return _grouped_spaces([Space.state != SpaceState.DRAFT, Space.territories.any(Territory.id == territory_id)])


@dataclass(frozen=True)
class OrganismActions:
    organism: Organism
    actions: list[Action]


def territory_actions(territory_id: int, cycle: Cycle) -> list[OrganismActions]:
    """The actions of ``cycle``'s plans that concern the territory, grouped by organism (by name)."""
    actions = db.session.scalars(
        select(Action)
        .join(Action.plan)
        .join(ActionPlan.organism)
        .where(ActionPlan.cycle_id == cycle.id, Action.territories.any(Territory.id == territory_id))
        .options(contains_eager(Action.plan).contains_eager(ActionPlan.organism))
        .order_by(Organism.name, Organism.id, Action.id)
    )
    procedures = list(Procedure)
    return [
        OrganismActions(organism, sorted(group, key=lambda action: (procedures.index(action.procedure), action.id)))
        for organism, group in groupby(actions, key=lambda action: action.plan.organism)
    ]
