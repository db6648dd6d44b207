"""The forum and thread pages as anonymous visitors get them, cached per process, and the revision stamp
that tells when a cached page is out of date.

What a visitor who has not logged in sees of a forum is the same for every such visitor, and most
readers of a public deliberation never log in: rendering it again for each of them (300 contribution
lines on a forum page) is most of the forum's cost. So the pages are kept, per process, keyed by the
forum's ``revision`` and everything else the page depends on; a request for a kept page costs one
small query (the stamp) and a dictionary look-up.

Correctness rests on ``bump_forum_revision``: every write that changes what an anonymous visitor sees
calls it in its own transaction, so the new content and the new stamp become visible together and no
later request can find the old page under the new stamp. A page rendered after reading stamp N holds
content at least as new as N (the stamp is read first, in the same transaction), so it is safe to keep
under N. What a write outside the forum can change without bumping it (an organism renamed by an
admin, a relative date) is bounded by ``FORUM_PAGE_CACHE_SECONDS``.

Who is served from the cache: GET requests with neither a session nor a remember-me cookie. Flask-Login
knows nobody without them, so the page would be rendered for an anonymous visitor anyway; people who
are logged in always get a fresh page (their pending posts, their buttons, their notifications).
"""

import functools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, request_finished
from sqlalchemy import select, update

from foro import permissions
from foro.extensions import db
from foro.models import Forum, Space
from foro.templating import select_locale

EXTENSION = "forum_page_cache"


# --- The stamp -----------------------------------------------------------------------------------


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
    statement = update(Forum).values(revision=Forum.revision + 1).execution_options(synchronize_session=False)
    if forum_id is not None:
        statement = statement.where(Forum.id == forum_id)
    elif space_id is not None:
        statement = statement.where(Forum.space_id == space_id)
    elif not every_forum:
        raise ValueError("bump_forum_revision needs a forum_id, a space_id or every_forum=True")
    db.session.execute(statement)


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
    """Give the app its own cache (the test app lives for a whole session: no module globals)."""
    size = int(app.config.get("FORUM_PAGE_CACHE_SIZE", 0))
    app.extensions[EXTENSION] = PageCache(size, float(app.config.get("FORUM_PAGE_CACHE_SECONDS", 60)))
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


def _page_key(forum_id: int, revision: int, state) -> tuple:
    # Query arguments in a fixed order, so ?a=1&b=2 and ?b=2&a=1 share a page; every argument counts,
    # since a page may carry its arguments into its links.
    arguments = tuple(sorted(request.args.items(multi=True)))
    return (request.host, request.path, arguments, select_locale(), forum_id, revision, state.value)


def cached_for_anonymous(view):
    """For views of a forum's space (``space_id`` in the URL): serve anonymous visitors a kept page.

    The stamp query also answers visibility: a space anonymous visitors may not see (a draft) and a
    space without a forum go straight to the view, which answers 404, and are never kept.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        cache = page_cache()
        if cache is None or not _is_anonymous_read():
            return view(*args, **kwargs)
        row = db.session.execute(
            select(Forum.id, Forum.revision, Space.state, Space.organism_id)
            .join(Space, Space.id == Forum.space_id)
            .where(Forum.space_id == kwargs["space_id"])
        ).first()
        if row is None or not permissions.can_view_space(None, Space(state=row.state, organism_id=row.organism_id)):
            return view(*args, **kwargs)
        key = _page_key(row.id, row.revision, row.state)
        page = cache.get(key)
        if page is not None:
            return page.response()
        g.page_cache_key = key
        return view(*args, **kwargs)

    return wrapper


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
