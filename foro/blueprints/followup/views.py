"""Views of the follow-up of plan actions: progress reports, follows, citizen evaluations and
control-social observations with the organism's answers.

Thin views: form -> foro.services.followup -> commit -> flash -> redirect to the action page, which
shows all of it. Permission is checked before a form is shown, and again by the service; a refusal is a
Spanish message with its status, and nothing is stored.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.blueprints.followup import bp
from foro.blueprints.followup.forms import (
    EvaluationForm,
    ObservationAnswerForm,
    ObservationForm,
    ProgressUpdateForm,
    ToggleForm,
)
from foro.errors import DomainError, NotAllowed
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import Action, ActionPlan, Cycle
from foro.services import followup
from foro.timeutil import local_today


def _action_or_404(action_id: int) -> Action:
    """The action with its plan, organism and cycle phases (the permission rules read them)."""
    return db.first_or_404(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.plan).joinedload(ActionPlan.organism),
            joinedload(Action.plan).joinedload(ActionPlan.cycle).selectinload(Cycle.phases),
        )
    )


def _action_url(action: Action, anchor: str | None = None) -> str:
    return url_for("plans.action", action_id=action.id, _anchor=anchor)


def _form_page(template: str, form, save, success_message: str, anchor: str, **context):
    """GET shows the form; a valid POST saves through ``save`` (a service call), commits and goes back
    to the action page. A refused POST shows the form again with the error and its status."""
    action = context["action"]
    status = 200
    if form.validate_on_submit():
        try:
            save()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            db.session.commit()
            flash(success_message, "success")
            return redirect(_action_url(action, anchor))
    elif form.is_submitted():
        status = 400
    return render_template(template, form=form, organism=action.plan.organism, **context), status


@bp.route("/acciones/<id:action_id>/avances/nuevo", methods=["GET", "POST"])
@login_required
def new_update(action_id: int):
    action = _action_or_404(action_id)
    if not permissions.can_report_progress(current_user, action):
        raise NotAllowed(_("Solo el personal del organismo responsable puede reportar avances de esta acción."))
    form = ProgressUpdateForm()
    if not form.is_submitted():
        form.reported_on.data = local_today()
        form.status.data = action.status
    return _form_page(
        "followup/update_form.html",
        form,
        lambda: followup.publish_update(current_user, action, form.details()),
        _("El reporte de avance quedó publicado y avisamos a quienes siguen la acción."),
        "avances",
        action=action,
    )


@bp.post("/acciones/<id:action_id>/seguir")
@login_required
def follow(action_id: int):
    action = _action_or_404(action_id)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    if form.action.data == "add":
        followup.follow(current_user, action)
        message = _("Sigues esta acción: te avisaremos de cada reporte de avance.")
    else:
        followup.unfollow(current_user, action)
        message = _("Dejaste de seguir esta acción.")
    db.session.commit()
    flash(message, "success")
    return redirect(_action_url(action))


@bp.route("/acciones/<id:action_id>/evaluar", methods=["GET", "POST"])
@login_required
def evaluate(action_id: int):
    action = _action_or_404(action_id)
    refusal = followup.evaluation_refusal(current_user, action)
    if refusal is not None:
        raise refusal
    existing = followup.own_evaluation(current_user, action)
    form = EvaluationForm(obj=existing) if existing is not None else EvaluationForm()
    return _form_page(
        "followup/evaluate.html",
        form,
        lambda: followup.evaluate(
            current_user,
            action,
            fulfilment=form.fulfilment.data,
            effect=form.effect.data,
            comment=form.comment.data or "",
        ),
        _("Tu evaluación quedó guardada. Gracias por contarnos qué logró esta acción."),
        "evaluaciones",
        action=action,
        existing=existing,
    )


@bp.route("/acciones/<id:action_id>/observaciones/nueva", methods=["GET", "POST"])
@login_required
def observe(action_id: int):
    action = _action_or_404(action_id)
    if not permissions.can_observe_action(current_user):
        abort(403)
    form = ObservationForm()
    return _form_page(
        "followup/observe.html",
        form,
        lambda: followup.observe(
            current_user, action, body=form.body.data or "", evidence_links=form.evidence_links.data or ""
        ),
        _("Tu observación quedó publicada. El organismo debe responderla públicamente."),
        "observaciones",
        action=action,
    )


@bp.route("/acciones/<id:action_id>/observaciones/<id:observation_id>/respuesta", methods=["GET", "POST"])
@login_required
def answer_observation(action_id: int, observation_id: int):
    action = _action_or_404(action_id)
    observation = followup.observation_of(action, observation_id)
    if observation is None:
        abort(404)
    if not permissions.can_answer_observation(current_user, action):
        raise NotAllowed(_("Solo el personal del organismo responsable puede responder esta observación."))
    form = ObservationAnswerForm()
    if observation.answered_at is not None and not form.is_submitted():
        flash(_("Esta observación ya tiene respuesta del organismo."), "info")
        return redirect(_action_url(action, f"observacion-{observation.id}"))
    return _form_page(
        "followup/answer_observation.html",
        form,
        lambda: followup.answer_observation(current_user, observation, answer=form.answer.data or ""),
        _("La respuesta quedó publicada y avisamos a quien envió la observación."),
        f"observacion-{observation.id}",
        action=action,
        observation=observation,
    )
