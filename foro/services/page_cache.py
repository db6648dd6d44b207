"""The public pages of forums and calls for proposals as anonymous visitors get them, cached per process,
and the revision stamps that tell when a cached page is out of date.

What a visitor who has not logged in sees of a forum or a call is the same for every such visitor, and
most readers of a public deliberation never log in: rendering it again for each of them (300
contribution lines on a forum page, 20 proposals with their authors on a list page) is most of the cost.
So the pages are kept, per process, keyed by a stamp read in one small query and everything else the
page depends on; a request for a kept page costs that query and a dictionary look-up.

One cache serves both kinds of page; each kind brings its ``Stamp`` (what the stamp query reads, and
whether the page may be kept at all) to the ``cached_for_anonymous`` decorator:

- forums (``FORUM_STAMP``): the forum's ``revision`` and its space's state;
- calls for proposals (``CALL_STAMP``): the call's ``revision``, its space's state and the window running
  now (``ProposalCall.window_at``). Windows change what the pages show (vote totals appear when the vote
  ends) without any write, so the window is part of the key. A page rendered just after a window ended
  may be kept under the window before it; nobody asks for that key afterwards, as time only moves on.

Correctness rests on the bump functions: every write that changes what an anonymous visitor sees calls
``bump_forum_revision`` or ``bump_call_revision`` in its own transaction, so the new content and the new
stamp become visible together and no later request can find the old page under the new stamp. A page
rendered after reading stamp N holds content at least as new as N (the stamp is read first, in the same
transaction), so it is safe to keep under N. What a write elsewhere can change without bumping (an
organism renamed by an admin, a plan action's title, a forum contribution linked from a proposal, a
relative date) is bounded by ``PAGE_CACHE_SECONDS``.

Who is served from the cache: GET requests with neither a session nor a remember-me cookie. Flask-Login
knows nobody without them, so the page would be rendered for an anonymous visitor anyway; people who
are logged in always get a fresh page (their pending posts, their buttons, their notifications).
"""

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, request_finished
from sqlalchemy import Select, select, update

from foro import permissions
from foro.extensions import db
from foro.models import Forum, ProposalCall, Space
from foro.templating import select_locale
from foro.timeutil import now_utc

EXTENSION = "page_cache"


# --- The stamps ----------------------------------------------------------------------------------


def bump_forum_revision(forum_id: int | None = None, *, space_id: int | None = None, every_forum: bool = False) -> None:
    """Mark what anonymous visitors see of a forum as changed, in the caller's transaction.

    The one function every writer calls, with the forum's id, its space's id (space edits and state
    changes) or ``every_forum`` (a person's name or account, shown wherever they wrote). One statement,
    ``UPDATE forums SET revision = revision + 1 WHERE ...``, issued as the writer's last statement:
    on PostgreSQL it locks the forum row until commit, and taking it last keeps the lock order of
    every writer the same (post rows first, then the forum), so writers never deadlock on it.

    An explicit call rather than a session event: most forum writes are SQL UPDATEs of counters and
    statuses (``n = n + 1``, conditional status moves) that a flush event never sees, and a reader of a
    service should see that it invalidates the public pages.
    """
    _bump(Forum, Forum.id, Forum.space_id, forum_id, space_id, every_forum, "bump_forum_revision")


def bump_call_revision(call_id: int | None = None, *, space_id: int | None = None, every_call: bool = False) -> None:
    """Mark what anonymous visitors see of a call for proposals as changed, in the caller's transaction.

    The same contract as ``bump_forum_revision``: the writer's last statement (proposal rows, ballots
    and the space's share lock first, then the call row), with the call's id, its space's id, or
    ``every_call`` (a person renamed or deleted). Votes bump only when the call shows live totals:
    otherwise nothing public shows them until the vote window ends, which changes the key by itself.
    """
    _bump(ProposalCall, ProposalCall.id, ProposalCall.space_id, call_id, space_id, every_call, "bump_call_revision")


def _bump(model, id_column, space_column, row_id, space_id, every: bool, name: str) -> None:
    statement = update(model).values(revision=model.revision + 1).execution_options(synchronize_session=False)
    if row_id is not None:
        statement = statement.where(id_column == row_id)
    elif space_id is not None:
        statement = statement.where(space_column == space_id)
    elif not every:
        raise ValueError(f"{name} needs an id, a space_id or every_...=True")
    db.session.execute(statement)


@dataclass(frozen=True)
class Stamp:
    """How one kind of page is stamped: ``query(space_id)`` is the one statement a kept page costs, and
    ``key(row)`` turns its row into the part of the page key that changes with the data, or None when
    the page must not be kept (the view then answers, usually 404)."""

    query: Callable[[int], Select]
    key: Callable[[object], tuple | None]


