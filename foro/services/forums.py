"""The forum for citizens: typed contributions and replies, supports, follows, the author's edits and
withdrawals, and the read queries behind the forum and thread pages.

A contribution (thread head) has a kind and an axis; causes and consequences hang under a problem of
the same forum, a proposal may answer one. Replies belong to a thread and may quote one of its posts.
Counters change only in SQL; one support and one follow per person are the tables' primary keys.
Pending, flagged and hidden posts are seen only by their author and the space's moderators: the read
queries filter them in SQL with the same rule as ``permissions.can_see_post``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, delete, exists, func, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotAllowed, NotFound
from foro.extensions import db
from foro.models import (
    ContributionKind,
    Forum,
    ForumAxis,
    ForumPost,
    ModerationMode,
    NotificationKind,
    PostFlag,
    PostRevision,
    PostStatus,
    PostSupport,
    Proposal,
    ProposalCall,
    ProposalStatus,
    Space,
    SpaceState,
    SpaceSuspension,
    User,
    thread_follows,
)
from foro.models.forum import BODY_MAX, TITLE_MAX
from foro.sanitize import clean_text_area, is_blank, normalise_plain_text
from foro.search import search_text
from foro.security import MAX_ID
from foro.services.notifications import Notice, notify_each, post_path
from foro.services.page_cache import bump_forum_revision
from foro.timeutil import now_utc, utc_to_local

# Kinds that hang under a problem; causes and consequences must, a proposal may stand alone.
KINDS_UNDER_PROBLEM = (ContributionKind.CAUSE, ContributionKind.CONSEQUENCE, ContributionKind.PROPOSAL)
KINDS_NEEDING_PROBLEM = (ContributionKind.CAUSE, ContributionKind.CONSEQUENCE)
# Statuses everybody sees (a withdrawn post as a placeholder).
PUBLIC_STATUSES = (PostStatus.PUBLISHED, PostStatus.WITHDRAWN)

REPLIES_PER_PAGE = 50
LIST_PER_PAGE = 30
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 100_000
# The tree shows, per axis, the most relevant problems and other contributions (up to TREE_PER_AXIS of
# each), and under each problem its most relevant causes, consequences and proposals; the flat list
# and the thread pages show the rest.
TREE_PER_AXIS = 10
TREE_CHILDREN_PER_KIND = 3
# Titles quoted inside notification messages are cut so the message fits its column.
QUOTED_TITLE_MAX = 120

LIST_ORDERS = {
    "apoyos": (ForumPost.supports_count.desc(), ForumPost.created_at.desc(), ForumPost.id.desc()),
    "recientes": (ForumPost.created_at.desc(), ForumPost.id.desc()),
    "comentados": (ForumPost.replies_count.desc(), ForumPost.last_activity_at.desc(), ForumPost.id.desc()),
}
DEFAULT_LIST_ORDER = "apoyos"
# Most relevant first: pinned threads, then the most supported, then the newest.
_RELEVANCE = (ForumPost.is_pinned.desc(), ForumPost.supports_count.desc(), ForumPost.id.desc())


# --- Who may take part -------------------------------------------------------------------------------


def suspended_until(user, space: Space) -> datetime | None:
    """The end of the person's longest running suspension from the space, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(func.max(SpaceSuspension.until)).where(
            SpaceSuspension.space_id == space.id,
            SpaceSuspension.user_id == user.id,
            SpaceSuspension.until > now_utc(),
        )
    )


def contribution_refusal(user, space: Space, suspension_end: datetime | None) -> DomainError | None:
    """Why ``user`` may not post, reply or support in the space now (None if they may).

    ``suspension_end`` comes from ``suspended_until``; pages load it once with the viewer's state.
    """
    if permissions.can_contribute(user, space, suspended=suspension_end is not None):
        return None
    if space.state in (SpaceState.DRAFT, SpaceState.ANNOUNCED):
        return InvalidTransition(_l("El foro todavía no está abierto: podrás participar cuando abra."))
    if space.state is not SpaceState.OPEN:
        return InvalidTransition(_l("El foro está cerrado: ya no recibe aportes, respuestas ni apoyos."))
    if suspension_end is not None:
        return NotAllowed(
            _l(
                "Estás suspendido de este espacio hasta el %(moment)s.",
                moment=format_datetime(utc_to_local(suspension_end), "d 'de' MMMM 'de' y, h:mm a"),
            )
        )
    return NotAllowed(_l("Inicia sesión para participar en el foro."))


