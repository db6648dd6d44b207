"""Action plans: each organism's plan for a cycle (vigencia) and its actions, written by its own staff.

The plan row is not created by hand: it appears with the organism's first action for the cycle.
Text fields are plain text (shown autoescaped); numbers keep the precision of their columns.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from foro import permissions
from foro.errors import InvalidInput, NotAllowed
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    Cycle,
    Organism,
    Phase,
    Procedure,
    TargetGroup,
    Territory,
    User,
)
from foro.sanitize import is_blank, normalise_plain_text
from foro.services.common import rows_by_id
from foro.timeutil import local_today, now_utc


@dataclass(frozen=True)
class TextRule:
    """How one plain-text field of an action is checked; the form builds its validators from it too."""

    max_length: int
    required_message: object
    too_long_message: object
    multiline: bool = False


TITLE_MAX = 200
OBJECTIVE_MAX = 4000
GOAL_MAX = 2000
INDICATOR_NAME_MAX = 200
INDICATOR_UNIT_MAX = 60
RESPONSIBLE_OFFICE_MAX = 200

TEXT_RULES = {
    "title": TextRule(
        TITLE_MAX,
        _l("Escribe el título de la acción."),
        _l("El título admite hasta %(n)s caracteres.", n=TITLE_MAX),
    ),
    "objective": TextRule(
        OBJECTIVE_MAX,
        _l("Escribe el objetivo de la acción."),
        _l("El objetivo admite hasta %(n)s caracteres.", n=OBJECTIVE_MAX),
        multiline=True,
    ),
    "goal": TextRule(
        GOAL_MAX,
        _l("Escribe la meta de la acción."),
        _l("La meta admite hasta %(n)s caracteres.", n=GOAL_MAX),
        multiline=True,
    ),
    "indicator_name": TextRule(
        INDICATOR_NAME_MAX,
        _l("Escribe el nombre del indicador."),
        _l("El nombre del indicador admite hasta %(n)s caracteres.", n=INDICATOR_NAME_MAX),
    ),
    "indicator_unit": TextRule(
        INDICATOR_UNIT_MAX,
        _l("Escribe la unidad de medida del indicador (por ejemplo: personas, talleres, porcentaje)."),
        _l("La unidad de medida admite hasta %(n)s caracteres.", n=INDICATOR_UNIT_MAX),
    ),
    "responsible_office": TextRule(
        RESPONSIBLE_OFFICE_MAX,
        _l("Escribe la dependencia responsable."),
        _l("La dependencia responsable admite hasta %(n)s caracteres.", n=RESPONSIBLE_OFFICE_MAX),
    ),
}

# Numeric(14, 2): twelve digits before the decimal point, two after.
INDICATOR_LIMIT = Decimal("999999999999.99")
# One action's budget in Colombian pesos: well above any real participation action, well inside Numeric(16, 2).
BUDGET_MAX = Decimal("1000000000000")
_CENTS = Decimal("0.01")


@dataclass
class ActionDetails:
    """The editable content of an action, as plain values (from a form, the CLI or a test).

    It names no plan and no organism on purpose: those come from the URL and the actor, never from input.
    """

    procedure: Procedure
    title: str
    objective: str
    goal: str
    indicator_name: str
    indicator_unit: str
    indicator_target: Decimal
    responsible_office: str
    phase: Phase
    indicator_baseline: Decimal = Decimal(0)
    indicator_current: Decimal | None = None
    indicator_measured_on: date | None = None
    budget: Decimal = Decimal(0)
    starts_on: date | None = None
    ends_on: date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    territory_ids: list[int] = field(default_factory=list)
    target_group_ids: list[int] = field(default_factory=list)


@dataclass
class ProcedureGroup:
    """The actions of one procedure, with the totals shown under it."""

    procedure: Procedure
    actions: list[Action]

    @property
    def budget(self) -> Decimal:
        return sum((action.budget for action in self.actions), Decimal(0))


def group_by_procedure(actions: list[Action]) -> list[ProcedureGroup]:
    """The three procedures, always in the same order and all present, each with its actions."""
    return [ProcedureGroup(procedure, [a for a in actions if a.procedure is procedure]) for procedure in Procedure]


def plan_actions(plan_id: int) -> list[Action]:
    """A plan's actions with their territories loaded, in two queries whatever their number."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.plan_id == plan_id)
            .options(selectinload(Action.territories))
            .order_by(Action.id)
        )
    )


def _clean_text(name: str, value: str | None) -> str:
    rule = TEXT_RULES[name]
    text = normalise_plain_text(value or "")
    if rule.multiline:
        text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    else:
        # A one-line field never keeps line breaks or runs of spaces, whatever a crafted request sends.
        text = " ".join(text.split())
    if is_blank(text):
        raise InvalidInput(rule.required_message, field=name)
    if len(text) > rule.max_length:
        raise InvalidInput(rule.too_long_message, field=name)
    return text


def _check_finite(value, name: str, label) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput(_l("%(label)s debe ser un número.", label=label), field=name)


def _check_indicator_value(value: Decimal, name: str, label) -> Decimal:
    _check_finite(value, name, label)
    if abs(value) > INDICATOR_LIMIT:
        raise InvalidInput(
            _l("%(label)s debe estar entre -999.999.999.999,99 y 999.999.999.999,99.", label=label), field=name
        )
    if value != value.quantize(_CENTS):
        raise InvalidInput(_l("%(label)s admite como máximo dos decimales.", label=label), field=name)
    return value


