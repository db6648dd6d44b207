"""Views of calls for proposals: the call's settings, the list of proposals, a proposal's page and
everything people do on it (edit, withdraw, support, comment, co-authors, follow, merge, hide).

Thin views: form -> foro.services.proposals (or proposal_setup) -> commit -> redirect. A proposal is
looked up inside the call of the space named in the URL, so ids of other calls are 404, and so are
hidden proposals for people who may not see them. Page views never write to the database. Anonymous
visitors get the list and a proposal's page from foro.services.page_cache while the call's revision,
its space's state and its running window stay the same.
"""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.blueprints.forums.forms import optional_id
from foro.blueprints.lookups import visible_space_or_404
from foro.blueprints.proposals import bp
from foro.blueprints.proposals.forms import (
    CallSettingsForm,
    CommentForm,
    InvitationAnswerForm,
    InviteForm,
    MergeForm,
    ModerateForm,
    ProposalForm,
    ToggleForm,
)
from foro.errors import DomainError, NotAllowed
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import Proposal, ProposalCall, ProposalCoauthor, Space, SpaceKind, TargetGroup, VoteRule
from foro.services import proposals
from foro.services.page_cache import CALL_STAMP, cached_for_anonymous
from foro.services.proposal_setup import call_of, configure_call
from foro.timeutil import now_utc, utc_to_local


def _int_arg(name: str) -> int | None:
    try:
        return optional_id(request.args.get(name))
    except ValueError:
        return None


def _space_or_404(space_id: int) -> Space:
    """A space of kind proposal_call the current user may see (drafts stay hidden), or 404."""
    space = visible_space_or_404(
        space_id, joinedload(Space.organism), selectinload(Space.moderators), selectinload(Space.territories)
    )
    if space.kind is not SpaceKind.PROPOSAL_CALL:
        abort(404)
    return space


def _call_or_404(space_id: int) -> ProposalCall:
    """The call of the space, with its space, organism, moderators and territories (three queries);
    404 if the space has no call or is a draft this person may not see."""
    call = db.session.scalar(
        select(ProposalCall)
        .where(ProposalCall.space_id == space_id)
        .options(
            joinedload(ProposalCall.space).joinedload(Space.organism),
            joinedload(ProposalCall.space).selectinload(Space.moderators),
            joinedload(ProposalCall.space).selectinload(Space.territories),
        )
    )
    if call is None or not permissions.can_view_space(current_user, call.space):
        abort(404)
    return call


def _proposal_or_404(call: ProposalCall, proposal_id: int) -> Proposal:
    proposal = proposals.load_proposal(call, proposal_id, current_user)
    if proposal is None:
        abort(404)
    return proposal


def _show_url(proposal: Proposal, **args) -> str:
    return url_for("proposals.show", space_id=proposal.call.space_id, proposal_id=proposal.id, **args)


@bp.app_template_global("proposal_call_summary")
def proposal_call_summary(space: Space):
    """For spaces/kinds/_proposal_call.html: the space page's context has the space, not its call."""
    return proposals.call_summary(space)


# --- The call's settings -------------------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    return utc_to_local(moment).replace(tzinfo=None) if moment else None


@bp.route("/espacios/<id:space_id>/convocatoria/ajustes", methods=["GET", "POST"])
@login_required
def call_settings(space_id: int):
    space = _space_or_404(space_id)
    if not permissions.can_configure_call(current_user, space):
        raise NotAllowed(
            _("Solo el personal del organismo puede configurar la convocatoria, y solo antes de que abra.")
        )
    call = call_of(space)
    if request.method == "POST":
        form = CallSettingsForm()
    elif call is None:
        form = CallSettingsForm(data={"vote_rule": VoteRule.SIMPLE})
    else:
        form = CallSettingsForm(
            data={
                "proposing_ends_at": _local(call.proposing_ends_at),
                "concertation_ends_at": _local(call.concertation_ends_at)
                if call.concertation_ends_at != call.proposing_ends_at
                else None,
                "voting_ends_at": _local(call.voting_ends_at),
                "vote_rule": call.vote_rule,
                "max_votes": call.max_votes,
                "budget_cap": call.budget_cap,
                "winners_count": call.winners_count,
                "residents_only": call.residents_only,
                "live_totals": call.live_totals,
            }
        )
    status = 200
    if form.validate_on_submit():
        try:
            configure_call(current_user, space, form.details())
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(_("Se guardaron los ajustes de la convocatoria."), "success")
            return redirect(url_for("spaces.show", space_id=space_id))
    elif form.is_submitted():
        status = 400
    return render_template("proposals/settings.html", form=form, space=space, call=call), status


# --- The list ------------------------------------------------------------------------------------


