"""Administration: the reference data (organisms, territories, target groups, cycles) and people's roles.

Only administrators act here (``permissions.can_manage_reference_data`` / ``can_manage_users``). Names are
plain text, NFC-normalised and trimmed; uniqueness is checked first for a friendly message and enforced
again by the database's unique constraints, whose violation (two admins racing) becomes a Conflict.
"""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from foro import permissions
from foro.errors import Conflict, InvalidInput, NotAllowed
from foro.extensions import db
from foro.models import Cycle, CyclePhase, Organism, OrganismKind, Phase, Role, TargetGroup, Territory, User
from foro.sanitize import is_blank, normalise_plain_text
from foro.services.accounts import grant_role, normalise_email
from foro.services.page_cache import bump_forum_revision

ACRONYM_MAX = 20
ORGANISM_NAME_MAX = 200
TERRITORY_NAME_MAX = 80
TARGET_GROUP_NAME_MAX = 120
CYCLE_NAME_MAX = 80
YEAR_MIN = 2000
YEAR_MAX = 2100
SEARCH_MAX = 100
# Acronyms are part of public URLs (/organismos/<sigla>): unaccented capitals, digits and inner hyphens.
_ACRONYM = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")


def _require_reference_manager(actor: User) -> None:
    if not permissions.can_manage_reference_data(actor):
        raise NotAllowed(_l("Solo las personas administradoras pueden gestionar los datos de referencia."))


def _clean_name(value: str | None, *, limit: int, field: str, missing) -> str:
    name = normalise_plain_text(value or "")
    if is_blank(name):
        raise InvalidInput(missing, field=field)
    if len(name) > limit:
        raise InvalidInput(_l("Este campo admite hasta %(n)s caracteres.", n=limit), field=field)
    return name


def _name_taken(column, name: str, exclude_id: int | None) -> bool:
    """Whether another row already uses ``name``, ignoring case.

    Compared casefolded in Python: SQLite's lower() folds only ASCII and would let «JÓVENES» duplicate
    «Jóvenes». Reference tables hold tens of rows, so reading the column is cheap.
    """
    folded = name.casefold()
    rows = db.session.execute(select(column.class_.id, column))
    return any(row_id != exclude_id and value.casefold() == folded for row_id, value in rows)