def _require_contributor(user, space: Space) -> None:
    refusal = contribution_refusal(user, space, suspended_until(user, space))
    if refusal is not None:
        raise refusal


def _is_active(user) -> bool:
    return getattr(user, "is_authenticated", False) and not user.is_deleted


def initial_status(forum: Forum) -> PostStatus:
    return PostStatus.PENDING if forum.moderation_mode is ModerationMode.PRE else PostStatus.PUBLISHED


# --- Cleaning what people write ----------------------------------------------------------------------


def _clean_title(title: str | None) -> str:
    text = normalise_plain_text(title or "")
    if is_blank(text):
        raise InvalidInput(_l("Escribe un título: es un campo obligatorio."), field="title")
    if "\x00" in text:
        raise InvalidInput(_l("El título contiene caracteres no válidos."), field="title")
    if len(text) > TITLE_MAX:
        raise InvalidInput(_l("El título admite hasta %(n)s caracteres.", n=TITLE_MAX), field="title")
    return text


def _clean_body(body: str | None) -> str:
    """The body as stored (foro.sanitize.clean_text_area), with the forum's messages."""
    return clean_text_area(
        body,
        field="body",
        limit=BODY_MAX,
        required=_l("Escribe el texto de tu aporte: es un campo obligatorio."),
        too_long=_l("El texto admite hasta %(n)s caracteres.", n=BODY_MAX),
        emptied=_l("El texto quedó vacío: no se admiten scripts, estilos ni imágenes. Escribe tu aporte en texto."),
    )


