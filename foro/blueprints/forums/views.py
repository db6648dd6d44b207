"""Views of the forum for citizens: the forum page (problem tree or flat list), thread pages, posting
contributions and replies, supports, follows, and the author's edits and withdrawals.

Thin views: form -> foro.services.forums -> commit -> redirect. A post is looked up inside the forum of
the space named in the URL, so ids of other forums are 404, and so are posts the person may not see.
Page views never write to the database. Anonymous visitors get the forum and thread pages from
foro.services.page_cache while their forum's revision stays the same.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.blueprints.forums import bp
from foro.blueprints.forums.forms import ContributionForm, EditForm, ReplyForm, ToggleForm, optional_id
from foro.errors import DomainError
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import ContributionKind, Forum, ForumPost, Space
from foro.services import forums
from foro.services.page_cache import FORUM_STAMP, cached_for_anonymous
from foro.timeutil import now_utc

VIEWS = ("arbol", "lista")


def _int_arg(name: str) -> int | None:
    try:
        return optional_id(request.args.get(name))
    except ValueError:
        return None


def _page_arg() -> int:
    return _int_arg("pagina") or 1


def _forum_or_404(space_id: int) -> Forum:
    """The forum of the space, with its space, organism, moderators and axes, in one query; 404 if the
    space has no forum or is a draft this person may not see."""
    forum = (
        db.session.execute(
            select(Forum)
            .where(Forum.space_id == space_id)
            .options(
                joinedload(Forum.space).joinedload(Space.organism),
                joinedload(Forum.space).joinedload(Space.moderators),
                joinedload(Forum.axes),
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    if forum is None or not permissions.can_view_space(current_user, forum.space):
        abort(404)
    return forum


def _post_or_404(forum: Forum, post_id: int) -> ForumPost:
    """A post of this forum the person may see (its author and its problem loaded), or 404."""
    post = db.session.scalar(
        select(ForumPost)
        .where(ForumPost.id == post_id, ForumPost.forum_id == forum.id)
        .options(joinedload(ForumPost.author).lazyload("*"), joinedload(ForumPost.parent))
    )
    if post is None or not permissions.can_see_post(current_user, post, forum.space):
        abort(404)
    return post


def _head_or_404(forum: Forum, post_id: int) -> ForumPost:
    post = _post_or_404(forum, post_id)
    if not post.is_head:
        abort(404)
    return post


def _thread_url(post: ForumPost, **args) -> str:
    """The page of the thread that shows ``post`` (a reply's URL redirects to it)."""
    return url_for("forums.thread", space_id=post.forum.space_id, post_id=post.thread_id or post.id, **args)


# --- The forum page ----------------------------------------------------------------------------------


@bp.get("/espacios/<id:space_id>/foro")
@cached_for_anonymous(FORUM_STAMP)
def show(space_id: int):
    forum = _forum_or_404(space_id)
    view = request.args.get("vista") if request.args.get("vista") in VIEWS else "arbol"
    order = request.args.get("orden") if request.args.get("orden") in forums.LIST_ORDERS else forums.DEFAULT_LIST_ORDER
    axis_id = _int_arg("eje")
    if not any(axis.id == axis_id for axis in forum.axes):
        axis_id = None
    space = forum.space
    refusal = forums.contribution_refusal(current_user, space, forums.suspended_until(current_user, space))
    context = dict(forum=forum, space=space, view=view, order=order, axis_id=axis_id, refusal=refusal)
    if view == "lista":
        context["pagination"] = forums.forum_list(forum, current_user, order, axis_id, _page_arg())
    else:
        context["trees"] = forums.forum_tree(forum, current_user)
    return render_template("forums/show.html", axes_by_id={axis.id: axis for axis in forum.axes}, **context)


# --- A thread ----------------------------------------------------------------------------------------


def _render_thread(forum: Forum, head: ForumPost, reply_form: ReplyForm | None = None, status: int = 200, error=None):
    page = forums.thread_page(head, current_user, _page_arg())
    space = forum.space
    refusal = forums.contribution_refusal(current_user, space, page.viewer.suspended_until)
    quote = None
    if reply_form is not None:
        quote = forums.quotable_post(current_user, head, reply_form.quote if not reply_form.quote_id.errors else None)
    elif refusal is None:
        # Only people who may reply get the form: building it issues a CSRF token, and with it a session
        # cookie, which anonymous readers do not need (and which would keep proxies from caching the page).
        reply_form = ReplyForm()
        quote = forums.quotable_post(current_user, head, _int_arg("cita"))
        reply_form.quote_id.data = str(quote.id) if quote is not None else ""
    return (
        render_template(
            "forums/thread.html",
            forum=forum,
            space=space,
            head=head,
            page=page,
            refusal=refusal,
            reply_form=reply_form,
            quote=quote,
            error=error,
            now=now_utc(),
            is_moderator=permissions.can_moderate(current_user, space),
            axes_by_id={axis.id: axis for axis in forum.axes},
        ),
        status,
    )


@bp.get("/espacios/<id:space_id>/foro/aportes/<id:post_id>")
@cached_for_anonymous(FORUM_STAMP)
def thread(space_id: int, post_id: int):
    forum = _forum_or_404(space_id)
    post = _post_or_404(forum, post_id)
    if not post.is_head:
        # A reply's own address (used by notifications) opens its thread on the page that shows it.
        page = forums.reply_page_number(post, current_user)
        return redirect(_thread_url(post, pagina=page if page > 1 else None, _anchor=f"aporte-{post.id}"))
    return _render_thread(forum, post)


@bp.post("/espacios/<id:space_id>/foro/aportes/<id:post_id>/responder")
@login_required
def reply(space_id: int, post_id: int):
    forum = _forum_or_404(space_id)
    head = _head_or_404(forum, post_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_thread(forum, head, form, 400)
    try:
        new_reply = forums.post_reply(current_user, head, body=form.body.data, quote_id=form.quote)
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _render_thread(forum, head, form, status)
    if new_reply.status.value == "pending":
        flash(_("Tu respuesta quedó en espera de aprobación: la moderación la revisará antes de publicarla."), "info")
    else:
        flash(_("Publicaste tu respuesta."), "success")
    return redirect(url_for("forums.thread", space_id=space_id, post_id=new_reply.id))


def _toggle(space_id: int, post_id: int, add, remove, messages: dict[str, str]):
    """A support or follow button: ``action`` add|remove calls the matching service."""
    forum = _forum_or_404(space_id)
    head = _head_or_404(forum, post_id)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        (add if form.action.data == "add" else remove)(current_user, head)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_thread(forum, head, status=error.status_code, error=error.message)
    flash(messages[form.action.data], "success")
    return redirect(_thread_url(head))


@bp.post("/espacios/<id:space_id>/foro/aportes/<id:post_id>/apoyo")
@login_required
def support(space_id: int, post_id: int):
    messages = {"add": _("Apoyaste este aporte."), "remove": _("Retiraste tu apoyo.")}
    return _toggle(space_id, post_id, forums.support, forums.retract_support, messages)


@bp.post("/espacios/<id:space_id>/foro/aportes/<id:post_id>/seguir")
@login_required
def follow(space_id: int, post_id: int):
    messages = {
        "add": _("Sigues este hilo: te avisaremos de las nuevas respuestas."),
        "remove": _("Dejaste de seguir este hilo."),
    }
    return _toggle(space_id, post_id, forums.follow, forums.unfollow, messages)


# --- Contributing ------------------------------------------------------------------------------------


@bp.route("/espacios/<id:space_id>/foro/aportar", methods=["GET", "POST"])
@login_required
def new_contribution(space_id: int):
    forum = _forum_or_404(space_id)
    space = forum.space
    refusal = forums.contribution_refusal(current_user, space, forums.suspended_until(current_user, space))
    if refusal is not None:
        return render_template("forums/contribute.html", forum=forum, space=space, refusal=refusal), refusal.status_code
    problems = forums.problems_to_answer(forum, current_user)
    form = ContributionForm()
    if not form.is_submitted():
        kind = request.args.get("tipo")
        form.kind.data = kind if kind in {member.value for member in ContributionKind} else None
        problem_id = _int_arg("problema")
        if any(problem.id == problem_id for problem in problems):
            form.parent_id.data = problem_id
    form.set_choices(forum.axes, problems)
    status = 200
    if form.validate_on_submit():
        try:
            post = forums.post_contribution(
                current_user,
                forum,
                kind=form.kind.data,
                axis_id=form.axis_id.data,
                title=form.title.data,
                body=form.body.data,
                parent_id=form.parent_id.data,
            )
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            if post.status.value == "pending":
                flash(
                    _("Tu aporte quedó en espera de aprobación: la moderación lo revisará antes de publicarlo."), "info"
                )
            else:
                flash(_("Publicaste tu aporte."), "success")
            return redirect(url_for("forums.thread", space_id=space_id, post_id=post.id))
    elif form.is_submitted():
        status = 400
    return render_template("forums/contribute.html", forum=forum, space=space, form=form, refusal=None), status


# --- The author's edits and withdrawals --------------------------------------------------------------


@bp.route("/espacios/<id:space_id>/foro/aportes/<id:post_id>/editar", methods=["GET", "POST"])
@login_required
def edit_post(space_id: int, post_id: int):
    forum = _forum_or_404(space_id)
    post = _post_or_404(forum, post_id)
    refusal = forums.edit_refusal(current_user, post, now_utc())
    if refusal is not None:
        raise refusal
    form = EditForm() if request.method == "POST" else EditForm(data={"title": post.title, "body": post.body})
    if not post.is_head:
        del form.title
    status = 200
    if form.validate_on_submit():
        try:
            forums.edit_post(
                current_user,
                post,
                title=form.title.data if post.is_head else None,
                body=form.body.data,
                now=now_utc(),
            )
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(_("Guardaste los cambios."), "success")
            return redirect(url_for("forums.thread", space_id=space_id, post_id=post.id))
    elif form.is_submitted():
        status = 400
    return render_template("forums/edit.html", forum=forum, space=forum.space, post=post, form=form), status


@bp.post("/espacios/<id:space_id>/foro/aportes/<id:post_id>/retirar")
@login_required
def withdraw_post(space_id: int, post_id: int):
    forum = _forum_or_404(space_id)
    post = _post_or_404(forum, post_id)
    try:
        forums.withdraw_post(current_user, post)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        head = post if post.is_head else _head_or_404(forum, post.thread_id)
        return _render_thread(forum, head, status=error.status_code, error=error.message)
    flash(_("Retiraste tu aporte: ahora se muestra como «Contribución retirada por su autor»."), "success")
    return redirect(url_for("forums.thread", space_id=space_id, post_id=post.id))


# --- The forum on its space page ---------------------------------------------------------------------


@bp.app_template_global("forum_summary")
def forum_summary(space: Space):
    """For spaces/kinds/_forum.html: the space page's context has the space, not its forum."""
    return forums.forum_summary(space)