def _save(obj, message, field: str | None = None):
    """Flush ``obj`` in a savepoint; a unique-constraint violation (a concurrent twin) becomes Conflict."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        raise Conflict(message, field=field) from None
    return obj


# Organisms ------------------------------------------------------------------------------------------


@dataclass
class OrganismDetails:
    acronym: str
    name: str
    kind: OrganismKind


def _acronym_taken(acronym: str, exclude_id: int | None) -> bool:
    query = select(Organism.id).where(func.upper(Organism.acronym) == acronym)
    if exclude_id is not None:
        query = query.where(Organism.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _apply_organism(organism: Organism, details: OrganismDetails) -> Organism:
    # Stored in capitals, so the database's unique constraint is case-insensitive in effect, races included.
    acronym = normalise_plain_text(details.acronym or "").upper()
    if is_blank(acronym):
        raise InvalidInput(_l("Escribe la sigla del organismo."), field="acronym")
    if len(acronym) > ACRONYM_MAX:
        raise InvalidInput(_l("La sigla admite hasta %(n)s caracteres.", n=ACRONYM_MAX), field="acronym")
    if not _ACRONYM.fullmatch(acronym):
        raise InvalidInput(
            _l("La sigla solo admite letras sin tilde, números y guiones entre ellos (por ejemplo, DAPM)."),
            field="acronym",
        )
    name = _clean_name(
        details.name, limit=ORGANISM_NAME_MAX, field="name", missing=_l("Escribe el nombre del organismo.")
    )
    if _acronym_taken(acronym, organism.id):
        raise Conflict(_l("Ya existe un organismo con la sigla %(acronym)s.", acronym=acronym), field="acronym")
    if _name_taken(Organism.name, name, organism.id):
        raise Conflict(_l("Ya existe un organismo con ese nombre."), field="name")
    organism.acronym = acronym
    organism.name = name
    organism.kind = OrganismKind(details.kind)
    return _save(organism, _l("Ya existe un organismo con esa sigla o ese nombre."))


def create_organism(actor: User, details: OrganismDetails) -> Organism:
    """Add an organism. The acronym is stored in capitals and is unique ignoring case; so is the name.

    Raises NotAllowed, InvalidInput naming the field, or Conflict on a duplicate (also under a race).
    """
    _require_reference_manager(actor)
    return _apply_organism(Organism(), details)


def update_organism(actor: User, organism: Organism, details: OrganismDetails) -> Organism:
    """Change an organism's acronym, name or kind; same rules and errors as ``create_organism``.
    Forum pages name the organism: a rename reaches their cached copies at once."""
    _require_reference_manager(actor)
    organism = _apply_organism(organism, details)
    bump_forum_revision(every_forum=True)
    return organism


# Territories and target groups ----------------------------------------------------------------------


def rename_territory(actor: User, territory: Territory, name: str) -> Territory:
    """Rename a comuna or corregimiento; its kind and number are its identity and never change.

    Names are unique ignoring case so residents never see two places called the same.
    Raises NotAllowed, InvalidInput or Conflict.
    """
    _require_reference_manager(actor)
    name = _clean_name(
        name, limit=TERRITORY_NAME_MAX, field="name", missing=_l("Escribe el nombre de la comuna o corregimiento.")
    )
    if _name_taken(Territory.name, name, territory.id):
        raise Conflict(_l("Ya existe una comuna o un corregimiento con ese nombre."), field="name")
    territory.name = name
    db.session.flush()
    return territory


def _apply_target_group(group: TargetGroup, name: str) -> TargetGroup:
    name = _clean_name(
        name, limit=TARGET_GROUP_NAME_MAX, field="name", missing=_l("Escribe el nombre del grupo de valor.")
    )
    message = _l("Ya existe un grupo de valor con ese nombre.")
    if _name_taken(TargetGroup.name, name, group.id):
        raise Conflict(message, field="name")
    group.name = name
    return _save(group, message, field="name")


def create_target_group(actor: User, name: str) -> TargetGroup:
    """Add a target group (grupo de valor); names are unique ignoring case.

    Raises NotAllowed, InvalidInput or Conflict (also when two admins add the same name at once).
    """
    _require_reference_manager(actor)
    return _apply_target_group(TargetGroup(), name)


def rename_target_group(actor: User, group: TargetGroup, name: str) -> TargetGroup:
    """Rename a target group; same rules and errors as ``create_target_group``."""
    _require_reference_manager(actor)
    return _apply_target_group(group, name)


# Cycles ---------------------------------------------------------------------------------------------


def phase_field(phase: Phase, bound: str) -> str:
    """The form field holding a phase's ``starts_on`` or ``ends_on``: errors name it so forms can show them."""
    return f"{phase.value}_{bound}"


@dataclass
class CycleDetails:
    year: int
    name: str
    # Every phase of the cycle: (first day, last day), both included.
    phases: dict[Phase, tuple[date | None, date | None]]


def _check_phase_dates(year: int, phases: dict[Phase, tuple[date | None, date | None]]) -> None:
    previous: tuple[Phase, date] | None = None
    for phase in Phase:
        starts_on, ends_on = phases.get(phase, (None, None))
        if starts_on is None:
            raise InvalidInput(
                _l("Indica el día en que empieza la fase %(phase)s.", phase=phase.label),
                field=phase_field(phase, "starts_on"),
            )
        if ends_on is None:
            raise InvalidInput(
                _l("Indica el día en que termina la fase %(phase)s.", phase=phase.label),
                field=phase_field(phase, "ends_on"),
            )
        if ends_on < starts_on:
            raise InvalidInput(
                _l("La fase %(phase)s debe terminar el mismo día en que empieza o después.", phase=phase.label),
                field=phase_field(phase, "ends_on"),
            )
        for bound, day in (("starts_on", starts_on), ("ends_on", ends_on)):
            if day.year != year:
                raise InvalidInput(
                    _l(
                        "Las fechas de la fase %(phase)s deben estar dentro del año %(year)s.",
                        phase=phase.label,
                        year=year,
                    ),
                    field=phase_field(phase, bound),
                )
        if previous is not None and starts_on <= previous[1]:
            raise InvalidInput(
                _l(
                    "La fase %(phase)s debe empezar después de que termine la fase %(previous)s.",
                    phase=phase.label,
                    previous=previous[0].label,
                ),
                field=phase_field(phase, "starts_on"),
            )
        previous = (phase, ends_on)