@bp.get("/espacios/<id:space_id>/propuestas")
@cached_for_anonymous(CALL_STAMP)
def index(space_id: int):
    call = _call_or_404(space_id)
    window = call.window_at(now_utc())
    orders = proposals.order_choices(call, window)
    order = request.args.get("orden") if request.args.get("orden") in orders else proposals.DEFAULT_ORDER
    territories = proposals.territory_choices(call)
    territory_id = _int_arg("territorio")
    if not any(t.id == territory_id for t in territories):
        territory_id = None
    pagination = proposals.proposal_list(call, order, territory_id, _int_arg("pagina") or 1, window)
    return render_template(
        "proposals/index.html",
        call=call,
        space=call.space,
        window=window,
        pagination=pagination,
        order=order,
        orders=orders,
        territories=territories,
        territory_id=territory_id,
        show_votes=permissions.can_see_vote_totals(call, window),
    )


# --- Submitting and editing ----------------------------------------------------------------------


def _target_groups() -> list[TargetGroup]:
    return list(db.session.scalars(select(TargetGroup).order_by(TargetGroup.name)))


@bp.route("/espacios/<id:space_id>/propuestas/nueva", methods=["GET", "POST"])
@login_required
def new(space_id: int):
    call = _call_or_404(space_id)
    space = call.space
    refusal = proposals.submit_refusal(current_user, call, call.window_at(now_utc()))
    if refusal is not None:
        context = dict(call=call, space=space, refusal=refusal, form=None, forum_post=None)
        return render_template("proposals/form.html", **context), refusal.status_code
    form = ProposalForm()
    forum_post = None
    if not form.is_submitted():
        forum_post = proposals.linkable_forum_post(call, _int_arg("aporte"))
        if forum_post is not None:
            form.process(data={"forum_post_id": str(forum_post.id), **proposals.prefill_from_forum_post(forum_post)})
    else:
        try:
            forum_post = proposals.linkable_forum_post(call, optional_id(form.forum_post_id.data))
        except ValueError:
            forum_post = None
    form.set_choices(proposals.territory_choices(call), _target_groups())
    status = 200
    if form.validate_on_submit():
        try:
            proposal = proposals.submit_proposal(current_user, call, form.details())
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(_("Presentaste tu propuesta. Ahora otras personas pueden apoyarla y comentarla."), "success")
            return redirect(url_for("proposals.show", space_id=space_id, proposal_id=proposal.id))
    elif form.is_submitted():
        status = 400
    context = dict(call=call, space=space, refusal=None, form=form, forum_post=forum_post)
    return render_template("proposals/form.html", **context), status


