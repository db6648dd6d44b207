"""Moderation of forums: citizens' flags, moderators' actions, suspensions, the append-only log and
the public transparency counts.

Every moderator action locks the post row first (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite
write requests already hold the write lock), re-reads its state and writes exactly one
``ModerationLogEntry``: two moderators acting at once give one transition and one log row.
``flags_count`` counts a post's open (unresolved) flags; it changes only in SQL, and a review
(approve, hide, restore, mark as duplicate) resolves the flags and sets it back to zero.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, event, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    FlagReason,
    Forum,
    ForumAxis,
    ForumPost,
    ModerationAction,
    ModerationLogEntry,
    NotificationKind,
    PostFlag,
    PostRevision,
    PostStatus,
    Space,
    SpaceState,
    SpaceSuspension,
    User,
)
from foro.models.moderation import REASON_MAX
from foro.sanitize import is_blank, normalise_plain_text
from foro.services.forums import announce_published
from foro.services.notifications import notify, path_for, post_path
from foro.services.page_cache import bump_forum_revision
from foro.timeutil import local_to_utc, now_utc, utc_to_local

SUSPENSION_DAYS_MIN = 1
SUSPENSION_DAYS_MAX = 365
# Titles quoted in log details and reasons, cut so the whole text fits its column.
QUOTED_TITLE_MAX = 120

# The actions a moderator takes on one post; SUSPEND acts on a person instead.
POST_ACTIONS = tuple(action for action in ModerationAction if action is not ModerationAction.SUSPEND)
# Spaces whose forum still takes flags: while it runs and once it closed (the record is still read).
FLAGGABLE_SPACE_STATES = (SpaceState.OPEN, SpaceState.CLOSED)


@event.listens_for(ModerationLogEntry, "before_update")
@event.listens_for(ModerationLogEntry, "before_delete")
def _log_is_append_only(_mapper, _connection, entry):
    raise RuntimeError(f"moderation log entry {entry.id} is append-only: it may not be changed or deleted")


# --- Small shared pieces -----------------------------------------------------------------------------


def _quoted_title(post: ForumPost) -> str:
    text = post.title or str(_l("respuesta n.º %(id)s", id=post.id))
    return text if len(text) <= QUOTED_TITLE_MAX else text[: QUOTED_TITLE_MAX - 1] + "…"


def _clean_reason(reason: str | None, *, required: bool, message) -> str:
    text = normalise_plain_text(reason or "")
    if required and is_blank(text):
        raise InvalidInput(message, field="reason")
    if len(text) > REASON_MAX:
        raise InvalidInput(_l("El motivo admite hasta %(n)s caracteres.", n=REASON_MAX), field="reason")
    return text


def _notify_author(post: ForumPost, actor: User | None, message: str) -> None:
    """Tell the author what happened to their post (not when they moderated it themselves)."""
    author = post.author
    if author is None or (actor is not None and author.id == actor.id):
        return
    notify(author, NotificationKind.MODERATION, message, post_path(post))


def _log(
    actor: User,
    space_id: int,
    action: ModerationAction,
    *,
    post: ForumPost | None = None,
    target_user_id: int | None = None,
    reason: str = "",
    details: str = "",
) -> ModerationLogEntry:
    entry = ModerationLogEntry(
        space_id=space_id,
        moderator_id=actor.id,
        action=action,
        post_id=post.id if post is not None else None,
        target_user_id=post.author_id if post is not None else target_user_id,
        reason=reason[:REASON_MAX],
        details=details[:REASON_MAX],
    )
    db.session.add(entry)
    return entry


def _adjust_reply_count(post: ForumPost, delta: int) -> None:
    """A thread's ``replies_count`` counts its published replies; a reply published now is activity."""
    if post.thread_id is not None:
        values = {"replies_count": ForumPost.replies_count + delta}
        if delta > 0:
            values["last_activity_at"] = now_utc()
        db.session.execute(
            update(ForumPost)
            .where(ForumPost.id == post.thread_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


# --- Flags -------------------------------------------------------------------------------------------


def flag_post(actor: User, post: ForumPost, *, reason: FlagReason, note: str = "") -> PostFlag:
    """Report a published post of an open or closed forum, once per person.

    The counter grows in SQL; the flag that makes it reach the forum's threshold hides the post
    (FLAGGED) with a conditional UPDATE, so concurrent last flags flip it once, and the author is told.
    Raises NotAllowed (anonymous, own post), InvalidTransition (post not visible, forum not open or
    closed), InvalidInput (reason, note) or Conflict (already flagged by this person).
    """
    if not permissions.can_flag_post(actor, post):
        if post.author_id is not None and post.author_id == getattr(actor, "id", None):
            raise NotAllowed(_l("No puedes reportar tu propio aporte."))
        raise NotAllowed(_l("Inicia sesión para reportar un aporte."))
    forum = post.forum
    if forum.space.state not in FLAGGABLE_SPACE_STATES:
        raise InvalidTransition(_l("Solo se pueden reportar aportes de foros abiertos o cerrados."))
    if post.status is not PostStatus.PUBLISHED:
        raise InvalidTransition(_l("Este aporte no está publicado: no se puede reportar."))
    if not isinstance(reason, FlagReason):
        raise InvalidInput(_l("Elige el motivo del reporte."), field="reason")
    note = normalise_plain_text(note or "")
    if len(note) > REASON_MAX:
        raise InvalidInput(_l("El comentario admite hasta %(n)s caracteres.", n=REASON_MAX), field="note")

    flag = PostFlag(post_id=post.id, user_id=actor.id, reason=reason, note=note)
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        raise Conflict(_l("Ya reportaste este aporte.")) from None
    # A moderator may have hidden the post since it was read; a flag on an already FLAGGED post
    # (a concurrent last flag) still counts for the review.
    counted = db.session.execute(
        update(ForumPost)
        .where(ForumPost.id == post.id, ForumPost.status.in_((PostStatus.PUBLISHED, PostStatus.FLAGGED)))
        .values(flags_count=ForumPost.flags_count + 1)
    ).rowcount
    if not counted:
        raise InvalidTransition(_l("Este aporte no está publicado: no se puede reportar."))
    flipped = db.session.execute(
        update(ForumPost)
        .where(
            ForumPost.id == post.id,
            ForumPost.status == PostStatus.PUBLISHED,
            ForumPost.flags_count >= forum.flag_threshold,
        )
        .values(status=PostStatus.FLAGGED)
    ).rowcount
    if flipped:
        _adjust_reply_count(post, -1)
        # Hidden from the public now: the cached pages that show it are out of date.
        bump_forum_revision(forum.id)
        _notify_author(
            post,
            None,
            str(
                _l(
                    "Tu aporte «%(title)s» quedó oculto mientras el equipo de moderación revisa los reportes "
                    "que recibió.",
                    title=_quoted_title(post),
                )
            ),
        )
    db.session.flush()
    # The counters and the status changed in SQL: the object shows them from the database again.
    db.session.expire(post, ["flags_count", "status"])
    return flag


# --- Moderator actions on a post --------------------------------------------------------------------

# The statuses each reviewing action starts from; anything else is an InvalidTransition.
STATUS_MOVES = {
    ModerationAction.APPROVE: {PostStatus.PENDING, PostStatus.FLAGGED, PostStatus.PUBLISHED},
    ModerationAction.HIDE: {PostStatus.PENDING, PostStatus.PUBLISHED, PostStatus.FLAGGED},
    ModerationAction.RESTORE: {PostStatus.HIDDEN, PostStatus.FLAGGED},
    ModerationAction.MARK_DUPLICATE: {PostStatus.PENDING, PostStatus.PUBLISHED, PostStatus.FLAGGED},
}

_VERBS = {
    ModerationAction.APPROVE: _l("aprobar"),
    ModerationAction.HIDE: _l("ocultar"),
    ModerationAction.RESTORE: _l("restaurar"),
    ModerationAction.MARK_DUPLICATE: _l("marcar como duplicado"),
}


def _locked_post(actor: User, post: ForumPost) -> ForumPost:
    """Check the permission, then lock the post row and read its current state."""
    if not permissions.can_moderate(actor, post.forum.space):
        raise NotAllowed(_l("Solo quienes moderan este espacio pueden hacerlo."))
    return db.session.execute(
        select(ForumPost).where(ForumPost.id == post.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _check_status(post: ForumPost, action: ModerationAction) -> None:
    if post.status not in STATUS_MOVES[action]:
        raise InvalidTransition(
            _l("Este aporte está «%(status)s»: no se puede %(verb)s.", status=post.status.label, verb=_VERBS[action])
        )


def _review(post: ForumPost, status: PostStatus, hidden_reason: str = "") -> int:
    """Give the post its reviewed status and resolve its open flags; returns how many were resolved."""
    was_published = post.status is PostStatus.PUBLISHED
    resolved = db.session.execute(
        update(PostFlag)
        .where(PostFlag.post_id == post.id, PostFlag.resolved_at.is_(None))
        .values(resolved_at=now_utc())
    ).rowcount
    post.status = status
    post.hidden_reason = hidden_reason
    # An absolute value under the row lock: the review answered every open flag.
    post.flags_count = 0
    is_published = status is PostStatus.PUBLISHED
    if was_published != is_published:
        _adjust_reply_count(post, 1 if is_published else -1)
    return resolved


def approve_post(actor: User, post: ForumPost) -> ModerationLogEntry:
    """Publish a pending or flagged post, or keep a published one and dismiss its open flags.

    Approving a published post without open flags is an InvalidTransition. Raises NotAllowed too.
    """
    locked = _locked_post(actor, post)
    if locked.status is PostStatus.PUBLISHED and locked.flags_count == 0:
        raise InvalidTransition(_l("Este aporte ya está publicado y no tiene reportes pendientes."))
    _check_status(locked, ModerationAction.APPROVE)
    previous = locked.status
    resolved = _review(locked, PostStatus.PUBLISHED)
    if previous is PostStatus.PENDING:
        # Published for the first time: those it answers or who follow its thread hear of it now.
        announce_published(locked)
    if previous is not PostStatus.PUBLISHED:
        _notify_author(locked, actor, str(_l("Tu aporte «%(title)s» fue publicado.", title=_quoted_title(locked))))
    entry = _log(
        actor,
        locked.forum.space_id,
        ModerationAction.APPROVE,
        post=locked,
        details=str(_l("Estaba «%(status)s»; reportes resueltos: %(n)s.", status=previous.label, n=resolved)),
    )
    db.session.flush()
    bump_forum_revision(locked.forum_id)
    return entry


def hide_post(actor: User, post: ForumPost, *, reason: str) -> ModerationLogEntry:
    """Hide a post with a reason (required, up to 500 characters) that its author reads.

    Raises NotAllowed, InvalidInput (reason) or InvalidTransition (already hidden or withdrawn).
    """
    reason = _clean_reason(reason, required=True, message=_l("Escribe el motivo por el que ocultas este aporte."))
    locked = _locked_post(actor, post)
    _check_status(locked, ModerationAction.HIDE)
    previous = locked.status
    resolved = _review(locked, PostStatus.HIDDEN, reason)
    _notify_author(
        locked,
        actor,
        str(
            _l(
                "Tu aporte «%(title)s» fue ocultado por moderación. Motivo: %(reason)s",
                title=_quoted_title(locked),
                reason=reason,
            )
        ),
    )
    entry = _log(
        actor,
        locked.forum.space_id,
        ModerationAction.HIDE,
        post=locked,
        reason=reason,
        details=str(_l("Estaba «%(status)s»; reportes resueltos: %(n)s.", status=previous.label, n=resolved)),
    )
    db.session.flush()
    bump_forum_revision(locked.forum_id)
    return entry


def restore_post(actor: User, post: ForumPost) -> ModerationLogEntry:
    """Publish again a hidden or flagged post: clears the reason and the duplicate link, resolves flags.

    Raises NotAllowed or InvalidTransition.
    """
    locked = _locked_post(actor, post)
    _check_status(locked, ModerationAction.RESTORE)
    previous = locked.status
    resolved = _review(locked, PostStatus.PUBLISHED)
    locked.duplicate_of_id = None
    _notify_author(
        locked, actor, str(_l("Tu aporte «%(title)s» fue restaurado y está publicado.", title=_quoted_title(locked)))
    )
    entry = _log(
        actor,
        locked.forum.space_id,
        ModerationAction.RESTORE,
        post=locked,
        details=str(_l("Estaba «%(status)s»; reportes resueltos: %(n)s.", status=previous.label, n=resolved)),
    )
    db.session.flush()
    bump_forum_revision(locked.forum_id)
    return entry


def _require_head(post: ForumPost) -> None:
    if post.thread_id is not None:
        raise InvalidTransition(_l("Esto solo se puede hacer con un aporte principal, no con una respuesta."))


# attribute, value -> (action, message when the thread is already so)
_THREAD_FLAGS = {
    ("is_locked", True): (ModerationAction.LOCK, _l("El hilo ya está cerrado.")),
    ("is_locked", False): (ModerationAction.UNLOCK, _l("El hilo no está cerrado.")),
    ("is_pinned", True): (ModerationAction.PIN, _l("El hilo ya está fijado.")),
    ("is_pinned", False): (ModerationAction.UNPIN, _l("El hilo no está fijado.")),
}


def _set_thread_flag(actor: User, post: ForumPost, attribute: str, value: bool) -> ModerationLogEntry:
    action, unchanged = _THREAD_FLAGS[(attribute, value)]
    locked = _locked_post(actor, post)
    _require_head(locked)
    if getattr(locked, attribute) is value:
        raise InvalidTransition(unchanged)
    setattr(locked, attribute, value)
    entry = _log(actor, locked.forum.space_id, action, post=locked)
    db.session.flush()
    bump_forum_revision(locked.forum_id)
    return entry


def set_thread_locked(actor: User, post: ForumPost, locked: bool) -> ModerationLogEntry:
    """Lock (no more replies) or unlock a thread. Raises NotAllowed or InvalidTransition (a reply, no change)."""
    return _set_thread_flag(actor, post, "is_locked", locked)


def set_thread_pinned(actor: User, post: ForumPost, pinned: bool) -> ModerationLogEntry:
    """Pin a thread atop its forum, or unpin it. Raises NotAllowed or InvalidTransition (a reply, no change)."""
    return _set_thread_flag(actor, post, "is_pinned", pinned)


def move_post(actor: User, post: ForumPost, *, axis_id: int | None) -> ModerationLogEntry:
    """File a contribution under another axis of the same forum.

    Raises NotAllowed, InvalidTransition (a reply, or already there) or InvalidInput (axis of another forum).
    """
    locked = _locked_post(actor, post)
    _require_head(locked)
    axis = db.session.get(ForumAxis, axis_id) if axis_id is not None else None
    if axis is None or axis.forum_id != locked.forum_id:
        raise InvalidInput(_l("Elige uno de los ejes de este foro."), field="axis_id")
    if axis.id == locked.axis_id:
        raise InvalidTransition(_l("El aporte ya está en ese eje."))
    details = str(_l("De «%(old)s» a «%(new)s».", old=locked.axis.title, new=axis.title))
    locked.axis = axis
    entry = _log(actor, locked.forum.space_id, ModerationAction.MOVE, post=locked, details=details)
    db.session.flush()
    bump_forum_revision(locked.forum_id)
    return entry


def mark_duplicate(actor: User, post: ForumPost, *, duplicate_of_id: int | None) -> ModerationLogEntry:
    """Hide a contribution as a duplicate of another published contribution of the same forum, and link them.

    Raises NotAllowed, InvalidTransition (a reply, already hidden or withdrawn) or InvalidInput (the original).
    """
    locked = _locked_post(actor, post)
    _require_head(locked)
    _check_status(locked, ModerationAction.MARK_DUPLICATE)
    original = db.session.get(ForumPost, duplicate_of_id) if duplicate_of_id is not None else None
    if (
        original is None
        or original.id == locked.id
        or original.forum_id != locked.forum_id
        or original.thread_id is not None
        or original.status is not PostStatus.PUBLISHED
    ):
        raise InvalidInput(
            _l("Escribe el número de otro aporte principal publicado en este mismo foro."), field="duplicate_of_id"
        )
    reason = str(_l("Duplicado de «%(title)s» (aporte n.º %(id)s).", title=_quoted_title(original), id=original.id))
    resolved = _review(locked, PostStatus.HIDDEN, reason)
    locked.duplicate_of_id = original.id
    _notify_author(
        locked,
        actor,
        str(_l("Tu aporte «%(title)s» fue ocultado. Motivo: %(reason)s", title=_quoted_title(locked), reason=reason)),
    )
    entry = _log(
        actor,
        locked.forum.space_id,
        ModerationAction.MARK_DUPLICATE,
        post=locked,
        reason=reason,
        details=str(_l("Aporte original: n.º %(id)s; reportes resueltos: %(n)s.", id=original.id, n=resolved)),
    )
    db.session.flush()
    bump_forum_revision(locked.forum_id)
    return entry


def moderate_post(
    actor: User,
    post: ForumPost,
    action: ModerationAction,
    *,
    reason: str = "",
    axis_id: int | None = None,
    duplicate_of_id: int | None = None,
) -> ModerationLogEntry:
    """One of POST_ACTIONS by its code, as forms and socket events name it; see each action's rules."""
    calls = {
        ModerationAction.APPROVE: lambda: approve_post(actor, post),
        ModerationAction.HIDE: lambda: hide_post(actor, post, reason=reason),
        ModerationAction.RESTORE: lambda: restore_post(actor, post),
        ModerationAction.LOCK: lambda: set_thread_locked(actor, post, True),
        ModerationAction.UNLOCK: lambda: set_thread_locked(actor, post, False),
        ModerationAction.PIN: lambda: set_thread_pinned(actor, post, True),
        ModerationAction.UNPIN: lambda: set_thread_pinned(actor, post, False),
        ModerationAction.MOVE: lambda: move_post(actor, post, axis_id=axis_id),
        ModerationAction.MARK_DUPLICATE: lambda: mark_duplicate(actor, post, duplicate_of_id=duplicate_of_id),
    }
    if action not in calls:
        raise InvalidInput(_l("Esa acción de moderación no existe."), field="action")
    return calls[action]()


# --- Suspensions -------------------------------------------------------------------------------------


def suspend_user(actor: User, space: Space, target_id: int | None, *, days: int | None, reason: str) -> SpaceSuspension:
    """Keep a person from contributing to a space for 1 to 365 days, with a reason they are told.

    Nobody suspends themselves nor someone who moderates the space. Raises NotAllowed or InvalidInput.
    """
    if not permissions.can_moderate(actor, space):
        raise NotAllowed(_l("Solo quienes moderan este espacio pueden suspender a una persona."))
    target = db.session.get(User, target_id) if target_id is not None else None
    if target is None or target.is_deleted:
        raise InvalidInput(_l("La persona elegida no existe."), field="user_id")
    if target.id == actor.id or permissions.can_moderate(target, space):
        raise InvalidInput(_l("No se puede suspender a quien modera este espacio."), field="user_id")
    if days is None or not SUSPENSION_DAYS_MIN <= days <= SUSPENSION_DAYS_MAX:
        raise InvalidInput(
            _l("La suspensión dura entre %(min)s y %(max)s días.", min=SUSPENSION_DAYS_MIN, max=SUSPENSION_DAYS_MAX),
            field="days",
        )
    reason = _clean_reason(reason, required=True, message=_l("Escribe el motivo de la suspensión."))
    until = now_utc() + timedelta(days=days)
    suspension = SpaceSuspension(
        space_id=space.id, user_id=target.id, until=until, reason=reason, moderator_id=actor.id
    )
    db.session.add(suspension)
    until_text = format_date(utc_to_local(until).date(), "d 'de' MMMM 'de' y")
    _log(
        actor,
        space.id,
        ModerationAction.SUSPEND,
        target_user_id=target.id,
        reason=reason,
        details=str(_l("%(days)s días, hasta el %(until)s.", days=days, until=until_text)),
    )
    notify(
        target,
        NotificationKind.MODERATION,
        str(
            _l(
                "No podrás participar en «%(space)s» hasta el %(until)s. Motivo: %(reason)s",
                space=space.title,
                until=until_text,
                reason=reason,
            )
        ),
        path_for("spaces.show", space_id=space.id),
    )
    db.session.flush()
    return suspension


# --- The queue ---------------------------------------------------------------------------------------


@dataclass
class FlagGroup:
    reason: FlagReason
    count: int
    notes: list[str] = field(default_factory=list)


@dataclass
class QueueItem:
    post: ForumPost
    flag_groups: list[FlagGroup]


def moderated_space_ids(actor: User) -> list[int] | None:
    """The spaces whose queue ``actor`` works: None means every space (admins)."""
    if permissions.is_admin(actor):
        return None
    spaces = db.session.scalars(
        select(Space).join(Space.moderators).where(User.id == actor.id).options(joinedload(Space.moderators))
    ).unique()
    return [space.id for space in spaces if permissions.can_moderate(actor, space)]


def needs_attention():
    """Posts a moderator must look at: pending, flagged, and published ones with open flags."""
    return or_(
        ForumPost.status.in_((PostStatus.PENDING, PostStatus.FLAGGED)),
        and_(ForumPost.status == PostStatus.PUBLISHED, ForumPost.flags_count > 0),
    )


def queue_query(space_ids: list[int] | None) -> Select:
    """The queue, most urgent first (flagged, pending, then published with flags), oldest first within each."""
    urgency = case((ForumPost.status == PostStatus.FLAGGED, 0), (ForumPost.status == PostStatus.PENDING, 1), else_=2)
    query = (
        select(ForumPost)
        .join(Forum, ForumPost.forum_id == Forum.id)
        .where(needs_attention())
        .options(
            joinedload(ForumPost.author),
            joinedload(ForumPost.axis),
            # The page asks whether each author moderates the space (no suspension form for them).
            joinedload(ForumPost.forum).joinedload(Forum.space).selectinload(Space.moderators),
        )
        .order_by(urgency, ForumPost.created_at, ForumPost.id)
    )
    if space_ids is not None:
        query = query.where(Forum.space_id.in_(space_ids))
    return query


def queue_items(posts: list[ForumPost]) -> list[QueueItem]:
    """Each post with its open flags grouped by reason (most frequent first), in one query."""
    flags = db.session.execute(
        select(PostFlag.post_id, PostFlag.reason, PostFlag.note)
        .where(PostFlag.post_id.in_([post.id for post in posts]), PostFlag.resolved_at.is_(None))
        .order_by(PostFlag.created_at, PostFlag.id)
    ).all()
    grouped: dict[int, dict[FlagReason, FlagGroup]] = defaultdict(dict)
    for post_id, reason, note in flags:
        group = grouped[post_id].setdefault(reason, FlagGroup(reason, 0))
        group.count += 1
        if note:
            group.notes.append(note)
    return [
        QueueItem(post, sorted(grouped[post.id].values(), key=lambda group: (-group.count, group.reason.value)))
        for post in posts
    ]


def axes_by_forum(forum_ids) -> dict[int, list[ForumAxis]]:
    axes = db.session.scalars(
        select(ForumAxis).where(ForumAxis.forum_id.in_(set(forum_ids))).order_by(ForumAxis.position, ForumAxis.id)
    )
    by_forum: dict[int, list[ForumAxis]] = defaultdict(list)
    for axis in axes:
        by_forum[axis.forum_id].append(axis)
    return by_forum


# --- Revisions and transparency ---------------------------------------------------------------------


def post_revisions(actor: User, post: ForumPost) -> list[PostRevision]:
    """A post's previous versions, newest first: only for the space's moderators. Raises NotAllowed."""
    if not permissions.can_see_revisions(actor, post.forum.space):
        raise NotAllowed(_l("Solo quienes moderan este espacio pueden ver el historial de un aporte."))
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        )
    )


@dataclass
class Transparency:
    """Public counts of a forum's moderation; never any of the hidden content itself."""

    flagged: int
    hidden: int
    pending: int
    duplicates: int
    hidden_without_flags: int
    by_reason: dict[FlagReason, int]
    # Moderators' actions in the space, by kind, as the log records them.
    actions: dict[ModerationAction, int]

    @property
    def total_hidden(self) -> int:
        return self.flagged + self.hidden


def transparency(forum: Forum) -> Transparency:
    """How many contributions are hidden (pending review or by moderation), why, and how many wait approval.

    ``by_reason`` counts, per reason, the hidden posts that people flagged for it (a post flagged for
    two reasons counts under both); ``hidden_without_flags`` those a moderator hid with no flag at all.
    """
    hidden_statuses = (PostStatus.FLAGGED, PostStatus.HIDDEN)
    has_flags = exists().where(PostFlag.post_id == ForumPost.id)
    counts = db.session.execute(
        select(
            func.count().filter(ForumPost.status == PostStatus.FLAGGED),
            func.count().filter(ForumPost.status == PostStatus.HIDDEN),
            func.count().filter(ForumPost.status == PostStatus.PENDING),
            func.count().filter(ForumPost.status == PostStatus.HIDDEN, ForumPost.duplicate_of_id.is_not(None)),
            func.count().filter(ForumPost.status == PostStatus.HIDDEN, ~has_flags),
        ).where(ForumPost.forum_id == forum.id)
    ).one()
    reasons = dict(
        db.session.execute(
            select(PostFlag.reason, func.count(func.distinct(PostFlag.post_id)))
            .join(ForumPost, PostFlag.post_id == ForumPost.id)
            .where(ForumPost.forum_id == forum.id, ForumPost.status.in_(hidden_statuses))
            .group_by(PostFlag.reason)
        ).all()
    )
    actions = dict(
        db.session.execute(
            select(ModerationLogEntry.action, func.count())
            .where(ModerationLogEntry.space_id == forum.space_id)
            .group_by(ModerationLogEntry.action)
        ).all()
    )
    return Transparency(
        flagged=counts[0],
        hidden=counts[1],
        pending=counts[2],
        duplicates=counts[3],
        hidden_without_flags=counts[4],
        by_reason={reason: reasons.get(reason, 0) for reason in FlagReason},
        actions={action: actions.get(action, 0) for action in ModerationAction},
    )


# --- The log -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    """What the moderation log is narrowed to; ``None`` means "todos". Dates are local (Cali) days."""

    space_id: int | None = None
    moderator_id: int | None = None
    action: ModerationAction | None = None
    since: date | None = None
    until: date | None = None


def _local_midnight_utc(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, datetime.min.time()))


def log_query(filters: LogFilters) -> Select:
    """Log entries matching ``filters``, newest first, with space, moderator and target preloaded."""
    query = (
        select(ModerationLogEntry)
        .options(
            joinedload(ModerationLogEntry.moderator),
            joinedload(ModerationLogEntry.target_user),
        )
        .order_by(ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc())
    )
    if filters.space_id is not None:
        query = query.where(ModerationLogEntry.space_id == filters.space_id)
    if filters.moderator_id is not None:
        query = query.where(ModerationLogEntry.moderator_id == filters.moderator_id)
    if filters.action is not None:
        query = query.where(ModerationLogEntry.action == filters.action)
    if filters.since is not None:
        query = query.where(ModerationLogEntry.created_at >= _local_midnight_utc(filters.since))
    if filters.until is not None:
        query = query.where(ModerationLogEntry.created_at < _local_midnight_utc(filters.until + timedelta(days=1)))
    return query


def space_titles(space_ids) -> dict[int, str]:
    return dict(db.session.execute(select(Space.id, Space.title).where(Space.id.in_(set(space_ids)))).all())


def log_filter_choices() -> tuple[list[tuple[int, str]], list[User]]:
    """The spaces and the moderators that appear in the log, to filter by."""
    spaces = db.session.execute(
        select(Space.id, Space.title)
        .where(Space.id.in_(select(ModerationLogEntry.space_id).distinct()))
        .order_by(Space.title, Space.id)
    ).all()
    moderators = db.session.scalars(
        select(User)
        .where(User.id.in_(select(ModerationLogEntry.moderator_id).distinct()))
        .order_by(User.display_name, User.id)
    ).all()
    return [tuple(row) for row in spaces], list(moderators)


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def log_export_rows(filters: LogFilters):
    """The log as rows of text for a CSV file: header first, names but never emails."""
    yield [
        str(_l("Fecha (hora de Colombia)")),
        str(_l("Espacio (n.º)")),
        str(_l("Espacio")),
        str(_l("Moderador/a")),
        str(_l("Acción")),
        str(_l("Aporte (n.º)")),
        str(_l("Persona afectada")),
        str(_l("Motivo")),
        str(_l("Detalles")),
    ]
    entries = db.session.scalars(log_query(filters)).unique().all()
    titles = space_titles(entry.space_id for entry in entries)
    for entry in entries:
        yield [
            spreadsheet_safe(cell)
            for cell in (
                utc_to_local(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                entry.space_id,
                titles.get(entry.space_id, ""),
                entry.moderator.public_name if entry.moderator else "",
                entry.action.label,
                entry.post_id or "",
                entry.target_user.public_name if entry.target_user else "",
                entry.reason,
                entry.details,
            )
        ]
