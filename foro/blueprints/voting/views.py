"""Views of concertation, the vote and its results.

Thin views: form -> foro.services.concertation / foro.services.voting -> commit -> redirect. The call is
found through the space of the URL (404 for a draft the person may not see, or a space that is not a call);
a proposal id of another call is a 404. Page views never write to the database. Anonymous visitors get
the results page from foro.services.page_cache (not the ballot, which is personal, nor the CSV).
"""

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.blueprints.forums.forms import optional_id
from foro.blueprints.voting import bp
from foro.blueprints.voting.forms import ConcertForm, PublishForm, StanceForm, VoteForm
from foro.errors import DomainError, NotAllowed, NotFound
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import CallWindow, Proposal, ProposalCall, ProposalKind, Space, SpaceState, TargetGroup, Territory
from foro.services import concertation as concertation_service
from foro.services import voting
from foro.services.page_cache import CALL_STAMP, cached_for_anonymous
from foro.timeutil import now_utc


def _int_arg(name: str) -> int | None:
    try:
        return optional_id(request.args.get(name))
    except ValueError:
        return None


def _call_or_404(space_id: int) -> ProposalCall:
    """The call of the space, with its space, organism, moderators and territories, or 404."""
    call = (
        db.session.execute(
            select(ProposalCall)
            .where(ProposalCall.space_id == space_id)
            .options(
                joinedload(ProposalCall.space).joinedload(Space.organism),
                joinedload(ProposalCall.space).selectinload(Space.moderators),
                joinedload(ProposalCall.space).selectinload(Space.territories),
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    if call is None or not permissions.can_view_space(current_user, call.space):
        abort(404)
    return call


# --- Concertation --------------------------------------------------------------------------------------


def _render_concertation(call: ProposalCall, form: ConcertForm | None = None, status: int = 200, error=None):
    space = call.space
    window = call.window_at(now_utc())
    page = concertation_service.concertation_page(call)
    may_concert = permissions.can_concert(current_user, space, window, page.available)
    if may_concert and form is None:
        form = ConcertForm()
    if form is not None:
        form.set_choices(
            page.available,
            db.session.scalars(select(Territory)).all(),
            db.session.scalars(select(TargetGroup).order_by(TargetGroup.name)).all(),
        )
    stance_forms = {}
    for concerted in page.concerted:
        if permissions.can_take_stance(current_user, concerted, window):
            mine = next((s for s in page.stances[concerted.id] if s.user_id == current_user.id), None)
            stance_forms[concerted.id] = StanceForm(
                formdata=None, data={"stance": mine.stance.value, "comment": mine.comment} if mine else None
            )
    return (
        render_template(
            "voting/concertation.html",
            call=call,
            space=space,
            window=window,
            page=page,
            form=form if may_concert else None,
            stance_forms=stance_forms,
            error=error,
        ),
        status,
    )


@bp.route("/espacios/<id:space_id>/concertacion", methods=["GET", "POST"])
def concertation(space_id: int):
    call = _call_or_404(space_id)
    if request.method == "GET":
        return _render_concertation(call)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    window = call.window_at(now_utc())
    available = db.session.scalars(concertation_service.available_originals_query(call)).unique().all()
    if not permissions.can_concert(current_user, call.space, window, available):
        if window is not CallWindow.CONCERTATION:
            return _render_concertation(
                call, status=409, error=_("Las propuestas solo se concertan durante la etapa de concertación.")
            )
        raise NotAllowed(
            _("Solo el personal del organismo o las personas autoras de alguna propuesta pueden concertar.")
        )
    form = ConcertForm()
    form.set_choices(available, [], [])
    if not form.validate_on_submit():
        return _render_concertation(call, form, 400)
    details = concertation_service.ConcertedDetails(
        title=form.title.data,
        problem=form.problem.data,
        description=form.description.data,
        territory_id=form.territory_id.data,
        estimated_cost=form.estimated_cost.data,
        target_group_ids=form.target_group_ids.data or [],
    )
    try:
        concerted = concertation_service.create_concerted(current_user, call, form.original_ids.data or [], details)
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _render_concertation(call, form, status)
    flash(
        _("Creaste la propuesta concertada. Avisamos a las personas autoras de las propuestas originales."), "success"
    )
    return redirect(url_for("voting.concertation", space_id=space_id, _anchor=f"concertada-{concerted.id}"))


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/postura")
@login_required
def stance(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    concerted = db.session.scalar(
        select(Proposal).where(
            Proposal.id == proposal_id, Proposal.call_id == call.id, Proposal.kind == ProposalKind.CONCERTED
        )
    )
    if concerted is None:
        abort(404)
    window = call.window_at(now_utc())
    if not permissions.can_take_stance(current_user, concerted, window):
        if any(permissions.is_proposal_author(current_user, original) for original in concerted.origins):
            return _render_concertation(call, status=409, error=_("Ya no se reciben respaldos ni objeciones."))
        raise NotAllowed(_("Solo las personas autoras de las propuestas originales pueden respaldarla u objetarla."))
    form = StanceForm()
    if not form.validate_on_submit():
        errors = [error for errors in form.errors.values() for error in errors]
        return _render_concertation(call, status=400, error=" ".join(map(str, errors)))
    try:
        concertation_service.take_stance(current_user, concerted, form.stance.data, form.comment.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_concertation(call, status=error.status_code, error=error.message)
    flash(_("Guardamos tu posición: se muestra públicamente junto a la propuesta concertada."), "success")
    return redirect(url_for("voting.concertation", space_id=space_id, _anchor=f"concertada-{concerted.id}"))


# --- The vote ------------------------------------------------------------------------------------------


def _render_ballot(call: ProposalCall, page: int, status: int = 200, error=None):
    territory_id = _int_arg("territorio")
    ballot = voting.ballot_page(call, current_user, page, territory_id)
    return (
        render_template(
            "voting/ballot.html",
            call=call,
            space=call.space,
            ballot=ballot,
            territory_id=territory_id,
            territories=sorted(call.space.territories, key=lambda t: (t.kind.value, t.number)),
            vote_form=VoteForm() if permissions.can_vote(current_user, ballot.window) else None,
            error=error,
        ),
        status,
    )


@bp.get("/espacios/<id:space_id>/votacion")
def ballot(space_id: int):
    call = _call_or_404(space_id)
    return _render_ballot(call, _int_arg("pagina") or 1)


@bp.post("/espacios/<id:space_id>/votacion/<id:proposal_id>")
@login_required
def vote(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    form = VoteForm()
    try:
        page = optional_id(form.pagina.data) or 1
    except ValueError:
        page = 1
    if not form.validate_on_submit():
        return _render_ballot(call, page, 400, _("No pudimos leer tu voto. Recarga la página e inténtalo de nuevo."))
    try:
        if form.action.data == "add":
            proposal = voting.cast_vote(current_user, call, proposal_id)
        else:
            proposal = voting.remove_vote(current_user, call, proposal_id)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, NotFound):
            abort(404)
        return _render_ballot(call, page, error.status_code, error.message)
    if form.action.data == "add":
        flash(_("Registramos tu voto por «%(title)s».", title=proposal.title), "success")
    else:
        flash(_("Quitaste tu voto por «%(title)s».", title=proposal.title), "success")
    return redirect(
        url_for("voting.ballot", space_id=space_id, pagina=page if page > 1 else None, _anchor=f"p-{proposal_id}")
    )


# --- Results -------------------------------------------------------------------------------------------


@bp.get("/espacios/<id:space_id>/resultados")
@cached_for_anonymous(CALL_STAMP)
def results(space_id: int):
    call = _call_or_404(space_id)
    window = call.window_at(now_utc())
    visible = permissions.can_see_vote_totals(call, window)
    outcome = voting.results(call, _int_arg("pagina") or 1) if visible else None
    publish_form = PublishForm() if permissions.can_publish_call_results(current_user, call.space) else None
    return render_template(
        "voting/results.html",
        call=call,
        space=call.space,
        window=window,
        results=outcome,
        publish_form=publish_form,
        small_cell=voting.SMALL_CELL,
    )


def _csv_cell(value) -> str:
    """Text that a spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/espacios/<id:space_id>/resultados.csv")
def results_csv(space_id: int):
    call = _call_or_404(space_id)
    if not permissions.can_see_vote_totals(call, call.window_at(now_utc())):
        raise NotFound(_("Los resultados se publican cuando termina la votación."))
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            _("id"),
            _("título"),
            _("tipo"),
            _("comuna o corregimiento"),
            _("costo estimado"),
            _("votos"),
            _("puesto"),
            _("ganadora"),
        ]
    )
    for pid, title, kind, territory, cost, votes, rank, winner in voting.csv_rows(call):
        writer.writerow(
            [
                pid,
                _csv_cell(title),
                kind.label,
                territory.display_name if territory else _("Toda la ciudad"),
                int(cost),
                votes,
                rank,
                (_("sí") if winner else _("no")) if call.results_published_at else "",
            ]
        )
    response = Response(output.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="resultados-convocatoria-{space_id}.csv"'
    return response


@bp.post("/espacios/<id:space_id>/resultados/publicar")
@login_required
def publish_results(space_id: int):
    call = _call_or_404(space_id)
    if not permissions.can_move_space_to(current_user, call.space, SpaceState.RESULTS_PUBLISHED):
        raise NotAllowed(_("Solo quienes dirigen esta convocatoria pueden publicar sus resultados."))
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        winners = voting.publish_results(current_user, call)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise error from None
    flash(
        _(
            "Publicaste los resultados: %(n)s propuestas ganadoras. El espacio pasó a «Resultados publicados».",
            n=len(winners),
        ),
        "success",
    )
    return redirect(url_for("voting.results", space_id=space_id))
