"""Views of the answers capability: a call's answers page, the answer form, and an action's traceability.

Rules live in foro.services.answers and foro.permissions; the chain is read by foro.services.traceability.
Anonymous visitors get a call's answers page from foro.services.page_cache.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.blueprints.answers import bp
from foro.blueprints.answers.forms import MODE_EXISTING, MODE_NEW, AnswerForm
from foro.blueprints.lookups import visible_space_or_404
from foro.errors import DomainError, InvalidTransition
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import ProposalCall, ProposalStatus, Space, SpaceKind
from foro.services import answers
from foro.services import traceability as trace_service
from foro.services.page_cache import CALL_STAMP, cached_for_anonymous


def _call_or_404(space_id: int) -> ProposalCall:
    """The call of a space of kind proposal_call the current user may see; 404 otherwise."""
    space = visible_space_or_404(space_id, joinedload(Space.organism), joinedload(Space.cycle))
    if space.kind is not SpaceKind.PROPOSAL_CALL:
        abort(404)
    call = db.session.scalar(select(ProposalCall).where(ProposalCall.space_id == space.id))
    if call is None:
        abort(404)
    return call


@bp.get("/espacios/<id:space_id>/respuestas")
@cached_for_anonymous(CALL_STAMP)
def index(space_id: int):
    call = _call_or_404(space_id)
    space = call.space
    return render_template(
        "answers/index.html",
        space=space,
        call=call,
        answers=answers.call_answers(call),
        may_answer=permissions.can_answer_proposal(current_user, space),
    )


def _prefilled_form(proposal) -> AnswerForm:
    answer = proposal.answer
    data = {
        "title": proposal.title[:200],
        "objective": proposal.problem,
        "budget": proposal.estimated_cost,
        "action_mode": MODE_EXISTING,
    }
    if answer is not None:
        data |= {
            "replaces_answer_id": str(answer.id),
            "decision": answer.decision,
            "reason": answer.reason,
            "action_id": answer.action_id,
        }
    return AnswerForm(data=data)


@bp.route("/espacios/<id:space_id>/propuestas/<id:proposal_id>/respuesta", methods=["GET", "POST"])
@login_required
def answer(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    space = call.space
    proposal = answers.answerable_proposal(space, proposal_id)
    if proposal is None or not permissions.can_see_proposal(current_user, proposal, space):
        abort(404)
    # Outsiders get 403, the organism's staff a 409 explaining it is too early (the error page shows why).
    answers.check_may_answer(current_user, space)
    if proposal.status is not ProposalStatus.PUBLISHED:
        raise InvalidTransition(_("Solo se responden propuestas publicadas; esta fue retirada, unida u ocultada."))

    choices = answers.action_choices(space)
    form = AnswerForm() if request.method == "POST" else _prefilled_form(proposal)
    if request.method == "GET" and not choices:
        form.action_mode.data = MODE_NEW
    form.set_action_choices(choices)
    status = 200
    if form.validate_on_submit():
        try:
            saved = answers.answer_proposal(current_user, space, proposal, form.details())
        except DomainError as error:
            current_app.logger.info("proposal %s: answer by user %s refused: %s", proposal_id, current_user.id, error)
            status = show_domain_error(form, error)
            # The rollback expired the proposal: reload what the page shows.
            proposal = answers.answerable_proposal(space, proposal_id)
        else:
            answer_id = saved.id
            db.session.commit()
            flash(_("La respuesta quedó publicada y se avisó a quienes siguen la propuesta."), "success")
            return redirect(url_for(".index", space_id=space_id, _anchor=f"respuesta-{answer_id}"))
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "answers/answer.html",
            space=space,
            call=call,
            proposal=proposal,
            form=form,
            has_choices=bool(choices),
            mode_new=MODE_NEW,
        ),
        status,
    )


@bp.get("/acciones/<id:action_id>/trazabilidad")
def traceability(action_id: int):
    trace = trace_service.action_trace(action_id)
    if trace is None:
        abort(404)
    return render_template("answers/traceability.html", trace=trace, action=trace.action)
