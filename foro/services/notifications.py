"""In-app notifications: what happened to a person's contributions and to the threads they follow.

Other capabilities call ``notify`` (one person) or ``notify_each`` (a fan-out); the notifications page
reads ``notifications_query`` and marks them read. A notification's ``url`` is always a path inside
Foro, so following one can never send a person to another site.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update

from foro.errors import NotFound
from foro.extensions import db
from foro.models import ForumPost, Notification, NotificationKind, User
from foro.timeutil import now_utc

MESSAGE_MAX = 300


def path_for(endpoint: str, **values) -> str:
    """A path inside Foro built without a request (services also run from the CLI and the benchmark)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def post_path(post: ForumPost) -> str:
    """Where a post is read. A reply's own URL sends the reader to the page of its thread that shows it."""
    return path_for("forums.thread", space_id=post.forum.space_id, post_id=post.id)


def is_local_path(url: str) -> bool:
    """A path on this site: "/..." but not "//host" or "/\\host", which browsers read as another site."""
    return url.startswith("/") and not url.startswith(("//", "/\\")) and "\n" not in url and "\r" not in url


def _check_url(url: str) -> None:
    if not is_local_path(url):
        raise ValueError(f"notification url must be a path inside Foro, got {url!r}")


def _fit(message: str) -> str:
    message = str(message)
    return message if len(message) <= MESSAGE_MAX else message[: MESSAGE_MAX - 1] + "…"


@dataclass(frozen=True)
class Notice:
    """One person to tell something: used to fan a single event out with a message per person."""

    user_id: int
    kind: NotificationKind
    message: str


def notify_each(notices: list[Notice], url: str) -> int:
    """Store one notification per notice; deleted accounts and repeated people are skipped (the first
    notice for a person wins). Returns how many were stored. ``url`` must be a path inside Foro."""
    _check_url(url)
    first: dict[int, Notice] = {}
    for notice in notices:
        first.setdefault(notice.user_id, notice)
    if not first:
        return 0
    active = set(db.session.scalars(select(User.id).where(User.id.in_(first), User.deleted_at.is_(None))))
    moment = now_utc()
    rows = [
        Notification(user_id=user_id, kind=notice.kind, message=_fit(notice.message), url=url, created_at=moment)
        for user_id, notice in first.items()
        if user_id in active
    ]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def notify(recipient: User, kind: NotificationKind, message: str, url: str) -> Notification | None:
    """Tell one person something; nothing is stored for a deleted account. ``url`` is a path in Foro."""
    _check_url(url)
    if recipient.is_deleted:
        return None
    notification = Notification(user_id=recipient.id, kind=kind, message=_fit(message), url=url, created_at=now_utc())
    db.session.add(notification)
    db.session.flush()
    return notification


def unread_count(user: User) -> int:
    """One query on the (user_id, read_at, created_at) index."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_query(user: User) -> Select:
    """A person's notifications, unread first, newest first within each group."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (already read stays as it was) and return it.

    Someone else's notification is NotFound: its existence is not revealed.
    """
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != actor.id:
        raise NotFound(_l("Esta notificación no existe."))
    if notification.read_at is None:
        notification.read_at = now_utc()
        db.session.flush()
    return notification


def mark_all_read(actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