def _visible_to_anonymous(row) -> bool:
    return permissions.can_view_space(None, Space(state=row.state, organism_id=row.organism_id))


def _forum_key(row) -> tuple | None:
    if row is None or not _visible_to_anonymous(row):
        return None
    return ("forum", row.id, row.revision, row.state.value)


def _call_key(row) -> tuple | None:
    if row is None or not _visible_to_anonymous(row):
        return None
    # window_at is the one definition of the windows; a transient call and space carry what it reads.
    call = ProposalCall(
        proposing_ends_at=row.proposing_ends_at,
        concertation_ends_at=row.concertation_ends_at,
        voting_ends_at=row.voting_ends_at,
        space=Space(state=row.state, opens_at=row.opens_at),
    )
    return ("call", row.id, row.revision, row.state.value, call.window_at(now_utc()).value)


FORUM_STAMP = Stamp(
    query=lambda space_id: (
        select(Forum.id, Forum.revision, Space.state, Space.organism_id)
        .join(Space, Space.id == Forum.space_id)
        .where(Forum.space_id == space_id)
    ),
    key=_forum_key,
)

CALL_STAMP = Stamp(
    query=lambda space_id: (
        select(
            ProposalCall.id,
            ProposalCall.revision,
            ProposalCall.proposing_ends_at,
            ProposalCall.concertation_ends_at,
            ProposalCall.voting_ends_at,
            Space.state,
            Space.opens_at,
            Space.organism_id,
        )
        .join(Space, Space.id == ProposalCall.space_id)
        .where(ProposalCall.space_id == space_id)
    ),
    key=_call_key,
)


# --- The cache -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedPage:
    stored_at: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=list(self.headers))


class PageCache:
    """A bounded LRU of rendered pages with a maximum age; safe for threaded servers."""

    def __init__(self, size: int, max_age: float):
        self.size = size
        self.max_age = max_age
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if time.monotonic() - page.stored_at > self.max_age:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    """Give the app its own cache (the test app lives for a whole session: no module globals). Safe to
    call more than once: the first call wins."""
    if EXTENSION in app.extensions:
        return
    size = int(app.config.get("PAGE_CACHE_SIZE", 0))
    app.extensions[EXTENSION] = PageCache(size, float(app.config.get("PAGE_CACHE_SECONDS", 60)))
    # request_finished comes after every after_request function and the session's save: what is kept
    # is the response exactly as it left, headers and cookies included.
    request_finished.connect(_keep, app)


def page_cache(app: Flask | None = None) -> PageCache | None:
    """The app's cache, or None when it is off."""
    cache = (app or current_app).extensions.get(EXTENSION)
    return cache if cache is not None and cache.size > 0 else None


def _is_anonymous_read() -> bool:
    if request.method != "GET":
        return False
    cookies = request.cookies
    config = current_app.config
    return (
        config["SESSION_COOKIE_NAME"] not in cookies
        and config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
    )


def _page_key(stamp_key: tuple) -> tuple:
    # Query arguments in a fixed order, so ?a=1&b=2 and ?b=2&a=1 share a page; every argument counts,
    # since a page may carry its arguments into its links.
    arguments = tuple(sorted(request.args.items(multi=True)))
    return (request.host, request.path, arguments, select_locale(), *stamp_key)


def cached_for_anonymous(stamp: Stamp):
    """For views of a forum's or a call's space (``space_id`` in the URL): serve anonymous visitors a
    kept page, stamped by ``stamp`` (FORUM_STAMP or CALL_STAMP).

    The stamp query also answers visibility: a space anonymous visitors may not see (a draft) and a
    space without a forum or a call go straight to the view, which answers 404, and are never kept.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            cache = page_cache()
            if cache is None or not _is_anonymous_read():
                return view(*args, **kwargs)
            stamp_key = stamp.key(db.session.execute(stamp.query(kwargs["space_id"])).first())
            if stamp_key is None:
                return view(*args, **kwargs)
            key = _page_key(stamp_key)
            page = cache.get(key)
            if page is not None:
                return page.response()
            g.page_cache_key = key
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _keep(app: Flask, response: Response, **_extra) -> None:
    key = g.pop("page_cache_key", None)
    if key is None:
        return
    cache = page_cache(app)
    if (
        cache is None
        or response.status_code != 200
        or "Set-Cookie" in response.headers
        or response.is_streamed
        or response.direct_passthrough
    ):
        return
    cache.put(
        key, CachedPage(time.monotonic(), response.status_code, tuple(response.headers.items()), response.get_data())
    )