def _is_id(value) -> bool:
    """A value that can be a row id: looking up anything else (a huge number overflows PostgreSQL's
    integer) is pointless."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def _parse_kind(kind) -> ContributionKind:
    try:
        return ContributionKind(kind)
    except ValueError:
        raise InvalidInput(_l("Elige el tipo de aporte."), field="kind") from None


def _axis_of(forum: Forum, axis_id) -> ForumAxis:
    axis = next((axis for axis in forum.axes if axis.id == axis_id), None)
    if axis is None:
        raise InvalidInput(_l("Elige uno de los ejes de este foro."), field="axis_id")
    return axis


def _parent_problem(actor: User, forum: Forum, kind: ContributionKind, parent_id) -> ForumPost | None:
    if parent_id is None:
        if kind in KINDS_NEEDING_PROBLEM:
            raise InvalidInput(
                _l("Elige el problema al que corresponde esta %(kind)s.", kind=str(kind.label).lower()),
                field="parent_id",
            )
        return None
    if kind not in KINDS_UNDER_PROBLEM:
        raise InvalidInput(
            _l("Solo las causas, las consecuencias y las propuestas se ubican bajo un problema."), field="parent_id"
        )
    parent = db.session.get(ForumPost, parent_id) if _is_id(parent_id) else None
    if (
        parent is None
        or parent.forum_id != forum.id
        or not parent.is_head
        or parent.status is PostStatus.WITHDRAWN
        or not permissions.can_see_post(actor, parent, forum.space)
    ):
        raise InvalidInput(_l("El problema elegido no existe en este foro."), field="parent_id")
    if parent.kind is not ContributionKind.PROBLEM:
        raise InvalidInput(
            _l(
                "Las causas, las consecuencias y las propuestas se ubican bajo un problema, y el aporte elegido "
                "es «%(kind)s».",
                kind=parent.kind.label,
            ),
            field="parent_id",
        )
    return parent


def quotable_post(viewer, thread: ForumPost, quote_id) -> ForumPost | None:
    """The post of ``thread`` (its head or one of its replies) that ``viewer`` may quote, or None."""
    if not _is_id(quote_id):
        return None
    quote = db.session.get(ForumPost, quote_id)
    if (
        quote is None
        or (quote.id != thread.id and quote.thread_id != thread.id)
        or quote.status is not PostStatus.PUBLISHED
        or not permissions.can_see_post(viewer, quote, thread.forum.space)
    ):
        return None
    return quote


# --- Posting -----------------------------------------------------------------------------------------


def post_contribution(
    actor: User, forum: Forum, *, kind, axis_id, title: str, body: str, parent_id: int | None = None
) -> ForumPost:
    """A new contribution (thread head) by ``actor``, who then follows its thread.

    Rules: the space is open and the actor not suspended; the kind is one of ContributionKind; causes
    and consequences need a problem of this forum (``parent_id``), proposals may name one, other kinds
    may not; a contribution under a problem takes the problem's axis, any other names an axis of this
    forum; title (up to 200 characters) and body (up to 10,000, sanitised) are required. In a
    pre-moderated forum it waits for approval (PENDING), otherwise it is published at once.
    Raises InvalidTransition (forum not open), NotAllowed (anonymous, suspended) or InvalidInput.
    """
    space = forum.space
    _require_contributor(actor, space)
    kind = _parse_kind(kind)
    parent = _parent_problem(actor, forum, kind, parent_id)
    axis_id = parent.axis_id if parent is not None else _axis_of(forum, axis_id).id
    title = _clean_title(title)
    body = _clean_body(body)
    moment = now_utc()
    post = ForumPost(
        forum_id=forum.id,
        kind=kind,
        axis_id=axis_id,
        parent_id=parent.id if parent is not None else None,
        author_id=actor.id,
        title=title,
        body=body,
        status=initial_status(forum),
        search_text=search_text(title, body),
        created_at=moment,
        last_activity_at=moment,
    )
    db.session.add(post)
    db.session.flush()
    db.session.execute(insert(thread_follows).values(thread_id=post.id, user_id=actor.id))
    if post.status is PostStatus.PUBLISHED:
        announce_published(post)
    bump_forum_revision(forum.id)
    return post


def post_reply(actor: User, thread: ForumPost, *, body: str, quote_id: int | None = None) -> ForumPost:
    """A reply by ``actor`` in ``thread``, optionally quoting a published post of the same thread.

    Rules: the space is open and the actor not suspended; the thread is a published contribution the
    actor can see and is not locked; body required (up to 10,000 characters, sanitised). Published at
    once in a post-moderated forum (the thread's replies_count and last_activity_at change in SQL and
    the people concerned are notified), PENDING in a pre-moderated one.
    Raises NotFound, InvalidTransition (forum not open, thread locked or not published), NotAllowed or
    InvalidInput.
    """
    space = thread.forum.space
    if not thread.is_head or not permissions.can_see_post(actor, thread, space):
        raise NotFound(_l("Este aporte no existe."))
    _require_contributor(actor, space)
    if thread.status is PostStatus.WITHDRAWN:
        raise InvalidTransition(_l("Este aporte fue retirado por su autor: ya no admite respuestas."))
    if thread.status is not PostStatus.PUBLISHED:
        raise InvalidTransition(_l("Este aporte no está publicado, así que no admite respuestas."))
    if thread.is_locked:
        raise InvalidTransition(_l("Este hilo fue cerrado por la moderación: ya no admite respuestas."))
    body = _clean_body(body)
    quote = None
    if quote_id is not None:
        quote = quotable_post(actor, thread, quote_id)
        if quote is None:
            raise InvalidInput(_l("Solo puedes citar un mensaje publicado de este mismo hilo."), field="quote_id")
    moment = now_utc()
    reply = ForumPost(
        forum_id=thread.forum_id,
        thread_id=thread.id,
        quote_id=quote.id if quote is not None else None,
        author_id=actor.id,
        title="",
        body=body,
        status=initial_status(thread.forum),
        search_text=search_text("", body),
        created_at=moment,
        last_activity_at=moment,
    )
    db.session.add(reply)
    db.session.flush()
    if reply.status is PostStatus.PUBLISHED:
        db.session.execute(
            update(ForumPost)
            .where(ForumPost.id == thread.id)
            .values(replies_count=ForumPost.replies_count + 1, last_activity_at=moment)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(thread, ["replies_count", "last_activity_at"])
        announce_published(reply)
    bump_forum_revision(thread.forum_id)
    return reply


def _quoted_title(post: ForumPost) -> str:
    text = post.title
    return text if len(text) <= QUOTED_TITLE_MAX else text[: QUOTED_TITLE_MAX - 1] + "…"


def announce_published(post: ForumPost) -> int:
    """Notify the people a post that just became public concerns; returns how many were notified.

    A reply: the author of the post it quotes, the thread's author and the thread's followers. A
    contribution under a problem: the problem's author. Nobody is told about their own post, and
    each person gets one notification. Called when a post is published at once and, in pre-moderated
    forums, by moderation when it approves the post. Counters are the caller's business.
    """
    author = post.author
    name = author.public_name if author is not None else ""
    notices: list[Notice] = []
    if post.is_head:
        parent = post.parent
        if parent is not None and parent.author_id is not None:
            notices.append(
                Notice(
                    parent.author_id,
                    NotificationKind.REPLY,
                    str(
                        _l(
                            "%(name)s aportó una %(kind)s a tu problema «%(title)s».",
                            name=name,
                            kind=str(post.kind.label).lower(),
                            title=_quoted_title(parent),
                        )
                    ),
                )
            )
    else:
        thread = post.thread
        title = _quoted_title(thread)
        quote = post.quote
        if quote is not None and quote.author_id is not None:
            notices.append(
                Notice(
                    quote.author_id,
                    NotificationKind.REPLY,
                    str(_l("%(name)s citó tu mensaje en «%(title)s».", name=name, title=title)),
                )
            )
        if thread.author_id is not None:
            notices.append(
                Notice(
                    thread.author_id,
                    NotificationKind.REPLY,
                    str(_l("%(name)s respondió a tu aporte «%(title)s».", name=name, title=title)),
                )
            )
        follower_message = str(_l("%(name)s respondió en «%(title)s», un hilo que sigues.", name=name, title=title))
        followers = db.session.scalars(select(thread_follows.c.user_id).where(thread_follows.c.thread_id == thread.id))
        notices.extend(Notice(user_id, NotificationKind.FOLLOWED_THREAD, follower_message) for user_id in followers)
    notices = [notice for notice in notices if notice.user_id != post.author_id]
    return notify_each(notices, post_path(post))


# --- The author's edits and withdrawals --------------------------------------------------------------


def edit_refusal(actor, post: ForumPost, now: datetime) -> DomainError | None:
    """Why ``actor`` may not edit ``post`` at ``now`` (None if they may)."""
    space = post.forum.space
    if permissions.can_edit_post(actor, post, space, now):
        return None
    if not _is_active(actor) or post.author_id != actor.id:
        return NotAllowed(_l("Solo la persona que escribió este aporte puede editarlo."))
    if space.state is not SpaceState.OPEN:
        return InvalidTransition(_l("El foro está cerrado: ya no se pueden editar los aportes."))
    if post.status not in (PostStatus.PUBLISHED, PostStatus.PENDING):
        return InvalidTransition(_l("Este aporte ya no se puede editar: está «%(status)s».", status=post.status.label))
    if post.status is PostStatus.PUBLISHED and post.forum.moderation_mode is ModerationMode.PRE:
        return InvalidTransition(
            _l(
                "En este foro la moderación aprueba cada aporte antes de publicarlo: uno ya publicado no se "
                "puede editar. Puedes retirarlo y escribirlo de nuevo."
            )
        )
    return InvalidTransition(
        _l(
            "Ya pasaron los %(minutes)s minutos en los que podías editar este aporte.",
            minutes=permissions.EDIT_WINDOW_SECONDS // 60,
        )
    )


def edit_post(actor: User, post: ForumPost, *, title: str | None, body: str, now: datetime) -> ForumPost:
    """The author changes their post within the edit window (15 minutes) while the forum is open.

    The previous title and body are kept as a PostRevision (moderators read the history); the title is
    only read for contributions. Saving without changes stores nothing. Raises NotAllowed (not the
    author, suspended), InvalidTransition (window over, forum closed, post hidden or withdrawn) or
    InvalidInput.
    """
    refusal = edit_refusal(actor, post, now)
    if refusal is not None:
        raise refusal
    suspension_end = suspended_until(actor, post.forum.space)
    if suspension_end is not None:
        raise contribution_refusal(actor, post.forum.space, suspension_end)
    new_title = _clean_title(title) if post.is_head else ""
    new_body = _clean_body(body)
    if new_title == post.title and new_body == post.body:
        return post
    db.session.add(PostRevision(post_id=post.id, title=post.title, body=post.body, created_at=now))
    post.title = new_title
    post.body = new_body
    post.search_text = search_text(new_title, new_body)
    post.edited_at = now
    db.session.flush()
    bump_forum_revision(post.forum_id)
    return post


def withdraw_post(actor: User, post: ForumPost) -> ForumPost:
    """The author withdraws their post (soft delete): it stays as "Contribución retirada por su autor".

    A published reply stops counting in its thread's replies_count. The change is a conditional UPDATE
    on the status read, so a concurrent withdrawal or moderation cannot be counted twice.
    Raises NotAllowed (not the author) or Conflict (already withdrawn, or changed meanwhile).
    """
    if post.status is PostStatus.WITHDRAWN and post.author_id == getattr(actor, "id", None):
        raise Conflict(_l("Ya retiraste este aporte."))
    if not permissions.can_withdraw_post(actor, post):
        raise NotAllowed(_l("Solo la persona que escribió este aporte puede retirarlo."))
    previous = post.status
    changed = db.session.execute(
        update(ForumPost)
        .where(ForumPost.id == post.id, ForumPost.status == previous)
        .values(status=PostStatus.WITHDRAWN)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(_l("Este aporte cambió mientras tanto. Recarga la página e inténtalo de nuevo."))
    if not post.is_head and previous is PostStatus.PUBLISHED:
        db.session.execute(
            update(ForumPost)
            .where(ForumPost.id == post.thread_id)
            .values(replies_count=ForumPost.replies_count - 1)
            .execution_options(synchronize_session=False)
        )
    bump_forum_revision(post.forum_id)
    db.session.expire(post)
    return post


# --- Supports and follows ----------------------------------------------------------------------------


def support(actor: User, post: ForumPost) -> None:
    """One support (apoyo) of ``actor`` for a published contribution of an open forum.

    Not for replies, nor for one's own contribution. The row is inserted in a savepoint: a second
    support (also two at once) hits the primary key and is a Conflict, and supports_count grows in SQL
    only when the row was stored. Raises InvalidTransition, NotAllowed, InvalidInput or Conflict.
    """
    _require_contributor(actor, post.forum.space)
    _require_supportable(post)
    if post.author_id == actor.id:
        raise NotAllowed(_l("No puedes apoyar tu propio aporte."))
    try:
        with db.session.begin_nested():
            db.session.execute(insert(PostSupport).values(post_id=post.id, user_id=actor.id, created_at=now_utc()))
    except IntegrityError:
        raise Conflict(_l("Ya apoyaste este aporte.")) from None
    _add_to_supports(post, 1)


def retract_support(actor: User, post: ForumPost) -> None:
    """Take back one's support while the forum is open. Raises Conflict if there was none."""
    _require_contributor(actor, post.forum.space)
    _require_supportable(post)
    removed = db.session.execute(
        delete(PostSupport)
        .where(PostSupport.post_id == post.id, PostSupport.user_id == actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed != 1:
        raise Conflict(_l("No habías apoyado este aporte."))
    _add_to_supports(post, -1)


def _require_supportable(post: ForumPost) -> None:
    if not post.is_head:
        raise InvalidInput(_l("Los apoyos son para los aportes, no para las respuestas."))
    if post.status is not PostStatus.PUBLISHED:
        raise InvalidTransition(_l("Solo se pueden apoyar aportes publicados."))


def _add_to_supports(post: ForumPost, delta: int) -> None:
    db.session.execute(
        update(ForumPost)
        .where(ForumPost.id == post.id)
        .values(supports_count=ForumPost.supports_count + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(post, ["supports_count"])
    bump_forum_revision(post.forum_id)


def _require_follower(actor, thread: ForumPost) -> None:
    if not _is_active(actor):
        raise NotAllowed(_l("Inicia sesión para seguir un hilo."))
    if not thread.is_head or not permissions.can_see_post(actor, thread, thread.forum.space):
        raise NotFound(_l("Este aporte no existe."))


def follow(actor: User, thread: ForumPost) -> None:
    """Follow a thread one can see, to be notified of its replies. Raises NotAllowed, NotFound or Conflict."""
    _require_follower(actor, thread)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(thread_follows).values(thread_id=thread.id, user_id=actor.id))
    except IntegrityError:
        raise Conflict(_l("Ya sigues este hilo.")) from None


def unfollow(actor: User, thread: ForumPost) -> None:
    """Stop following a thread. Raises NotAllowed, NotFound or Conflict (not following it)."""
    _require_follower(actor, thread)
    removed = db.session.execute(
        delete(thread_follows).where(thread_follows.c.thread_id == thread.id, thread_follows.c.user_id == actor.id)
    ).rowcount
    if removed != 1:
        raise Conflict(_l("No seguías este hilo."))


# --- Reading -----------------------------------------------------------------------------------------


def visible_clause(viewer, space: Space):
    """SQL twin of ``permissions.can_see_post`` for ``viewer`` in ``space``."""
    if permissions.can_moderate(viewer, space):
        return true()
    public = ForumPost.status.in_(PUBLIC_STATUSES)
    if _is_active(viewer):
        return or_(public, ForumPost.author_id == viewer.id)
    return public


def _with_author():
    # The author's own eager relationships (organism, territory) are never shown next to a post.
    return joinedload(ForumPost.author).lazyload("*")


def _heads_of(forum: Forum, viewer):
    return and_(ForumPost.forum_id == forum.id, ForumPost.thread_id.is_(None), visible_clause(viewer, forum.space))


@dataclass
class ProblemNode:
    post: ForumPost
    # The most relevant causes, consequences and proposals, and how many of each the viewer can see.
    children: dict[ContributionKind, list[ForumPost]] = field(default_factory=dict)
    totals: dict[ContributionKind, int] = field(default_factory=dict)


@dataclass
class AxisTree:
    axis: ForumAxis
    problems: list[ProblemNode] = field(default_factory=list)
    problems_total: int = 0
    # Questions, other contributions and proposals that answer no problem.
    others: list[ForumPost] = field(default_factory=list)
    others_total: int = 0


def _ranked(where, partition, limit: int):
    """``(post, total)`` rows: the ``limit`` most relevant posts of each partition, with its size.

    One query whatever the number of partitions (window functions, on SQLite and PostgreSQL).
    """
    ranking = (
        select(
            ForumPost.id.label("id"),
            func.row_number().over(partition_by=partition, order_by=_RELEVANCE).label("rank"),
            func.count().over(partition_by=partition).label("total"),
        )
        .where(where)
        .subquery()
    )
    return db.session.execute(
        select(ForumPost, ranking.c.total)
        .join(ranking, ranking.c.id == ForumPost.id)
        .where(ranking.c.rank <= limit)
        .options(_with_author())
        .order_by(ranking.c.rank)
    ).all()


def forum_tree(forum: Forum, viewer) -> list[AxisTree]:
    """The problem tree of each axis, as ``viewer`` may see it, in two queries whatever its size.

    Per axis: the most relevant problems (pinned first, then most supported) with their most relevant
    causes, consequences and proposals, and the other contributions that hang under no problem.
    """
    trees = {axis.id: AxisTree(axis=axis) for axis in forum.axes}
    is_problem = ForumPost.kind == ContributionKind.PROBLEM
    top_level = _ranked(
        and_(_heads_of(forum, viewer), ForumPost.parent_id.is_(None)),
        (ForumPost.axis_id, is_problem),
        TREE_PER_AXIS,
    )
    nodes: dict[int, ProblemNode] = {}
    for post, total in top_level:
        tree = trees.get(post.axis_id)
        if tree is None:
            continue
        if post.kind is ContributionKind.PROBLEM:
            nodes[post.id] = ProblemNode(post)
            tree.problems.append(nodes[post.id])
            tree.problems_total = total
        else:
            tree.others.append(post)
            tree.others_total = total
    if nodes:
        # A parent is always a contribution of this forum (_parent_problem, the head_or_reply constraint):
        # filtering on parent_id alone lets both databases use ix_forum_posts_parent.
        children = _ranked(
            and_(ForumPost.parent_id.in_(nodes), visible_clause(viewer, forum.space)),
            (ForumPost.parent_id, ForumPost.kind),
            TREE_CHILDREN_PER_KIND,
        )
        for post, total in children:
            node = nodes[post.parent_id]
            node.children.setdefault(post.kind, []).append(post)
            node.totals[post.kind] = total
    return list(trees.values())


def forum_list(forum: Forum, viewer, order: str, axis_id: int | None, page: int) -> Pagination:
    """The flat list of contributions ``viewer`` may see: pinned first, then by ``order`` (apoyos,
    recientes, comentados; anything else means apoyos), optionally of one axis (an axis of another
    forum means all), paginated. Three queries whatever the number of posts."""
    ordering = LIST_ORDERS.get(order, LIST_ORDERS[DEFAULT_LIST_ORDER])
    query = (
        select(ForumPost)
        .where(_heads_of(forum, viewer))
        .options(_with_author(), joinedload(ForumPost.parent))
        .order_by(ForumPost.is_pinned.desc(), *ordering)
    )
    if axis_id is not None and any(axis.id == axis_id for axis in forum.axes):
        query = query.where(ForumPost.axis_id == axis_id)
    return db.paginate(query, page=min(max(page, 1), MAX_PAGE), per_page=LIST_PER_PAGE, error_out=False)


@dataclass
class ViewerState:
    """What the page needs to know about the viewer, loaded in one query."""

    supported: bool = False
    following: bool = False
    flagged: bool = False
    suspended_until: datetime | None = None


def viewer_state(viewer, thread: ForumPost) -> ViewerState:
    if not _is_active(viewer):
        return ViewerState()
    supported = exists().where(PostSupport.post_id == thread.id, PostSupport.user_id == viewer.id)
    following = exists().where(thread_follows.c.thread_id == thread.id, thread_follows.c.user_id == viewer.id)
    flagged = exists().where(PostFlag.post_id == thread.id, PostFlag.user_id == viewer.id)
    suspension = (
        select(func.max(SpaceSuspension.until))
        .where(
            SpaceSuspension.space_id == thread.forum.space_id,
            SpaceSuspension.user_id == viewer.id,
            SpaceSuspension.until > now_utc(),
        )
        .scalar_subquery()
    )
    row = db.session.execute(select(supported, following, flagged, suspension)).one()
    return ViewerState(supported=bool(row[0]), following=bool(row[1]), flagged=bool(row[2]), suspended_until=row[3])


@dataclass
class ThreadPage:
    head: ForumPost
    # For a cause, consequence or proposal: its problem, if the viewer may see it.
    parent: ForumPost | None
    # For a problem: every cause, consequence and proposal the viewer may see, most relevant first.
    children: dict[ContributionKind, list[ForumPost]]
    replies: Pagination
    viewer: ViewerState
    # Proposals of calls for proposals that answer or carry this contribution (issue 4 keeps the link).
    proposals: list[Proposal] = field(default_factory=list)
    # Calls of the same organism receiving proposals now, into which the viewer may carry it.
    open_calls: list[ProposalCall] = field(default_factory=list)


# Contributions a proposal may take up: a problem it answers, or a forum proposal it carries.
CARRIABLE_KINDS = (ContributionKind.PROBLEM, ContributionKind.PROPOSAL)


def _proposals_from(post: ForumPost) -> list[Proposal]:
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.forum_post_id == post.id, Proposal.status != ProposalStatus.HIDDEN)
            .options(joinedload(Proposal.call).joinedload(ProposalCall.space))
            .order_by(Proposal.created_at, Proposal.id)
        )
    )


