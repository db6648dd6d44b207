"""Views of the plans capability: each organism's action plan per cycle, its actions and their forms."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.blueprints.lookups import organism_or_404
from foro.blueprints.plans import bp
from foro.blueprints.plans.forms import ActionForm
from foro.errors import DomainError
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import Action, ActionPlan, Cycle, Space, SpaceState, TargetGroup, Territory
from foro.models.space import space_response_actions
from foro.security import MAX_ID
from foro.services import followup, plans
from foro.services.traceability import action_origin
from foro.timeutil import local_today

# Any template (the organism page too) can group a list of actions: {% for group in actions|by_procedure %}.
bp.add_app_template_filter(plans.group_by_procedure, "by_procedure")


def _cycle_or_404(year: int) -> Cycle:
    # <int:year> takes any number of digits; past an integer column's range no cycle can match.
    if year > MAX_ID:
        abort(404)
    return db.first_or_404(select(Cycle).where(Cycle.year == year))


@bp.get("/organismos/<acronym>/plan/<int:year>")
def show(acronym: str, year: int):
    organism = organism_or_404(acronym)
    cycle = _cycle_or_404(year)
    plan = db.session.scalar(
        select(ActionPlan).where(ActionPlan.organism_id == organism.id, ActionPlan.cycle_id == cycle.id)
    )
    can_edit = permissions.can_edit_plan(current_user, organism.id)
    # A plan appears with its first action; until then only the organism's staff see the page, inviting them.
    if plan is None and not can_edit:
        abort(404)
    other_years = list(
        db.session.scalars(
            select(Cycle.year)
            .join(ActionPlan, ActionPlan.cycle_id == Cycle.id)
            .where(ActionPlan.organism_id == organism.id, Cycle.id != cycle.id)
            .order_by(Cycle.year.desc())
        )
    )
    return render_template(
        "plans/show.html",
        organism=organism,
        cycle=cycle,
        plan=plan,
        actions=plans.plan_actions(plan.id) if plan else [],
        can_edit=can_edit,
        other_years=other_years,
    )


@bp.get("/acciones/<id:action_id>")
def action(action_id: int):
    """The action with its official report beside the citizens' evaluations, the progress timeline, the
    control-social observations and their answers. Its number of queries does not grow with any of them."""
    action = db.first_or_404(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.plan).joinedload(ActionPlan.organism),
            # The cycle's phases decide whether the action may be evaluated yet.
            joinedload(Action.plan).joinedload(ActionPlan.cycle).selectinload(Cycle.phases),
            selectinload(Action.territories),
            selectinload(Action.target_groups),
        )
    )
    organism = action.plan.organism
    spaces_query = (
        select(Space)
        .where(Space.action_id == action.id)
        .options(joinedload(Space.organism), selectinload(Space.territories))
        .order_by(Space.opens_at, Space.id)
    )
    if not permissions.can_see_drafts_of(current_user, organism.id):
        spaces_query = spaces_query.where(Space.state != SpaceState.DRAFT)
    # Spaces whose institutional response names this action: the traceability chain, read backwards.
    # Only a given response names actions, so none of them is a draft.
    responding_query = (
        select(Space)
        .join(space_response_actions, space_response_actions.c.space_id == Space.id)
        .where(space_response_actions.c.action_id == action.id)
        .options(joinedload(Space.organism), selectinload(Space.territories))
        .order_by(Space.response_given_at, Space.id)
    )
    today = local_today()
    can_evaluate = permissions.can_evaluate_action(current_user, action, today)
    updates = followup.progress_updates(action)
    observations = followup.observations(action)
    return render_template(
        "plans/action.html",
        action=action,
        origin=action_origin(action),
        plan=action.plan,
        organism=organism,
        cycle=action.plan.cycle,
        spaces=list(db.session.scalars(spaces_query)),
        responding_spaces=list(db.session.scalars(responding_query)),
        can_edit=permissions.can_edit_plan(current_user, organism.id),
        today=today,
        updates=updates,
        latest_update=updates[0] if updates else None,
        evaluations=followup.evaluation_summary(action),
        evaluation_comments=followup.evaluation_comments(action),
        min_territory_cell=followup.MIN_TERRITORY_CELL,
        observations=observations,
        owed_observations=sum(1 for observation in observations if observation.answered_at is None),
        following=followup.is_following(current_user, action),
        can_evaluate=can_evaluate,
        own_evaluation=followup.own_evaluation(current_user, action) if can_evaluate else None,
    )


def _action_form(**initial) -> ActionForm:
    form = ActionForm(**initial)
    form.set_choices(
        list(db.session.scalars(select(Territory))),
        list(db.session.scalars(select(TargetGroup).order_by(TargetGroup.name))),
    )
    return form


def _form_page(form: ActionForm, save, success_message: str, **context):
    """GET shows the form; a valid POST saves through ``save`` (a service call) and goes to the action."""
    status = 200
    if form.validate_on_submit():
        try:
            saved = save(form.details())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = error.status_code
        else:
            action_id = saved.id
            db.session.commit()
            flash(success_message, "success")
            return redirect(url_for(".action", action_id=action_id))
    elif form.is_submitted():
        status = 400
    return render_template("plans/action_form.html", form=form, **context), status


@bp.route("/organismos/<acronym>/plan/<int:year>/acciones/nueva", methods=["GET", "POST"])
@login_required
def action_new(acronym: str, year: int):
    organism = organism_or_404(acronym)
    cycle = _cycle_or_404(year)
    if not permissions.can_edit_plan(current_user, organism.id):
        abort(403)
    return _form_page(
        _action_form(),
        lambda details: plans.create_action(current_user, organism, cycle, details),
        _("La acción quedó registrada en el plan de acción."),
        organism=organism,
        cycle=cycle,
        action=None,
    )


@bp.route("/acciones/<id:action_id>/editar", methods=["GET", "POST"])
@login_required
def action_edit(action_id: int):
    action = db.get_or_404(Action, action_id)
    plan = action.plan
    if not permissions.can_edit_plan(current_user, plan.organism_id):
        abort(403)
    if request.method == "POST":
        form = _action_form()
    else:
        form = _action_form(
            obj=action,
            territory_ids=[territory.id for territory in action.territories],
            target_group_ids=[group.id for group in action.target_groups],
        )
    return _form_page(
        form,
        lambda details: plans.update_action(current_user, action, details),
        _("Los cambios de la acción quedaron guardados."),
        organism=plan.organism,
        cycle=plan.cycle,
        action=action,
    )
