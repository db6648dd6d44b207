"""Opening and configuring a forum (forums.settings) and its relatoría (forums.synthesis).

Rules live in foro.services.forum_setup and foro.permissions; these views read forms, call the service,
commit and redirect.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.blueprints.forums import bp
from foro.blueprints.forums.setup_forms import ForumSettingsForm, SynthesisForm
from foro.blueprints.lookups import visible_space_or_404
from foro.errors import DomainError
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import Forum, ModerationMode, Space, SpaceKind
from foro.services.forum_setup import (
    DEFAULT_FLAG_THRESHOLD,
    DEFAULT_RULES,
    check_synthesis_allowed,
    citable_posts,
    cited_posts,
    configure_forum,
    format_axes,
    publish_synthesis,
)

# Pages that include forums/_synthesis.html (the forum page, the space page) get its citations with
# {% with forum=forum, cited_posts=synthesis_cited_posts(forum), space_id=space.id %}: one query.
bp.add_app_template_global(cited_posts, "synthesis_cited_posts")


def _forum_space_or_404(space_id: int) -> Space:
    """A space of kind forum the current user may see; 404 otherwise (drafts stay hidden)."""
    space = visible_space_or_404(space_id, joinedload(Space.organism), selectinload(Space.moderators))
    if space.kind is not SpaceKind.FORUM:
        abort(404)
    return space


def _forum_of(space: Space, *options) -> Forum | None:
    return db.session.scalar(select(Forum).where(Forum.space_id == space.id).options(*options))


@bp.route("/espacios/<id:space_id>/foro/configurar", methods=["GET", "POST"])
@login_required
def settings(space_id: int):
    space = _forum_space_or_404(space_id)
    if not permissions.can_configure_forum(current_user, space):
        abort(403)
    forum = _forum_of(space, selectinload(Forum.axes))
    if request.method == "POST":
        form = ForumSettingsForm()
    elif forum is None:
        form = ForumSettingsForm(
            data={
                "rules": str(DEFAULT_RULES),
                "moderation_mode": ModerationMode.POST,
                "flag_threshold": DEFAULT_FLAG_THRESHOLD,
            }
        )
    else:
        form = ForumSettingsForm(
            data={
                "topic": forum.topic,
                "context": forum.context,
                "rules": forum.rules,
                "moderation_mode": forum.moderation_mode,
                "flag_threshold": forum.flag_threshold,
                "axes": format_axes(forum.axes),
            }
        )
    opening = forum is None
    status = 200
    if form.validate_on_submit():
        try:
            configure_forum(current_user, space, form.details())
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(_("Se abrió el foro.") if opening else _("Se guardaron los cambios del foro."), "success")
            return redirect(url_for("forums.show", space_id=space_id))
    elif form.is_submitted():
        status = 400
    return render_template("forums/settings.html", form=form, space=space, opening=opening), status


def _supports_label(count: int) -> str:
    return ngettext("%(num)d apoyo", "%(num)d apoyos", count)


@bp.route("/espacios/<id:space_id>/foro/relatoria", methods=["GET", "POST"])
def synthesis(space_id: int):
    space = _forum_space_or_404(space_id)
    forum = _forum_of(space)
    if forum is None:
        abort(404)
    if request.method == "GET" and forum.synthesis_published_at is not None:
        return render_template("forums/synthesis.html", space=space, forum=forum, cited_posts=cited_posts(forum))
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    # A published, not-yet-closed or foreign relatoría: the error page explains why (409 or 403).
    check_synthesis_allowed(current_user, space, forum)

    form = SynthesisForm()
    form.set_citable(citable_posts(forum), _supports_label)
    status = 200
    if form.validate_on_submit():
        try:
            publish_synthesis(current_user, forum, text=form.text.data or "", cited_post_ids=form.cited_post_ids.data)
            db.session.commit()
        except DomainError as error:
            current_app.logger.info("forum %s: relatoría by user %s refused: %s", forum.id, current_user.id, error)
            status = show_domain_error(form, error)
        else:
            flash(_("Se publicó la relatoría y el espacio pasó a «Resultados publicados»."), "success")
            return redirect(url_for("forums.synthesis", space_id=space_id))
    elif form.is_submitted():
        status = 400
    return render_template("forums/synthesis.html", space=space, forum=forum, form=form), status