def _calls_receiving_proposals(organism_id: int) -> list[ProposalCall]:
    """The organism's calls whose proposing window runs now (A's proposals service checks it again)."""
    now = now_utc()
    return list(
        db.session.scalars(
            select(ProposalCall)
            .join(Space, Space.id == ProposalCall.space_id)
            .where(
                Space.organism_id == organism_id,
                Space.state == SpaceState.OPEN,
                Space.opens_at <= now,
                ProposalCall.proposing_ends_at > now,
            )
            .options(joinedload(ProposalCall.space))
            .order_by(ProposalCall.proposing_ends_at, ProposalCall.id)
        )
    )


def thread_page(thread: ForumPost, viewer, page: int = 1) -> ThreadPage:
    """A contribution with its problem or its children and one page of its replies (50, oldest first),
    as ``viewer`` may see them; each reply comes with its author and the post it quotes (and its
    author). A constant number of queries whatever the number of replies, children and supports."""
    space = thread.forum.space
    parent = thread.parent
    if parent is not None and not permissions.can_see_post(viewer, parent, space):
        parent = None
    children: dict[ContributionKind, list[ForumPost]] = {}
    if thread.kind is ContributionKind.PROBLEM:
        # parent_id alone (see forum_tree): SQLite then reads ix_forum_posts_parent, not every head.
        rows = db.session.scalars(
            select(ForumPost)
            .where(ForumPost.parent_id == thread.id, visible_clause(viewer, space))
            .options(_with_author())
            .order_by(*_RELEVANCE)
        )
        for child in rows:
            children.setdefault(child.kind, []).append(child)
    replies = db.paginate(
        select(ForumPost)
        .where(ForumPost.thread_id == thread.id, visible_clause(viewer, space))
        .options(_with_author(), joinedload(ForumPost.quote).joinedload(ForumPost.author).lazyload("*"))
        .order_by(ForumPost.created_at, ForumPost.id),
        page=min(max(page, 1), MAX_PAGE),
        per_page=REPLIES_PER_PAGE,
        error_out=False,
    )
    carriable = thread.kind in CARRIABLE_KINDS and thread.status is PostStatus.PUBLISHED
    return ThreadPage(
        head=thread,
        parent=parent,
        children=children,
        replies=replies,
        viewer=viewer_state(viewer, thread),
        proposals=_proposals_from(thread) if carriable else [],
        # Only for people who may propose: anonymous pages stay the same for everyone (page_cache).
        open_calls=_calls_receiving_proposals(space.organism_id) if carriable and _is_active(viewer) else [],
    )