def _check_budget(value: Decimal) -> Decimal:
    _check_finite(value, "budget", _l("El presupuesto"))
    if value < 0:
        raise InvalidInput(_l("El presupuesto no puede ser negativo."), field="budget")
    if value > BUDGET_MAX:
        raise InvalidInput(
            _l("El presupuesto de una acción no puede superar un billón de pesos ($ 1.000.000.000.000)."),
            field="budget",
        )
    if value != value.to_integral_value():
        raise InvalidInput(_l("El presupuesto se escribe en pesos enteros, sin centavos."), field="budget")
    return value


def _enum_member(enum_cls, value, name: str, message):
    try:
        return enum_cls(value)
    except ValueError:
        raise InvalidInput(message, field=name) from None


def _apply_details(action: Action, details: ActionDetails) -> None:
    """Validate every field first, then write them all: an error leaves ``action`` untouched."""
    texts = {name: _clean_text(name, getattr(details, name)) for name in TEXT_RULES}
    procedure = _enum_member(Procedure, details.procedure, "procedure", _l("Elige uno de los tres procedimientos."))
    phase = _enum_member(Phase, details.phase, "phase", _l("Elige una fase del ciclo."))
    status = _enum_member(ActionStatus, details.status, "status", _l("Elige un estado de la lista."))

    baseline = _check_indicator_value(details.indicator_baseline, "indicator_baseline", _l("La línea base"))
    target = _check_indicator_value(details.indicator_target, "indicator_target", _l("La meta del indicador"))
    current = details.indicator_current
    measured_on = details.indicator_measured_on
    if current is not None:
        current = _check_indicator_value(current, "indicator_current", _l("El valor actual"))
        if measured_on is None:
            raise InvalidInput(_l("Indica la fecha en que se midió el valor actual."), field="indicator_measured_on")
    elif measured_on is not None:
        raise InvalidInput(
            _l("Escribe el valor actual medido o deja vacía la fecha de medición."), field="indicator_current"
        )
    if measured_on is not None and measured_on > local_today():
        raise InvalidInput(_l("La fecha de medición no puede ser posterior a hoy."), field="indicator_measured_on")
    budget = _check_budget(details.budget)
    if details.starts_on and details.ends_on and details.ends_on < details.starts_on:
        raise InvalidInput(_l("La fecha de finalización no puede ser anterior a la fecha de inicio."), field="ends_on")
    territories = rows_by_id(
        Territory, details.territory_ids, _l("Alguna de las comunas o corregimientos no existe."), "territory_ids"
    )
    groups = rows_by_id(
        TargetGroup, details.target_group_ids, _l("Alguno de los grupos de valor no existe."), "target_group_ids"
    )

    for name, text in texts.items():
        setattr(action, name, text)
    action.procedure = procedure
    action.phase = phase
    action.status = status
    action.indicator_baseline = baseline
    action.indicator_target = target
    action.indicator_current = current
    action.indicator_measured_on = measured_on
    action.budget = budget
    action.starts_on = details.starts_on
    action.ends_on = details.ends_on
    action.territories = territories
    action.target_groups = groups


def _plan_for(organism: Organism, cycle: Cycle) -> ActionPlan:
    """The organism's plan for the cycle, created with its first action.

    Two first actions may race to create it: the unique (organism, cycle) constraint lets one insert
    win; the other rolls back to its savepoint and reads the winner's row.
    """
    query = select(ActionPlan).where(ActionPlan.organism_id == organism.id, ActionPlan.cycle_id == cycle.id)
    plan = db.session.scalar(query)
    if plan is not None:
        return plan
    try:
        with db.session.begin_nested():
            plan = ActionPlan(organism=organism, cycle=cycle)
            db.session.add(plan)
    except IntegrityError:
        return db.session.scalars(query).one()
    return plan


def create_action(actor: User, organism: Organism, cycle: Cycle, details: ActionDetails) -> Action:
    """Add an action to ``organism``'s plan for ``cycle``, creating the plan if it has none yet.

    Only the organism's officials and admins may. Raises NotAllowed, or InvalidInput naming the field;
    in both cases nothing is added (the plan included).
    """
    if not permissions.can_edit_plan(actor, organism.id):
        raise NotAllowed(_l("Solo el personal del organismo puede agregar acciones a su plan de acción."))
    return add_action_to_plan(organism, cycle, details)


def add_action_to_plan(organism: Organism, cycle: Cycle, details: ActionDetails) -> Action:
    """Add an action to ``organism``'s plan for ``cycle`` (the plan created if missing), with no permission
    check: for capabilities that decided on their own who may (a live session's commitment becomes a
    tracking action of the responsible organism). Raises InvalidInput naming the field; nothing is added then.
    """
    action = Action()
    _apply_details(action, details)
    action.plan = _plan_for(organism, cycle)
    db.session.add(action)
    db.session.flush()
    return action


def update_action(actor: User, action: Action, details: ActionDetails) -> Action:
    """Edit an action; its plan (and so its organism and cycle) never changes.

    Only the officials of the plan's organism and admins may. Raises NotAllowed or InvalidInput.
    """
    if not permissions.can_edit_plan(actor, action.plan.organism_id):
        raise NotAllowed(_l("Solo el personal del organismo puede editar las acciones de su plan."))
    _apply_details(action, details)
    # Territories and groups live in other tables: stamp the change even when only they moved.
    action.updated_at = now_utc()
    db.session.flush()
    return action
