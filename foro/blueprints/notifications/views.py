"""Views of the in-app notifications: the list, marking one read (and opening it), marking all read,
and the unread count every page's header shows. Rules live in foro.services.notifications."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import OperationalError

from foro.blueprints.notifications import bp
from foro.errors import NotFound
from foro.extensions import db
from foro.services import notifications

PER_PAGE = 30
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 100_000


@bp.app_context_processor
def unread_notifications() -> dict:
    """The header's "Notificaciones (N sin leer)": one query, only for people who are logged in."""
    if not current_user.is_authenticated:
        return {}
    try:
        return {"unread_notifications": notifications.unread_count(current_user)}
    except OperationalError:
        # The database went away (the 503 page is being rendered): the header shows the link without a count.
        db.session.rollback()
        return {"unread_notifications": None}


@bp.route("/notificaciones", methods=["GET", "POST"])
@login_required
def index():
    """GET lists the person's notifications, unread first; POST marks them all read."""
    if request.method == "POST":
        if notifications.mark_all_read(current_user):
            flash(_("Marcaste todas tus notificaciones como leídas."), "success")
        db.session.commit()
        return redirect(url_for("notifications.index"))
    page = min(max(request.args.get("pagina", 1, type=int), 1), MAX_PAGE)
    pagination = db.paginate(
        notifications.notifications_query(current_user), page=page, per_page=PER_PAGE, error_out=False
    )
    return render_template("notifications/index.html", pagination=pagination)


@bp.post("/notificaciones/<id:notification_id>/leida")
@login_required
def read(notification_id: int):
    try:
        notification = notifications.mark_read(current_user, notification_id)
    except NotFound:
        abort(404)
    url = notification.url
    db.session.commit()
    if not notifications.is_local_path(url):
        # Stored URLs are checked when written; this guards rows written any other way.
        current_app.logger.warning("notification %s has a non-local url", notification_id)
        return redirect(url_for("notifications.index"))
    return redirect(url)