def reply_page_number(reply: ForumPost, viewer) -> int:
    """The page of its thread on which ``viewer`` finds ``reply``."""
    earlier = db.session.scalar(
        select(func.count())
        .select_from(ForumPost)
        .where(
            ForumPost.thread_id == reply.thread_id,
            visible_clause(viewer, reply.forum.space),
            or_(
                ForumPost.created_at < reply.created_at,
                and_(ForumPost.created_at == reply.created_at, ForumPost.id < reply.id),
            ),
        )
    )
    return earlier // REPLIES_PER_PAGE + 1


def problems_to_answer(forum: Forum, viewer) -> list[ForumPost]:
    """The problems a new cause, consequence or proposal may hang under, by axis and title."""
    return list(
        db.session.scalars(
            select(ForumPost)
            .where(
                _heads_of(forum, viewer),
                ForumPost.kind == ContributionKind.PROBLEM,
                ForumPost.status != PostStatus.WITHDRAWN,
            )
            .order_by(ForumPost.axis_id, ForumPost.title, ForumPost.id)
        )
    )


@dataclass
class ForumSummary:
    """What the space page shows of its forum: counts of published contributions, per axis and kind."""

    forum: Forum
    per_axis: dict[int, int]
    per_kind: dict[ContributionKind, int]
    replies: int

    @property
    def contributions(self) -> int:
        return sum(self.per_kind.values())


def forum_summary(space: Space) -> ForumSummary | None:
    """The forum of ``space`` (None if it has none yet) with its public counts, in two queries."""
    forum = (
        db.session.execute(select(Forum).where(Forum.space_id == space.id).options(joinedload(Forum.axes)))
        .unique()
        .scalar_one_or_none()
    )
    if forum is None:
        return None
    rows = db.session.execute(
        select(ForumPost.axis_id, ForumPost.kind, func.count(), func.coalesce(func.sum(ForumPost.replies_count), 0))
        .where(
            ForumPost.forum_id == forum.id,
            ForumPost.thread_id.is_(None),
            ForumPost.status == PostStatus.PUBLISHED,
        )
        .group_by(ForumPost.axis_id, ForumPost.kind)
    ).all()
    per_axis: dict[int, int] = defaultdict(int)
    per_kind: dict[ContributionKind, int] = defaultdict(int)
    replies = 0
    for axis_id, kind, count, reply_count in rows:
        per_axis[axis_id] += count
        per_kind[kind] += count
        replies += reply_count
    return ForumSummary(forum=forum, per_axis=per_axis, per_kind=per_kind, replies=replies)