def _apply_cycle(cycle: Cycle, details: CycleDetails) -> Cycle:
    year = details.year
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(
            _l("El año debe estar entre %(first)s y %(last)s.", first=YEAR_MIN, last=YEAR_MAX), field="year"
        )
    name = _clean_name(
        details.name, limit=CYCLE_NAME_MAX, field="name", missing=_l("Escribe el nombre de la vigencia.")
    )
    _check_phase_dates(year, details.phases)
    same_year = select(Cycle.id).where(Cycle.year == year)
    if cycle.id is not None:
        same_year = same_year.where(Cycle.id != cycle.id)
    message = _l("Ya existe la vigencia %(year)s.", year=year)
    if db.session.scalar(same_year.limit(1)) is not None:
        raise Conflict(message, field="year")

    cycle.year = year
    cycle.name = name
    rows = {row.phase: row for row in cycle.phases}
    for phase in Phase:
        row = rows.get(phase)
        if row is None:
            row = CyclePhase(phase=phase)
            cycle.phases.append(row)
        row.starts_on, row.ends_on = details.phases[phase]
    return _save(cycle, message, field="year")


def create_cycle(actor: User, details: CycleDetails) -> Cycle:
    """Add a planning year (vigencia) with the dates of its five phases.

    Rules: one cycle per year; every phase has a first and a last day inside that year, ends on or
    after it starts, and starts after the previous phase ends (in the order of ``Phase``; gaps allowed).
    Raises NotAllowed, InvalidInput naming the offending field, or Conflict when the year exists.
    """
    _require_reference_manager(actor)
    return _apply_cycle(Cycle(), details)


def update_cycle(actor: User, cycle: Cycle, details: CycleDetails) -> Cycle:
    """Change a cycle's year, name or phase dates; same rules and errors as ``create_cycle``."""
    _require_reference_manager(actor)
    return _apply_cycle(cycle, details)


# People and roles -----------------------------------------------------------------------------------


def search_users(term: str = "") -> Select:
    """Accounts whose name or email contains ``term`` (ignoring case; %, _ and \\ match literally).

    Returns a select the caller paginates; the organism comes in the same query (User.organism is joined).
    """
    query = select(User).order_by(User.id)
    term = normalise_plain_text(term or "")
    if term:
        query = query.where(
            or_(
                User.display_name.icontains(term, autoescape=True),
                User.email.contains(normalise_email(term), autoescape=True),
            )
        )
    return query


def set_user_role(actor: User, target: User, role: Role, organism_id: int | None = None) -> User:
    """Give ``target`` a role through ``accounts.grant_role``; the organism counts only for officials.

    Admins cannot change their own role and deleted accounts take none. Re-sending the current role
    changes nothing, so the person is not logged out for no reason.
    Raises NotAllowed, or InvalidInput when an official lacks an existing organism.
    """
    if not permissions.can_manage_users(actor):
        raise NotAllowed(_l("Solo las personas administradoras pueden asignar roles."))
    if target.is_deleted:
        raise NotAllowed(_l("Esta cuenta fue eliminada: no puede recibir roles."))
    if target.id == actor.id:
        raise NotAllowed(_l("No puedes cambiar tu propio rol. Pídeselo a otra persona administradora."))
    organism = None
    if role is Role.OFFICIAL and organism_id is not None:
        organism = db.session.get(Organism, organism_id)
        if organism is None:
            raise InvalidInput(_l("El organismo elegido no existe."), field="organism_id")
    if target.role is role and target.organism_id == (organism.id if organism else None):
        return target
    return grant_role(actor, target, role, organism)
