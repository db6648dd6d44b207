"""Views of the moderation capability: flagging a post, the moderators' queue and actions, suspensions,
a post's revisions, the public transparency counts and the admins' moderation log with its CSV export.

Thin views: form -> foro.services.moderation -> commit -> redirect. Rules live in the service and in
foro.permissions; a post is looked up inside the space named by the URL, so ids of other spaces are 404.
"""

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.blueprints.lookups import visible_space_or_404
from foro.blueprints.moderation import bp
from foro.blueprints.moderation.forms import FlagForm, LogFilterForm, ModerationForm, SuspendForm
from foro.errors import DomainError, NotAllowed
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import Forum, ForumPost, ModerationAction, PostStatus, Space, User
from foro.services import moderation
from foro.timeutil import local_today

QUEUE_PER_PAGE = 30
LOG_PER_PAGE = 50
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 100_000

DONE_MESSAGES = {
    ModerationAction.APPROVE: _l("Aporte aprobado: está publicado."),
    ModerationAction.HIDE: _l("Aporte ocultado. La persona autora verá el motivo."),
    ModerationAction.RESTORE: _l("Aporte restaurado: está publicado."),
    ModerationAction.LOCK: _l("Hilo cerrado: ya no recibe respuestas."),
    ModerationAction.UNLOCK: _l("Hilo reabierto: vuelve a recibir respuestas."),
    ModerationAction.PIN: _l("Hilo fijado al inicio del foro."),
    ModerationAction.UNPIN: _l("El hilo ya no está fijado."),
    ModerationAction.MOVE: _l("Aporte movido al eje elegido."),
    ModerationAction.MARK_DUPLICATE: _l("Aporte marcado como duplicado y ocultado."),
}


