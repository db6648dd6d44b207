"""The anonymous page cache of the forum and thread pages (foro.services.page_cache).

Each writer that changes what an anonymous visitor sees must bump its forum's revision: an anonymous
visitor reads the page (it is then kept), the write goes through its real route, and the same visitor
must see the change at once. People who are logged in never get a kept page.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from foro.extensions import db
from foro.models import ContributionKind, Forum, ForumPost, ModerationMode, PostStatus, Role, Space, SpaceState
from foro.services.page_cache import page_cache
from tests.cache_helpers import close_space, delete_author, ok, rename_author
from tests.helpers import post_form

HEAD_TITLE = "Los buses no suben a la ladera de noche"


@dataclass
class World:
    make: object
    forum_id: int
    space_id: int
    first_axis_id: int
    second_axis_id: int
    official: object
    moderator: object
    author: object
    citizen: object
    head_id: int
    reply_id: int
    new_client: Callable

    @property
    def forum_url(self) -> str:
        return f"/espacios/{self.space_id}/foro"

    @property
    def list_url(self) -> str:
        return f"/espacios/{self.space_id}/foro?vista=lista&orden=recientes"

    def post_url(self, post_id: int, suffix: str = "") -> str:
        return f"/espacios/{self.space_id}/foro/aportes/{post_id}{suffix}"

    @property
    def thread_url(self) -> str:
        return self.post_url(self.head_id)

    def as_user(self, user):
        """A browser of its own, logged in as ``user`` (without the rate-limited log-in form)."""
        client = self.new_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    def forum(self) -> Forum:
        db.session.rollback()
        return db.session.get(Forum, self.forum_id)

    def set_head(self, **values) -> None:
        """Change the head directly, before the first anonymous visit (nothing is kept yet)."""
        db.session.execute(update(ForumPost).where(ForumPost.id == self.head_id).values(**values))
        db.session.commit()


@pytest.fixture
def world(make, make_client):
    official = make.make_official()
    moderator = make.make_user(Role.MODERATOR, display_name="Marta Moderadora")
    author = make.make_user(display_name="Ana Autora")
    citizen = make.make_user(display_name="Carlos Ciudadano")
    forum = make.make_forum(moderators=[moderator], flag_threshold=1)
    head = make.make_post(forum, author, title=HEAD_TITLE)
    reply = make.make_post(forum, citizen, thread=head, body="<p>Yo también espero el bus cada noche.</p>")
    return World(
        make=make,
        forum_id=forum.id,
        space_id=forum.space_id,
        first_axis_id=forum.axes[0].id,
        second_axis_id=forum.axes[1].id,
        official=official,
        moderator=moderator,
        author=author,
        citizen=citizen,
        head_id=head.id,
        reply_id=reply.id,
        new_client=make_client,
    )


def _html(response) -> str:
    return response.get_data(as_text=True)


def _revision(world: World) -> int:
    db.session.rollback()
    return db.session.scalar(select(Forum.revision).where(Forum.id == world.forum_id))


# --- One case per writer: (setup before the first anonymous visit, page, write, text, shown after) ------


def _contribute(w: World) -> None:
    data = {"kind": "problem", "axis_id": w.first_axis_id, "parent_id": "", "title": "Huecos en la vía", "body": "Hay"}
    ok(post_form(w.as_user(w.citizen), w.forum_url + "/aportar", data))


def _reply(w: World) -> None:
    ok(post_form(w.as_user(w.citizen), w.thread_url + "/responder", {"body": "Respuesta recién escrita"}))


def _pre_moderated(w: World) -> None:
    db.session.execute(update(Forum).where(Forum.id == w.forum_id).values(moderation_mode=ModerationMode.PRE))
    db.session.commit()


def _edit(w: World) -> None:
    ok(post_form(w.as_user(w.author), w.thread_url + "/editar", {"title": "Título corregido", "body": "Texto"}))


def _withdraw(w: World) -> None:
    ok(post_form(w.as_user(w.author), w.thread_url + "/retirar"))


def _support(w: World, action: str = "add") -> None:
    ok(post_form(w.as_user(w.citizen), w.thread_url + "/apoyo", {"action": action}))


def _flag(w: World) -> None:
    ok(post_form(w.as_user(w.citizen), w.thread_url + "/reportar", {"reason": "insult"}))


def _moderate(action: str, post: str = "head", **fields):
    def write(w: World) -> None:
        post_id = w.head_id if post == "head" else w.other_id
        url = f"/moderacion/espacios/{w.space_id}/aportes/{post_id}"
        ok(post_form(w.as_user(w.moderator), url, {"action": action, **fields}))

    return write


def _other_post(status: PostStatus, title: str):
    def setup(w: World) -> None:
        w.other_id = w.make.make_post(db.session.get(Forum, w.forum_id), w.citizen, status=status, title=title).id

    return setup


def _move(w: World) -> None:
    _moderate("move", axis_id=w.second_axis_id)(w)


def _duplicate(w: World) -> None:
    _moderate("mark_duplicate", "other", duplicate_of_id=w.head_id)(w)


def _closed_space(w: World) -> None:
    db.session.execute(update(Space).where(Space.id == w.space_id).values(state=SpaceState.CLOSED))
    db.session.commit()


def _publish_synthesis(w: World) -> None:
    data = {"text": "<p>Se habló del transporte nocturno.</p>", "cited_post_ids": [str(w.head_id)]}
    ok(post_form(w.as_user(w.official), w.forum_url + "/relatoria", data))


def _configure(w: World) -> None:
    data = {
        "topic": "Tema renovado del foro",
        "context": "<p>Datos.</p>",
        "rules": "<p>Respeto.</p>",
        "moderation_mode": "post",
        "flag_threshold": "1",
        "axes": "Movilidad y transporte\nSeguridad y convivencia",
    }
    ok(post_form(w.as_user(w.official), w.forum_url + "/configurar", data))


def _edit_space(w: World) -> None:
    space = db.session.get(Space, w.space_id)
    data = {
        "kind": "forum",
        "title": "Espacio con título nuevo",
        "description": "<p>Descripción.</p>",
        "cycle_id": str(space.cycle_id),
        "phase": "diagnosis",
        "participation_level": "interactive",
        "action_id": "",
        "opens_at": "2026-11-01T08:00",
        "closes_at": "2026-12-20T18:00",
        "location": "",
        "response_business_days": "15",
        "moderator_ids": [str(w.moderator.id)],
    }
    ok(post_form(w.as_user(w.official), f"/espacios/{w.space_id}/editar", data))


def _nothing(_w: World) -> None:
    pass


# name: (setup, page, write, text, shown after the write); text None: nothing an anonymous visitor sees
# changes (a post waiting for approval), but the page must still be rendered again.
CASES = {
    "new contribution": (_nothing, "forum", _contribute, "Huecos en la vía", True),
    "new contribution, pending": (_pre_moderated, "list", _contribute, None, None),
    "new reply": (_nothing, "thread", _reply, "Respuesta recién escrita", True),
    "new reply, pending": (_pre_moderated, "thread", _reply, None, None),
    "edit": (_nothing, "thread", _edit, "Título corregido", True),
    "withdraw": (_nothing, "forum", _withdraw, HEAD_TITLE, False),
    "support": (_nothing, "thread", _support, "1 apoyo", True),
    "retract support": (_support, "thread", lambda w: _support(w, "remove"), "0 apoyos", True),
    "flag that hides": (_nothing, "forum", _flag, HEAD_TITLE, False),
    "approve": (
        _other_post(PostStatus.PENDING, "Aporte en espera"),
        "forum",
        _moderate("approve", "other"),
        "Aporte en espera",
        True,
    ),
    "hide": (_nothing, "list", _moderate("hide", reason="Insulta a otra persona."), HEAD_TITLE, False),
    "restore": (
        _other_post(PostStatus.HIDDEN, "Aporte ocultado"),
        "list",
        _moderate("restore", "other"),
        "Aporte ocultado",
        True,
    ),
    "lock": (_nothing, "thread", _moderate("lock"), "Hilo cerrado", True),
    "unlock": (lambda w: w.set_head(is_locked=True), "thread", _moderate("unlock"), "Hilo cerrado", False),
    "pin": (_nothing, "forum", _moderate("pin"), "Fijado", True),
    "unpin": (lambda w: w.set_head(is_pinned=True), "forum", _moderate("unpin"), "Fijado", False),
    "move to another axis": (_nothing, "thread", _move, "Eje: Seguridad y convivencia", True),
    "mark duplicate": (
        _other_post(PostStatus.PUBLISHED, "Problema repetido"),
        "forum",
        _duplicate,
        "Problema repetido",
        False,
    ),
    "synthesis": (_closed_space, "forum", _publish_synthesis, "Leer la relatoría", True),
    "forum settings": (_nothing, "forum", _configure, "Tema renovado del foro", True),
    "space edit": (_nothing, "thread", _edit_space, "Espacio con título nuevo", True),
    "space state": (_nothing, "forum", close_space, 'class="badge badge-closed"', True),
    "display name": (_nothing, "thread", rename_author, "Ana Renombrada", True),
    "account deletion": (_nothing, "forum", delete_author, "Participante eliminado", True),
}


def _page_url(w: World, page: str) -> str:
    return {"forum": w.forum_url, "list": w.list_url, "thread": w.thread_url}[page]


@pytest.mark.parametrize("case", list(CASES))
def test_every_write_reaches_anonymous_visitors_at_once(world, client, count_queries, case):
    setup, page, write, text, shown_after = CASES[case]
    setup(world)
    url = _page_url(world, page)
    if case == "space edit":
        # The thread page shows the forum's topic, not the space's title: read the forum page.
        url = world.forum_url
    first = client.get(url)
    assert first.status_code == 200
    if text is not None:
        assert (text in _html(first)) is not shown_after
    with count_queries() as hit:
        assert client.get(url).get_data() == first.get_data()
    assert hit.count == 1, "the second anonymous visit is served from the cache"
    revision = _revision(world)

    write(world)

    assert _revision(world) > revision
    with count_queries() as after_write:
        response = client.get(url)
    assert after_write.count > 1, "the page is rendered again after the write"
    assert response.status_code == 200
    if text is not None:
        assert (text in _html(response)) is shown_after


def test_hidden_content_disappears_from_both_pages_at_once(world, client):
    assert HEAD_TITLE in _html(client.get(world.forum_url))
    assert client.get(world.thread_url).status_code == 200
    moderator = world.as_user(world.moderator)
    url = f"/moderacion/espacios/{world.space_id}/aportes/{world.head_id}"
    ok(post_form(moderator, url, {"action": "hide", "reason": "Datos personales."}))
    assert HEAD_TITLE not in _html(client.get(world.forum_url))
    assert client.get(world.thread_url).status_code == 404


def test_logged_in_people_never_get_a_kept_page(world, client):
    _pre_moderated(world)
    anonymous_page = _html(client.get(world.list_url))
    assert "Aporte que espera aprobación" not in anonymous_page
    author = world.as_user(world.citizen)
    data = {
        "kind": "problem",
        "axis_id": world.first_axis_id,
        "parent_id": "",
        "title": "Aporte que espera aprobación",
        "body": "Texto",
    }
    ok(post_form(author, world.forum_url + "/aportar", data))
    # Their own pending post is on their page right away; never on the anonymous one.
    own_page = _html(author.get(world.list_url))
    assert "Aporte que espera aprobación" in own_page and "Cerrar sesión" in own_page
    assert "Aporte que espera aprobación" not in _html(client.get(world.list_url))
    # And a kept anonymous page is never handed to a logged-in person, even with the same stamp.
    client.get(world.thread_url)
    assert "Cerrar sesión" in _html(author.get(world.thread_url))


def test_a_kept_page_has_the_body_and_headers_of_a_fresh_one(world, client, app):
    for url in (world.forum_url, world.list_url, world.thread_url):
        fresh = client.get(url)
        kept = client.get(url)
        assert kept.get_data() == fresh.get_data()
        assert list(kept.headers.items()) == list(fresh.headers.items())
        assert "Set-Cookie" not in kept.headers
        assert kept.headers["Content-Security-Policy"] and kept.headers["X-Content-Type-Options"] == "nosniff"
        # The same page rendered with the cache off.
        cache = page_cache(app)
        size, cache.size = cache.size, 0
        try:
            uncached = client.get(url)
        finally:
            cache.size = size
        assert uncached.get_data() == kept.get_data()
        assert list(uncached.headers.items()) == list(kept.headers.items())


def test_a_hit_runs_only_the_stamp_query(world, client, count_queries):
    for url in (world.forum_url, world.list_url, world.thread_url + "?pagina=1"):
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count == 1
        assert counter.statements[0].lstrip().upper().startswith("SELECT FORUMS.ID, FORUMS.REVISION")


def test_query_arguments_are_normalised(world, client, count_queries):
    client.get(world.forum_url + "?vista=lista&orden=apoyos")
    with count_queries() as counter:
        client.get(world.forum_url + "?orden=apoyos&vista=lista")
    assert counter.count == 1


def test_the_cache_is_bounded(world, client, app, count_queries):
    cache = page_cache(app)
    size, cache.size = cache.size, 3
    try:
        for page in range(1, 6):
            assert client.get(f"{world.forum_url}?vista=lista&pagina={page}").status_code == 200
        assert len(cache) == 3
        # The least recently used page left first.
        with count_queries() as counter:
            client.get(f"{world.forum_url}?vista=lista&pagina=1")
        assert counter.count > 1
        with count_queries() as counter:
            client.get(f"{world.forum_url}?vista=lista&pagina=5")
        assert counter.count == 1
    finally:
        cache.size = size


def test_pages_older_than_the_maximum_age_are_rendered_again(world, client, app, count_queries):
    cache = page_cache(app)
    max_age, cache.max_age = cache.max_age, 0
    try:
        client.get(world.forum_url)
        with count_queries() as counter:
            client.get(world.forum_url)
        assert counter.count > 1
    finally:
        cache.max_age = max_age


def test_a_draft_space_stays_404_and_nothing_is_kept(make, client, app):
    forum = make.make_forum(state=SpaceState.DRAFT)
    head = make.make_post(forum, make.make_user())
    assert client.get(f"/espacios/{forum.space_id}/foro").status_code == 404
    assert client.get(f"/espacios/{forum.space_id}/foro/aportes/{head.id}").status_code == 404
    assert len(page_cache(app)) == 0


def test_only_200_pages_are_kept(world, client, app):
    # A reply's own address redirects to its thread; a missing post is a 404.
    assert client.get(world.post_url(world.reply_id)).status_code == 302
    assert client.get(world.post_url(999_999)).status_code == 404
    assert len(page_cache(app)) == 0


def test_visitors_with_a_session_cookie_are_not_served_from_the_cache(world, client, make_client, count_queries):
    client.get(world.forum_url)
    with_session = make_client()
    with_session.get("/cuenta/ingresar")  # the log-in form sets a session cookie (CSRF token)
    with count_queries() as counter:
        assert with_session.get(world.forum_url).status_code == 200
    assert counter.count > 1


def test_the_tree_and_a_problem_thread_show_children(world, client):
    # The cache keeps pages per URL: the tree and the thread of one problem are separate entries.
    make = world.make
    forum = db.session.get(Forum, world.forum_id)
    head = db.session.get(ForumPost, world.head_id)
    make.make_post(forum, world.citizen, kind=ContributionKind.CAUSE, parent=head, title="Una causa visible")
    assert "Una causa visible" in _html(client.get(world.forum_url))
    assert "Una causa visible" in _html(client.get(world.thread_url))