@bp.route("/espacios/<id:space_id>/propuestas/<id:proposal_id>/editar", methods=["GET", "POST"])
@login_required
def edit(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    refusal = proposals.edit_refusal(current_user, proposal)
    if refusal is not None:
        raise refusal
    if request.method == "POST":
        form = ProposalForm()
    else:
        form = ProposalForm(
            data={
                "title": proposal.title,
                "problem": proposal.problem,
                "description": proposal.description,
                "territory_id": proposal.territory_id,
                "estimated_cost": str(int(proposal.estimated_cost)),
                "target_group_ids": [group.id for group in proposal.target_groups],
                "on_behalf_of": proposal.on_behalf_of,
            }
        )
    form.set_choices(proposals.territory_choices(call), _target_groups())
    status = 200
    if form.validate_on_submit():
        try:
            proposals.edit_proposal(current_user, proposal, form.details())
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(_("Guardaste los cambios de tu propuesta."), "success")
            return redirect(_show_url(proposal))
    elif form.is_submitted():
        status = 400
    context = dict(call=call, space=call.space, refusal=None, form=form, forum_post=None, proposal=proposal)
    return render_template("proposals/form.html", **context), status


# --- A proposal's page ---------------------------------------------------------------------------


def _render_show(call: ProposalCall, proposal: Proposal, *, status: int = 200, error=None, **forms):
    page = proposals.proposal_page(proposal, current_user, _int_arg("pagina") or 1)
    space = call.space
    window = page.window
    may_comment = permissions.can_comment_proposal(current_user, proposal, window, suspended=page.viewer.suspended)
    if may_comment:
        forms.setdefault("comment_form", CommentForm())
    if permissions.can_invite_coauthor(current_user, proposal, window):
        forms.setdefault("invite_form", InviteForm())
    if page.merge_candidates:
        merge_form = forms.setdefault("merge_form", MergeForm())
        merge_form.set_choices(page.merge_candidates)
    if permissions.can_moderate(current_user, space):
        forms.setdefault("moderate_form", ModerateForm())
    return (
        render_template(
            "proposals/show.html",
            call=call,
            space=space,
            proposal=proposal,
            page=page,
            window=window,
            error=error,
            may_comment=may_comment,
            show_votes=permissions.can_see_vote_totals(call, window),
            **forms,
        ),
        status,
    )


@bp.get("/espacios/<id:space_id>/propuestas/<id:proposal_id>")
@cached_for_anonymous(CALL_STAMP)
def show(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    return _render_show(call, _proposal_or_404(call, proposal_id))


def _refused(call: ProposalCall, proposal: Proposal, error: DomainError, **forms):
    db.session.rollback()
    proposal = _proposal_or_404(call, proposal.id)
    return _render_show(call, proposal, status=error.status_code, error=error.message, **forms)


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/retirar")
@login_required
def withdraw(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    try:
        proposals.withdraw_proposal(current_user, proposal)
        db.session.commit()
    except DomainError as error:
        return _refused(call, proposal, error)
    flash(_("Retiraste tu propuesta. Queda como registro, pero ya no recibe apoyos ni votos."), "success")
    return redirect(_show_url(proposal))


def _toggle(space_id: int, proposal_id: int, add, remove, messages: dict[str, str]):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        (add if form.action.data == "add" else remove)(current_user, proposal)
        db.session.commit()
    except DomainError as error:
        return _refused(call, proposal, error)
    flash(messages[form.action.data], "success")
    return redirect(_show_url(proposal))


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/apoyo")
@login_required
def support(space_id: int, proposal_id: int):
    messages = {"add": _("Apoyaste esta propuesta."), "remove": _("Retiraste tu apoyo.")}
    return _toggle(space_id, proposal_id, proposals.support, proposals.retract_support, messages)


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/seguir")
@login_required
def follow(space_id: int, proposal_id: int):
    messages = {
        "add": _("Sigues esta propuesta: te avisaremos de sus novedades."),
        "remove": _("Dejaste de seguir esta propuesta."),
    }
    return _toggle(space_id, proposal_id, proposals.follow, proposals.unfollow, messages)


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/comentarios")
@login_required
def comment(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_show(call, proposal, status=400, comment_form=form)
    try:
        new_comment = proposals.comment(current_user, proposal, form.body.data)
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _render_show(call, _proposal_or_404(call, proposal_id), status=status, comment_form=form)
    flash(_("Publicaste tu comentario."), "success")
    return redirect(_show_url(proposal, _anchor=f"comentario-{new_comment.id}"))


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/coautores")
@login_required
def invite_coauthor(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    refusal = proposals.invite_refusal(current_user, proposal, call.window_at(now_utc()))
    if refusal is not None:
        raise refusal
    form = InviteForm()
    if not form.validate_on_submit():
        return _render_show(call, proposal, status=400, invite_form=form)
    try:
        proposals.invite_coauthor(current_user, proposal, form.email.data)
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _render_show(call, _proposal_or_404(call, proposal_id), status=status, invite_form=form)
    flash(_("Enviamos la invitación. La persona verá la propuesta en sus notificaciones."), "success")
    return redirect(_show_url(proposal))


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/coautoria")
@login_required
def respond_invitation(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    if db.session.get(ProposalCoauthor, (proposal.id, current_user.id)) is None:
        raise NotAllowed(_("No tienes una invitación para ser coautor o coautora de esta propuesta."))
    form = InvitationAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    accept = form.action.data == "accept"
    try:
        proposals.respond_invitation(current_user, proposal, accept=accept)
        db.session.commit()
    except DomainError as error:
        return _refused(call, proposal, error)
    if accept:
        flash(_("Ahora eres coautor o coautora de esta propuesta."), "success")
    else:
        flash(_("Rechazaste la invitación."), "success")
    return redirect(_show_url(proposal))


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/unir")
@login_required
def merge(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    refusal = proposals.merge_refusal(current_user, call, call.window_at(now_utc()))
    if refusal is not None:
        raise refusal
    form = MergeForm()
    if not form.validate_on_submit():
        return _render_show(call, proposal, status=400, merge_form=form)
    try:
        target = proposals.merge_proposals(current_user, proposal, form.into.data, form.reason.data)
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _render_show(call, _proposal_or_404(call, proposal_id), status=status, merge_form=form)
    flash(_("Uniste las propuestas: sus apoyos se sumaron y avisamos a sus autores."), "success")
    return redirect(_show_url(target))


@bp.post("/espacios/<id:space_id>/propuestas/<id:proposal_id>/moderar")
@login_required
def moderate(space_id: int, proposal_id: int):
    call = _call_or_404(space_id)
    proposal = _proposal_or_404(call, proposal_id)
    if not permissions.can_moderate(current_user, call.space):
        raise NotAllowed(_("Solo las personas moderadoras del espacio pueden ocultar o restaurar propuestas."))
    form = ModerateForm()
    if not form.validate_on_submit():
        return _render_show(call, proposal, status=400, moderate_form=form)
    hide = form.action.data == "hide"
    try:
        proposals.moderate_proposal(current_user, proposal, hide=hide, reason=form.reason.data or "")
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _render_show(call, _proposal_or_404(call, proposal_id), status=status, moderate_form=form)
    flash(_("Ocultaste la propuesta.") if hide else _("La propuesta volvió a publicarse."), "success")
    return redirect(_show_url(proposal))