def _page_number() -> int:
    page = request.args.get("pagina", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


def _space_or_404(space_id: int) -> Space:
    return visible_space_or_404(space_id, selectinload(Space.moderators))


def _post_or_404(space_id: int, post_id: int) -> ForumPost:
    """The post, if it belongs to the forum of this space and the space is visible to the person."""
    post = db.first_or_404(
        select(ForumPost)
        .join(Forum, ForumPost.forum_id == Forum.id)
        .where(ForumPost.id == post_id, Forum.space_id == space_id)
        .options(
            joinedload(ForumPost.forum).joinedload(Forum.space).selectinload(Space.moderators),
            joinedload(ForumPost.author),
            joinedload(ForumPost.axis),
        )
    )
    if not permissions.can_view_space(current_user, post.forum.space):
        abort(404)
    return post


def _refused(what: str, error: DomainError) -> None:
    """A log line for every refused request: what, by whom (an id, never an email) and why."""
    current_app.logger.info(
        "moderation: %s by user %s refused (%s): %s", what, current_user.id, error.status_code, error
    )


def _thread_url(post: ForumPost) -> str:
    return url_for("forums.thread", space_id=post.forum.space_id, post_id=post.thread_id or post.id)


# --- Flagging ----------------------------------------------------------------------------------------


@bp.route("/espacios/<id:space_id>/foro/aportes/<id:post_id>/reportar", methods=["GET", "POST"])
@login_required
def flag(space_id: int, post_id: int):
    post = _post_or_404(space_id, post_id)
    # Only published posts can be reported; any other is not there for the person reporting.
    if post.status is not PostStatus.PUBLISHED:
        abort(404)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            moderation.flag_post(current_user, post, reason=form.reason.data, note=form.note.data or "")
            db.session.commit()
        except DomainError as error:
            _refused(f"flag of post {post_id}", error)
            status = show_domain_error(form, error)
        else:
            flash(_("Gracias por tu reporte. El equipo de moderación lo revisará."), "success")
            return redirect(_thread_url(post))
    else:
        status = 400 if form.is_submitted() else 200
    return render_template("moderation/flag.html", form=form, post=post, thread_url=_thread_url(post)), status


# --- The queue and the actions -----------------------------------------------------------------------


@bp.get("/moderacion")
@login_required
def queue():
    space_ids = moderation.moderated_space_ids(current_user)
    if space_ids == []:
        abort(403)
    pagination = db.paginate(
        moderation.queue_query(space_ids), page=_page_number(), per_page=QUEUE_PER_PAGE, error_out=False
    )
    items = moderation.queue_items(pagination.items)
    return render_template(
        "moderation/queue.html",
        pagination=pagination,
        items=items,
        axes=moderation.axes_by_forum(post.forum_id for post in pagination.items),
        status_moves=moderation.STATUS_MOVES,
    )


def _render_post_panel(post: ForumPost, form: ModerationForm, status: int):
    """One post with its action forms, for an action that was refused: the message and the forms again."""
    return render_template(
        "moderation/post.html",
        post=post,
        item=moderation.queue_items([post])[0],
        form=form,
        axes=moderation.axes_by_forum([post.forum_id]),
        status_moves=moderation.STATUS_MOVES,
    ), status


@bp.post("/moderacion/espacios/<id:space_id>/aportes/<id:post_id>")
@login_required
def act(space_id: int, post_id: int):
    post = _post_or_404(space_id, post_id)
    if not permissions.can_moderate(current_user, post.forum.space):
        abort(403)
    form = ModerationForm()
    if not form.validate_on_submit():
        return _render_post_panel(post, form, 400)
    action = form.action.data
    try:
        moderation.moderate_post(
            current_user,
            post,
            action,
            reason=form.reason.data or "",
            axis_id=form.axis_id.data,
            duplicate_of_id=form.duplicate_of_id.data,
        )
        db.session.commit()
    except DomainError as error:
        _refused(f"{action.value} of post {post_id}", error)
        if isinstance(error, NotAllowed):
            db.session.rollback()
            abort(403)
        return _render_post_panel(post, form, show_domain_error(form, error))
    flash(DONE_MESSAGES[action], "success")
    if form.return_to.data == "thread":
        return redirect(_thread_url(post))
    return redirect(url_for("moderation.queue"))


@bp.post("/moderacion/espacios/<id:space_id>/suspensiones")
@login_required
def suspend(space_id: int):
    space = _space_or_404(space_id)
    if not permissions.can_moderate(current_user, space):
        abort(403)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            moderation.suspend_user(
                current_user, space, form.user_id.data, days=form.days.data, reason=form.reason.data or ""
            )
            db.session.commit()
        except DomainError as error:
            _refused(f"suspension in space {space_id}", error)
            status = show_domain_error(form, error)
        else:
            flash(_("Suspensión registrada. La persona recibió una notificación con el motivo."), "success")
            return redirect(url_for("moderation.queue"))
    else:
        status = 400
    target = db.session.get(User, form.user_id.data) if form.user_id.data else None
    return render_template("moderation/suspend.html", form=form, space=space, target=target), status


# --- Revisions and transparency ---------------------------------------------------------------------


@bp.get("/espacios/<id:space_id>/foro/aportes/<id:post_id>/historial")
@login_required
def revisions(space_id: int, post_id: int):
    post = _post_or_404(space_id, post_id)
    try:
        previous = moderation.post_revisions(current_user, post)
    except NotAllowed:
        abort(403)
    return render_template("moderation/revisions.html", post=post, revisions=previous, thread_url=_thread_url(post))


@bp.get("/espacios/<id:space_id>/foro/transparencia")
def transparency(space_id: int):
    space = _space_or_404(space_id)
    forum = db.first_or_404(select(Forum).where(Forum.space_id == space.id))
    return render_template(
        "moderation/transparency.html", space=space, forum=forum, counts=moderation.transparency(forum)
    )


# --- The moderation log (admins) ---------------------------------------------------------------------


def _log_filters() -> tuple[LogFilterForm, bool]:
    spaces, moderators = moderation.log_filter_choices()
    form = LogFilterForm(request.args, spaces=spaces, moderators=moderators)
    return form, form.validate()


@bp.get("/admin/moderacion")
@login_required
def log():
    if not permissions.can_browse_moderation_log(current_user):
        abort(403)
    form, valid = _log_filters()
    filters = form.to_filters() if valid else moderation.LogFilters()
    pagination = db.paginate(moderation.log_query(filters), page=_page_number(), per_page=LOG_PER_PAGE, error_out=False)
    body = render_template(
        "moderation/log.html",
        form=form,
        pagination=pagination,
        titles=moderation.space_titles(entry.space_id for entry in pagination.items),
    )
    return body, 200 if valid else 400, {"Cache-Control": "no-store"}


@bp.get("/admin/moderacion.csv")
@login_required
def log_export():
    if not permissions.can_browse_moderation_log(current_user):
        abort(403)
    form, valid = _log_filters()
    if not valid:
        abort(400)
    buffer = io.StringIO()
    # The byte order mark makes Excel read the file as UTF-8 (accents and ñ intact).
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(moderation.log_export_rows(form.to_filters()))
    response = Response(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"bitacora-moderacion-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
