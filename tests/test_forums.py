"""The forum for citizens: typed contributions in a problem tree, replies with quotes, supports, follows,
the author's edits and withdrawals, who sees what, bad input, query counts and racing supports."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    CallWindow,
    ContributionKind,
    FlagReason,
    ForumPost,
    ModerationMode,
    PostFlag,
    PostRevision,
    PostStatus,
    PostSupport,
    Proposal,
    Role,
    SpaceState,
    SpaceSuspension,
    User,
    thread_follows,
)
from foro.search import search_text
from foro.services import forums
from foro.services.page_cache import bump_forum_revision
from foro.timeutil import now_utc
from tests.helpers import csrf_token, login, post_form, race, table_row_counts

PROBLEM_BODY = "<p>Los buses no suben a la ladera después de las ocho de la noche.</p>"


def _html(response) -> str:
    return response.get_data(as_text=True)


def _sign_in(client, user: User):
    """Log ``client`` in without the log-in form (whose rate limit allows five attempts a minute)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _forum_url(forum, suffix: str = "") -> str:
    return f"/espacios/{forum.space_id}/foro{suffix}"


def _post_url(forum, post, suffix: str = "") -> str:
    return f"/espacios/{forum.space_id}/foro/aportes/{post.id}{suffix}"


def _fresh(model, ident):
    db.session.rollback()
    return db.session.get(model, ident)


def _count(selectable) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(selectable))


def _contribute(client, forum, **fields):
    data = {
        "kind": "problem",
        "axis_id": forum.axes[0].id,
        "parent_id": "",
        "title": "Falta alumbrado",
        "body": "Texto",
    }
    data.update(fields)
    return post_form(client, _forum_url(forum, "/aportar"), data)


@pytest.fixture
def in_request(app):
    """Services translate their messages with the request's language: call them inside a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def forum(make):
    return make.make_forum()


@pytest.fixture
def citizen(make):
    return make.make_user(display_name="Marta Lucía")


# --- Posting contributions -----------------------------------------------------------------------------


def test_a_citizen_posts_a_problem_and_follows_it(client, forum, citizen):
    _sign_in(client, citizen)
    response = _contribute(
        client, forum, title="Falta alumbrado en el parque", body="Las lámparas están dañadas.\n\nNadie las arregla."
    )
    assert response.status_code == 302
    post = db.session.scalar(select(ForumPost))
    assert response.headers["Location"] == _post_url(forum, post)
    assert post.kind is ContributionKind.PROBLEM and post.status is PostStatus.PUBLISHED
    assert post.author_id == citizen.id and post.axis_id == forum.axes[0].id and post.thread_id is None
    assert post.body == "<p>Las lámparas están dañadas.</p><p>Nadie las arregla.</p>"
    assert post.search_text == search_text("Falta alumbrado en el parque", post.body)
    assert _count(thread_follows) == 1
    page = _html(client.get(response.headers["Location"]))
    assert "Falta alumbrado en el parque" in page and "Marta Lucía" in page and "Dejar de seguir" in page


def test_causes_and_consequences_hang_under_a_problem_and_take_its_axis(client, make, forum, citizen):
    problem = make.make_post(forum, make.make_user(), axis=forum.axes[1], title="Buses escasos")
    _sign_in(client, citizen)
    for kind in ("cause", "consequence", "proposal"):
        response = _contribute(client, forum, kind=kind, parent_id=problem.id, axis_id=forum.axes[0].id, title=kind)
        assert response.status_code == 302, _html(response)
    children = db.session.scalars(select(ForumPost).where(ForumPost.parent_id == problem.id)).all()
    assert sorted(child.kind.value for child in children) == ["cause", "consequence", "proposal"]
    assert {child.axis_id for child in children} == {forum.axes[1].id}


def test_a_proposal_may_stand_alone(client, forum, citizen):
    _sign_in(client, citizen)
    response = _contribute(client, forum, kind="proposal", title="Ruta nocturna", parent_id="")
    assert response.status_code == 302
    assert db.session.scalar(select(ForumPost)).parent_id is None


def test_the_form_preselects_the_kind_and_problem(client, make, forum, citizen):
    problem = make.make_post(forum, make.make_user(), title="Buses escasos")
    _sign_in(client, citizen)
    page = _html(client.get(_forum_url(forum, f"/aportar?tipo=cause&problema={problem.id}")))
    assert re.search(r'<input checked[^>]*value="cause"', page)
    assert re.search(rf'<option selected value="{problem.id}">Buses escasos</option>', page)
    # Unknown values are ignored, not errors.
    assert client.get(_forum_url(forum, "/aportar?tipo=x&problema=abc")).status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "cause"}, "Elige el problema al que corresponde esta causa."),
        ({"kind": "consequence"}, "Elige el problema al que corresponde esta consecuencia."),
        ({"kind": "petition"}, "Elige una de las opciones de la lista."),
        ({"kind": "problem", "parent_id": "PROBLEM"}, "Solo las causas, las consecuencias y las propuestas se ubican"),
        ({"kind": "cause", "parent_id": "QUESTION"}, "se ubican bajo un problema, y el aporte elegido es «Pregunta»"),
        ({"kind": "cause", "parent_id": "OTHER_FORUM"}, "El problema elegido no existe en este foro."),
        ({"kind": "cause", "parent_id": "HIDDEN"}, "El problema elegido no existe en este foro."),
        ({"kind": "cause", "parent_id": "REPLY"}, "El problema elegido no existe en este foro."),
        ({"axis_id": "OTHER_AXIS"}, "Elige uno de los ejes de este foro."),
        ({"kind": "cause", "parent_id": "99999999999999999999"}, "Elige una de las opciones de la lista."),
        ({"axis_id": "99999999999999999999"}, "Elige una de las opciones de la lista."),
        ({"title": ""}, "Escribe un título: es un campo obligatorio."),
        ({"title": " \u200b\u200b "}, "Escribe un título: es un campo obligatorio."),
        ({"title": "t" * 201}, "El título admite hasta 200 caracteres."),
        ({"body": ""}, "Escribe el texto de tu aporte: es un campo obligatorio."),
        ({"body": " \n\u200b\ufeff "}, "Escribe el texto de tu aporte: es un campo obligatorio."),
        ({"body": "a" * 10_001}, "El texto admite hasta 10000 caracteres."),
        ({"body": "<script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)>"}, "El texto quedó vacío"),
    ],
)
def test_bad_contributions_are_refused_and_store_nothing(client, make, forum, citizen, fields, message):
    other_forum = make.make_forum()
    author = make.make_user()
    problem = make.make_post(forum, author)
    placeholders = {
        "PROBLEM": problem.id,
        "QUESTION": make.make_post(forum, author, kind=ContributionKind.QUESTION).id,
        "OTHER_FORUM": make.make_post(other_forum, author).id,
        "HIDDEN": make.make_post(forum, author, status=PostStatus.HIDDEN, hidden_reason="Spam").id,
        "REPLY": make.make_post(forum, author, thread=problem).id,
        "OTHER_AXIS": other_forum.axes[0].id,
    }
    fields = {name: placeholders.get(value, value) for name, value in fields.items()}
    _sign_in(client, citizen)
    before = table_row_counts()
    response = _contribute(client, forum, **fields)
    assert response.status_code == 400
    assert message in _html(response)
    assert table_row_counts() == before


def test_scripts_and_styles_are_removed_and_titles_shown_literally(client, forum, citizen):
    _sign_in(client, citizen)
    response = _contribute(
        client,
        forum,
        title='"><img src=x onerror=alert(1)> {{7*7}}',
        body='<p>Hola <a href="javascript:alert(1)">enlace</a></p><script>alert(1)</script>'
        "<style>body{display:none}</style><p onclick=alert(1)>ñandú 🚌</p>",
    )
    assert response.status_code == 302
    post = db.session.scalar(select(ForumPost))
    assert "script" not in post.body and "style" not in post.body and "javascript" not in post.body
    assert "onclick" not in post.body and "ñandú 🚌" in post.body
    page = _html(client.get(response.headers["Location"]))
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; {{7*7}}" in page
    assert "<img" not in page and "<script>alert" not in page and "49" not in page.split("<h1>")[1][:80]


def test_pre_moderated_contributions_wait_for_approval(client, make, citizen):
    forum = make.make_forum(moderation_mode=ModerationMode.PRE)
    _sign_in(client, citizen)
    response = _contribute(client, forum, title="Basuras en el caño")
    post = db.session.scalar(select(ForumPost))
    assert post.status is PostStatus.PENDING
    page = _html(client.get(response.headers["Location"]))
    assert "En espera de aprobación" in page and "Basuras en el caño" in page
    anonymous = client.application.test_client()
    assert anonymous.get(_post_url(forum, post)).status_code == 404
    assert "Basuras en el caño" not in _html(anonymous.get(_forum_url(forum)))


@pytest.mark.parametrize(
    ("state", "message", "status"),
    [
        (SpaceState.CLOSED, "El foro está cerrado", 409),
        (SpaceState.RESULTS_PUBLISHED, "El foro está cerrado", 409),
        (SpaceState.ANNOUNCED, "El foro todavía no está abierto", 409),
    ],
)
def test_a_forum_that_is_not_open_takes_nothing(client, make, citizen, state, message, status):
    forum = make.make_forum(state=state)
    head = make.make_post(forum, make.make_user())
    _sign_in(client, citizen)
    token = csrf_token(client, _post_url(forum, head))
    assert message in _html(client.get(_post_url(forum, head)))
    before = table_row_counts()
    attempts = [
        client.post(
            _forum_url(forum, "/aportar"), data={"csrf_token": token, "kind": "problem", "title": "t", "body": "b"}
        ),
        client.post(_post_url(forum, head, "/responder"), data={"csrf_token": token, "body": "Respuesta"}),
        client.post(_post_url(forum, head, "/apoyo"), data={"csrf_token": token, "action": "add"}),
    ]
    for response in attempts:
        assert response.status_code == status
        assert message in _html(response)
    assert client.get(_forum_url(forum, "/aportar")).status_code == status
    assert table_row_counts() == before


def test_a_suspended_citizen_may_not_contribute(client, make, forum, citizen):
    head = make.make_post(forum, make.make_user())
    db.session.add(
        SpaceSuspension(space_id=forum.space_id, user_id=citizen.id, until=now_utc() + timedelta(days=3), reason="x")
    )
    # A suspension that already ran out changes nothing.
    db.session.add(
        SpaceSuspension(space_id=forum.space_id, user_id=citizen.id, until=now_utc() - timedelta(days=1), reason="x")
    )
    db.session.commit()
    _sign_in(client, citizen)
    before = table_row_counts()
    response = _contribute(client, forum)
    assert response.status_code == 403
    assert "Estás suspendido de este espacio hasta el" in _html(response)
    response = post_form(client, _post_url(forum, head, "/responder"), {"body": "Hola"})
    assert response.status_code == 403
    assert table_row_counts() == before


def test_anonymous_visitors_are_sent_to_log_in(client, make, forum):
    head = make.make_post(forum, make.make_user())
    token = csrf_token(client)
    assert client.get(_forum_url(forum, "/aportar")).status_code == 302
    for suffix in ("/responder", "/apoyo", "/seguir", "/retirar"):
        response = client.post(_post_url(forum, head, suffix), data={"csrf_token": token, "action": "add"})
        assert response.status_code == 302 and "/cuenta/ingresar" in response.headers["Location"]
    page = _html(client.get(_post_url(forum, head)))
    assert "Inicia sesión para responder." in page and "Apoyar" not in page


def test_the_service_refuses_an_anonymous_or_deleted_author(make, forum, in_request):
    from flask_login import AnonymousUserMixin

    with pytest.raises(NotAllowed, match="Inicia sesión"):
        forums.post_contribution(
            AnonymousUserMixin(), forum, kind="problem", axis_id=forum.axes[0].id, title="t", body="b"
        )
    deleted = make.make_user()
    deleted.deleted_at = now_utc()
    db.session.commit()
    with pytest.raises(NotAllowed):
        forums.post_contribution(deleted, forum, kind="problem", axis_id=forum.axes[0].id, title="t", body="b")


def test_the_service_refuses_nul_characters(make, forum, citizen, in_request):
    for fields, field in (({"title": "a\x00b"}, "title"), ({"body": "a\x00b"}, "body")):
        values = {"kind": "problem", "axis_id": forum.axes[0].id, "title": "t", "body": "b", **fields}
        with pytest.raises(InvalidInput, match="caracteres no válidos") as refused:
            forums.post_contribution(citizen, forum, **values)
        assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ForumPost)) == 0


# --- Replies and quotes --------------------------------------------------------------------------------


def test_a_reply_counts_in_its_thread_and_can_quote(client, make, forum, citizen):
    author = make.make_user(display_name="Óscar")
    head = make.make_post(forum, author, title="Buses escasos")
    earlier = make.make_post(forum, author, thread=head, body="<p>Desde la comuna 18 tampoco suben.</p>")
    activity_before = _fresh(ForumPost, head.id).last_activity_at
    _sign_in(client, citizen)
    page = _html(client.get(_post_url(forum, head, f"?cita={earlier.id}")))
    assert "Citas a Óscar" in page and f'name="quote_id" type="hidden" value="{earlier.id}"' in page
    response = post_form(client, _post_url(forum, head, "/responder"), {"body": "Es verdad.", "quote_id": earlier.id})
    assert response.status_code == 302
    reply = db.session.scalar(select(ForumPost).where(ForumPost.author_id == citizen.id))
    assert reply.thread_id == head.id and reply.quote_id == earlier.id and reply.kind is None
    head = _fresh(ForumPost, head.id)
    assert head.replies_count == 2 and head.last_activity_at > activity_before
    page = _html(client.get(_post_url(forum, head)))
    assert "Óscar escribió:" in page and "Desde la comuna 18 tampoco suben." in page


def test_a_reply_may_not_quote_a_post_of_another_thread(client, make, forum, citizen):
    author = make.make_user()
    head = make.make_post(forum, author)
    elsewhere = make.make_post(forum, author, thread=make.make_post(forum, author))
    hidden = make.make_post(forum, author, thread=head, status=PostStatus.HIDDEN)
    _sign_in(client, citizen)
    for quote_id in (elsewhere.id, hidden.id, "abc", "-3", "99999999999999999999"):
        before = table_row_counts()
        response = post_form(client, _post_url(forum, head, "/responder"), {"body": "Hola", "quote_id": quote_id})
        assert response.status_code == 400
        assert "Solo puedes citar un mensaje publicado de este mismo hilo." in _html(
            response
        ) or "La cita no es válida." in _html(response)
        assert table_row_counts() == before


def test_locked_withdrawn_and_unpublished_threads_take_no_replies(client, make, forum, citizen, in_request):
    author = make.make_user()
    locked = make.make_post(forum, author, is_locked=True)
    withdrawn = make.make_post(forum, author, status=PostStatus.WITHDRAWN)
    _sign_in(client, citizen)
    before = table_row_counts()
    response = post_form(client, _post_url(forum, locked, "/responder"), {"body": "Hola"})
    assert response.status_code == 409 and "cerrado por la moderación" in _html(response)
    response = post_form(client, _post_url(forum, withdrawn, "/responder"), {"body": "Hola"})
    assert response.status_code == 409 and "retirado por su autor" in _html(response)
    assert table_row_counts() == before
    own_pending = make.make_post(forum, citizen, status=PostStatus.PENDING)
    with pytest.raises(InvalidTransition, match="no está publicado, así que no admite respuestas"):
        forums.post_reply(citizen, own_pending, body="Hola")


def test_bad_reply_bodies_are_refused(client, make, forum, citizen):
    head = make.make_post(forum, make.make_user())
    _sign_in(client, citizen)
    for body, message in [
        ("", "Escribe el texto de tu aporte"),
        ("\u200b", "Escribe el texto de tu aporte"),
        ("x" * 10_001, "El texto admite hasta 10000 caracteres."),
        ("<script>alert(1)</script>", "El texto quedó vacío"),
    ]:
        before = table_row_counts()
        response = post_form(client, _post_url(forum, head, "/responder"), {"body": body})
        assert response.status_code == 400 and message in _html(response)
        assert table_row_counts() == before


def test_a_replys_address_opens_the_thread_page_that_shows_it(client, make, forum, monkeypatch):
    monkeypatch.setattr(forums, "REPLIES_PER_PAGE", 2)
    author = make.make_user()
    head = make.make_post(forum, author)
    replies = [make.make_post(forum, author, thread=head, body=f"<p>Respuesta {n}</p>") for n in range(5)]
    response = client.get(_post_url(forum, replies[4]))
    assert response.status_code == 302
    assert response.headers["Location"] == _post_url(forum, head, f"?pagina=3#aporte-{replies[4].id}")
    assert client.get(_post_url(forum, replies[0])).headers["Location"] == _post_url(
        forum, head, f"#aporte-{replies[0].id}"
    )
    page = _html(client.get(_post_url(forum, head, "?pagina=3")))
    assert "Respuesta 4" in page and "Respuesta 3" not in page and "Página 3 de 3" in page


# --- Supports and follows ------------------------------------------------------------------------------


def test_support_once_retract_and_never_your_own(client, make, forum, citizen, in_request):
    head = make.make_post(forum, make.make_user())
    own = make.make_post(forum, citizen)
    reply = make.make_post(forum, citizen, thread=head)
    _sign_in(client, citizen)
    url = _post_url(forum, head, "/apoyo")
    assert post_form(client, url, {"action": "add"}).status_code == 302
    assert _fresh(ForumPost, head.id).supports_count == 1
    assert "Retirar mi apoyo" in _html(client.get(_post_url(forum, head)))

    before = table_row_counts()
    response = post_form(client, url, {"action": "add"})
    assert response.status_code == 409 and "Ya apoyaste este aporte." in _html(response)
    assert table_row_counts() == before and _fresh(ForumPost, head.id).supports_count == 1

    response = post_form(client, _post_url(forum, own, "/apoyo"), {"action": "add"})
    assert response.status_code == 403 and "No puedes apoyar tu propio aporte." in _html(response)
    with pytest.raises(InvalidInput, match="no para las respuestas"):
        forums.support(make.make_user(), reply)
    assert post_form(client, url, {"action": "sideways"}).status_code == 400

    assert post_form(client, url, {"action": "remove"}).status_code == 302
    assert _fresh(ForumPost, head.id).supports_count == 0 and _count(PostSupport) == 0
    response = post_form(client, url, {"action": "remove"})
    assert response.status_code == 409 and "No habías apoyado este aporte." in _html(response)
    assert _fresh(ForumPost, head.id).supports_count == 0


def test_follow_and_unfollow_a_thread(client, make, forum, citizen):
    head = make.make_post(forum, make.make_user())
    _sign_in(client, citizen)
    url = _post_url(forum, head, "/seguir")
    assert post_form(client, url, {"action": "add"}).status_code == 302
    assert _count(thread_follows) == 1
    response = post_form(client, url, {"action": "add"})
    assert response.status_code == 409 and "Ya sigues este hilo." in _html(response)
    assert post_form(client, url, {"action": "remove"}).status_code == 302
    assert _count(thread_follows) == 0
    response = post_form(client, url, {"action": "remove"})
    assert response.status_code == 409 and "No seguías este hilo." in _html(response)


def test_the_service_refuses_a_second_support_and_keeps_the_count(make, forum, citizen, in_request):
    head = make.make_post(forum, make.make_user())
    forums.support(citizen, head)
    db.session.commit()
    with pytest.raises(Conflict):
        forums.support(citizen, head)
    db.session.commit()
    assert _count(PostSupport) == 1 and _fresh(ForumPost, head.id).supports_count == 1


@pytest.mark.parametrize("workers", [2, 20])
def test_concurrent_supports_by_one_person_store_one(app, make, forum, citizen, workers):
    head = make.make_post(forum, make.make_user())
    url = _post_url(forum, head, "/apoyo")
    clients = [_sign_in(app.test_client(), citizen) for _ in range(workers)]
    tokens = [csrf_token(browser, _post_url(forum, head)) for browser in clients]
    db.session.rollback()

    def send(browser, token):
        return lambda: browser.post(url, data={"csrf_token": token, "action": "add"}).status_code

    statuses = race([send(browser, token) for browser, token in zip(clients, tokens, strict=True)])
    assert sorted(statuses) == [302] + [409] * (workers - 1), statuses
    stored = _count(select(PostSupport).where(PostSupport.post_id == head.id).subquery())
    assert stored == 1
    assert _fresh(ForumPost, head.id).supports_count == stored


# --- Editing and withdrawing ---------------------------------------------------------------------------


def test_the_author_edits_within_the_window_and_a_revision_is_kept(client, make, forum, citizen):
    head = make.make_post(forum, citizen, title="Título viejo", body="<p>Texto viejo</p>")
    _sign_in(client, citizen)
    page = _html(client.get(_post_url(forum, head)))
    assert _post_url(forum, head, "/editar") in page
    assert client.get(_post_url(forum, head, "/editar")).status_code == 200
    response = post_form(client, _post_url(forum, head, "/editar"), {"title": "Título nuevo", "body": "Texto nuevo"})
    assert response.status_code == 302
    post = _fresh(ForumPost, head.id)
    assert post.title == "Título nuevo" and post.body == "<p>Texto nuevo</p>" and post.edited_at is not None
    assert post.search_text == search_text("Título nuevo", "<p>Texto nuevo</p>")
    revision = db.session.scalar(select(PostRevision))
    assert (revision.post_id, revision.title, revision.body) == (head.id, "Título viejo", "<p>Texto viejo</p>")
    # Saving the same text again keeps the history as it is.
    post_form(client, _post_url(forum, head, "/editar"), {"title": "Título nuevo", "body": "<p>Texto nuevo</p>"})
    assert _count(PostRevision) == 1


def test_a_reply_is_edited_without_a_title(client, make, forum, citizen):
    reply = make.make_post(forum, citizen, thread=make.make_post(forum, make.make_user()))
    _sign_in(client, citizen)
    assert 'name="title"' not in _html(client.get(_post_url(forum, reply, "/editar")))
    assert post_form(client, _post_url(forum, reply, "/editar"), {"body": "Corrijo"}).status_code == 302
    assert _fresh(ForumPost, reply.id).body == "<p>Corrijo</p>" and _count(PostRevision) == 1


def test_editing_after_fifteen_minutes_or_someone_elses_post_is_refused(client, make, forum, citizen):
    old = make.make_post(forum, citizen, created_at=now_utc() - timedelta(minutes=16))
    recent = make.make_post(forum, citizen, created_at=now_utc() - timedelta(minutes=14))
    foreign = make.make_post(forum, make.make_user())
    _sign_in(client, citizen)
    before = table_row_counts()
    response = post_form(client, _post_url(forum, old, "/editar"), {"title": "Nuevo", "body": "Nuevo"})
    assert response.status_code == 409 and "Ya pasaron los 15 minutos" in _html(response)
    assert client.get(_post_url(forum, old, "/editar")).status_code == 409
    assert _post_url(forum, old, "/editar") not in _html(client.get(_post_url(forum, old)))
    response = post_form(client, _post_url(forum, foreign, "/editar"), {"title": "Nuevo", "body": "Nuevo"})
    assert response.status_code == 403
    assert table_row_counts() == before and _fresh(ForumPost, old.id).title != "Nuevo"
    assert client.get(_post_url(forum, recent, "/editar")).status_code == 200


def test_in_a_pre_moderated_forum_only_a_post_waiting_for_approval_can_be_edited(client, make, citizen):
    forum = make.make_forum(moderation_mode=ModerationMode.PRE)
    published = make.make_post(forum, citizen, title="Aprobado por la moderación")
    waiting = make.make_post(forum, citizen, title="En espera", status=PostStatus.PENDING)
    _sign_in(client, citizen)
    before = table_row_counts()
    response = post_form(client, _post_url(forum, published, "/editar"), {"title": "Insulto", "body": "Insulto"})
    assert response.status_code == 409 and "uno ya publicado no se puede editar" in _html(response)
    assert _post_url(forum, published, "/editar") not in _html(client.get(_post_url(forum, published)))
    assert table_row_counts() == before and _fresh(ForumPost, published.id).title == "Aprobado por la moderación"
    response = post_form(client, _post_url(forum, waiting, "/editar"), {"title": "Corregido", "body": "Texto"})
    assert response.status_code == 302 and _fresh(ForumPost, waiting.id).title == "Corregido"


def test_the_author_withdraws_a_contribution(client, make, forum, citizen):
    head = make.make_post(forum, citizen, title="Mi aporte", body="<p>Texto que retiro</p>")
    replier = make.make_user(display_name="Otra persona")
    make.make_post(forum, replier, thread=head, body="<p>La respuesta queda</p>")
    _sign_in(client, citizen)
    response = post_form(client, _post_url(forum, head, "/retirar"))
    assert response.status_code == 302
    assert _fresh(ForumPost, head.id).status is PostStatus.WITHDRAWN
    for browser in (client, client.application.test_client()):
        page = _html(browser.get(_post_url(forum, head)))
        assert "Contribución retirada por su autor" in page
        assert "Texto que retiro" not in page and "Mi aporte" not in page and "La respuesta queda" in page
        assert "Contribución retirada por su autor" in _html(browser.get(_forum_url(forum)))
    response = post_form(client, _post_url(forum, head, "/retirar"))
    assert response.status_code == 409 and "Ya retiraste este aporte." in _html(response)


def test_withdrawing_a_reply_uncounts_it_and_only_the_author_may(client, make, forum, citizen):
    head = make.make_post(forum, make.make_user())
    reply = make.make_post(forum, citizen, thread=head)
    assert _fresh(ForumPost, head.id).replies_count == 1
    _sign_in(client, make.make_user())
    before = table_row_counts()
    response = post_form(client, _post_url(forum, reply, "/retirar"))
    assert response.status_code == 403 and "Solo la persona que escribió este aporte puede retirarlo." in _html(
        response
    )
    assert table_row_counts() == before
    _sign_in(client, citizen)
    assert post_form(client, _post_url(forum, reply, "/retirar")).status_code == 302
    assert _fresh(ForumPost, head.id).replies_count == 0
    assert _fresh(ForumPost, reply.id).status is PostStatus.WITHDRAWN


# --- Who sees what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PostStatus.HIDDEN, PostStatus.FLAGGED, PostStatus.PENDING])
def test_unpublished_posts_reach_only_their_author_and_moderators(client, make, citizen, status, in_request):
    moderator = make.make_user(Role.MODERATOR)
    forum = make.make_forum(space=make.make_space(moderators=[moderator]))
    post = make.make_post(forum, citizen, title="Aporte polémico", status=status, hidden_reason="Lenguaje ofensivo")
    public = make.make_post(forum, citizen, title="Aporte público")
    reply = make.make_post(forum, citizen, thread=public, status=status, body="<p>Respuesta polémica</p>")
    others = [client.application.test_client(), _sign_in(client.application.test_client(), make.make_user())]
    for browser in others:
        assert browser.get(_post_url(forum, post)).status_code == 404
        assert browser.get(_post_url(forum, reply)).status_code == 404
        assert "Respuesta polémica" not in _html(browser.get(_post_url(forum, public)))
        for url in (_forum_url(forum), _forum_url(forum, "?vista=lista")):
            page = _html(browser.get(url))
            assert "Aporte público" in page and "Aporte polémico" not in page
    for viewer in (citizen, moderator):
        browser = _sign_in(client.application.test_client(), viewer)
        page = _html(browser.get(_post_url(forum, post)))
        assert "Aporte polémico" in page and status.label in page
        if status is PostStatus.HIDDEN:
            assert "Motivo: Lenguaje ofensivo" in page
        assert "Respuesta polémica" in _html(browser.get(_post_url(forum, public)))
        assert "Aporte polémico" in _html(browser.get(_forum_url(forum)))


def test_ids_of_another_forum_are_not_found(client, make, forum, citizen):
    other = make.make_forum()
    foreign = make.make_post(other, citizen)
    foreign_reply = make.make_post(other, citizen, thread=foreign)
    _sign_in(client, citizen)
    token = csrf_token(client, _forum_url(forum))
    before = table_row_counts()
    for post in (foreign, foreign_reply):
        assert client.get(_post_url(forum, post)).status_code == 404
        assert client.get(_post_url(forum, post, "/editar")).status_code == 404
        for suffix in ("/responder", "/apoyo", "/seguir", "/retirar", "/editar"):
            response = client.post(
                _post_url(forum, post, suffix), data={"csrf_token": token, "action": "add", "body": "x", "title": "x"}
            )
            assert response.status_code == 404, suffix
    assert table_row_counts() == before


@pytest.mark.parametrize("raw_id", ["0", "-1", "abc", "99999999999999999999"])
def test_malformed_ids_are_404(client, make, forum, raw_id):
    head = make.make_post(forum, make.make_user())
    assert client.get(f"/espacios/{raw_id}/foro").status_code == 404
    assert client.get(f"/espacios/{forum.space_id}/foro/aportes/{raw_id}").status_code == 404
    assert client.get(_post_url(forum, head)).status_code == 200
    huge = "99999999999999999999"
    assert client.get(_post_url(forum, head, f"?cita={huge}&pagina={huge}")).status_code == 200
    assert client.get(_forum_url(forum, f"?vista=lista&eje={huge}&pagina={huge}")).status_code == 200


def test_a_space_without_forum_or_a_draft_has_no_forum_page(client, make, citizen):
    bare = make.make_space()
    draft_forum = make.make_forum(state=SpaceState.DRAFT)
    head = make.make_post(draft_forum, citizen)
    assert client.get(f"/espacios/{bare.id}/foro").status_code == 404
    _sign_in(client, citizen)
    assert client.get(_forum_url(draft_forum)).status_code == 404
    assert client.get(_post_url(draft_forum, head)).status_code == 404
    official = _sign_in(client.application.test_client(), make.make_official())
    assert official.get(_forum_url(draft_forum)).status_code == 200


def test_deleted_accounts_show_as_deleted_participants(client, make, forum):
    gone = make.make_user(display_name="Nombre Borrado")
    head = make.make_post(forum, gone, title="Aporte de cuenta borrada")
    make.make_post(forum, gone, thread=head)
    gone.deleted_at = now_utc()
    gone.display_name = None
    db.session.commit()
    for url in (_post_url(forum, head), _forum_url(forum), _forum_url(forum, "?vista=lista")):
        page = _html(client.get(url))
        assert "Participante eliminado" in page and "Nombre Borrado" not in page


# --- The forum page ------------------------------------------------------------------------------------


def test_the_tree_shows_problems_with_their_analysis_per_axis(client, make, forum):
    author = make.make_user()
    movilidad, seguridad = forum.axes
    slow = make.make_post(forum, author, axis=movilidad, title="Buses lentos", supports_count=5)
    pinned = make.make_post(forum, author, axis=movilidad, title="Vías rotas", is_pinned=True)
    make.make_post(forum, author, kind=ContributionKind.CAUSE, parent=slow, title="Pocos carriles")
    make.make_post(forum, author, kind=ContributionKind.CONSEQUENCE, parent=slow, title="Llegadas tarde")
    make.make_post(forum, author, kind=ContributionKind.PROPOSAL, parent=pinned, title="Tapar huecos")
    make.make_post(forum, author, kind=ContributionKind.QUESTION, axis=movilidad, title="¿Cuándo pasa el bus?")
    make.make_post(forum, author, axis=seguridad, title="Robos en la estación")
    page = _html(client.get(_forum_url(forum)))
    order = [
        "Movilidad y transporte",
        "Vías rotas",
        "Propuestas (1)",
        "Tapar huecos",
        "Buses lentos",
        "Causas (1)",
        "Pocos carriles",
        "Consecuencias (1)",
        "Llegadas tarde",
        "Preguntas, propuestas y otros aportes",
        "¿Cuándo pasa el bus?",
        "Seguridad y convivencia",
        "Robos en la estación",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "5 apoyos" in page and "Fijado" in page


def test_the_tree_shows_the_most_relevant_and_links_to_the_rest(client, make, forum, monkeypatch):
    monkeypatch.setattr(forums, "TREE_PER_AXIS", 2)
    monkeypatch.setattr(forums, "TREE_CHILDREN_PER_KIND", 1)
    author = make.make_user()
    problems = [make.make_post(forum, author, title=f"Problema {n}", supports_count=n) for n in range(3)]
    for n in range(2):
        make.make_post(forum, author, kind=ContributionKind.CAUSE, parent=problems[2], title=f"Causa {n}")
    page = _html(client.get(_forum_url(forum)))
    assert "Problema 2" in page and "Problema 1" in page and "Problema 0" not in page
    assert "Causas (2)" in page and "Causa 1" in page and "Causa 0" not in page
    assert "Ver el problema restante" in page and f"vista=lista&amp;eje={forum.axes[0].id}" in page


def test_the_list_sorts_filters_and_falls_back_to_defaults(client, make, forum):
    author = make.make_user()
    movilidad, seguridad = forum.axes
    now = now_utc()
    make.make_post(
        forum, author, axis=movilidad, title="Más apoyado", supports_count=9, created_at=now - timedelta(days=3)
    )
    make.make_post(forum, author, axis=movilidad, title="Más reciente", created_at=now)
    make.make_post(
        forum, author, axis=seguridad, title="Más comentado", replies_count=7, created_at=now - timedelta(days=2)
    )

    def titles(query):
        page = _html(client.get(_forum_url(forum, query)))
        return re.findall(r"Más (?:apoyado|reciente|comentado)", page.split('<ol class="post-list">')[1])

    assert titles("?vista=lista") == ["Más apoyado", "Más reciente", "Más comentado"]
    assert titles("?vista=lista&orden=recientes") == ["Más reciente", "Más comentado", "Más apoyado"]
    assert titles("?vista=lista&orden=comentados")[0] == "Más comentado"
    assert titles("?vista=lista&orden=' OR '1'='1") == titles("?vista=lista")
    assert titles(f"?vista=lista&eje={seguridad.id}") == ["Más comentado"]
    assert len(titles("?vista=lista&eje=abc")) == 3
    assert len(titles("?vista=lista&eje=999999")) == 3
    assert "Árbol de problemas" in _html(client.get(_forum_url(forum, "?vista=otra")))


def test_the_list_is_paginated(client, make, forum, monkeypatch):
    monkeypatch.setattr(forums, "LIST_PER_PAGE", 2)
    author = make.make_user()
    for n in range(3):
        make.make_post(forum, author, title=f"Aporte {n}", supports_count=n)
    page = _html(client.get(_forum_url(forum, "?vista=lista&pagina=2")))
    assert "Aporte 0" in page and "Aporte 2" not in page and "Página 2 de 2" in page
    assert client.get(_forum_url(forum, "?vista=lista&pagina=99999999999")).status_code == 200


def test_the_space_page_shows_the_forum(client, make, forum):
    author = make.make_user()
    problem = make.make_post(forum, author)
    make.make_post(forum, author, kind=ContributionKind.CAUSE, parent=problem)
    make.make_post(forum, author, status=PostStatus.HIDDEN)
    page = _html(client.get(f"/espacios/{forum.space_id}"))
    assert forum.topic in page and "Movilidad y transporte" in page and "Seguridad y convivencia" in page
    assert "1 problemas, 1 causas" in page and _forum_url(forum) in page


def test_a_space_of_kind_forum_not_yet_configured_says_so(client, make):
    space = make.make_space()
    page = _html(client.get(f"/espacios/{space.id}"))
    assert "El foro de este espacio todavía no está configurado." in page


# --- Performance: constant queries and no writes on page views -----------------------------------------


def _fill(make, forum, threads: int, users: list[User]):
    """``threads`` problems over both axes, each with a cause, a proposal, replies and supports."""
    for n in range(threads):
        author = users[n % len(users)]
        problem = make.make_post(forum, author, axis=forum.axes[n % 2], is_pinned=n == 0)
        make.make_post(forum, author, kind=ContributionKind.CAUSE, parent=problem)
        make.make_post(forum, author, kind=ContributionKind.PROPOSAL, parent=problem)
        make.make_post(forum, author, kind=ContributionKind.QUESTION, axis=forum.axes[n % 2])
        for m in range(3):
            make.make_post(forum, users[(n + m + 1) % len(users)], thread=problem)
        supporters = [user for user in users if user.id != author.id]
        db.session.add_all(PostSupport(post_id=problem.id, user_id=user.id) for user in supporters)
        problem.supports_count = len(supporters)
        # The factories write rows directly, not through the services that mark the forum as changed.
        bump_forum_revision(forum.id)
        db.session.commit()


@pytest.mark.parametrize("query", ["", "?vista=lista", "?vista=lista&orden=comentados&pagina=2"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_forum_page_runs_a_constant_number_of_queries(client, make, forum, count_queries, query, signed_in):
    users = [make.make_user() for _ in range(4)]
    if signed_in:
        _sign_in(client, users[0])
    url = _forum_url(forum, query)
    _fill(make, forum, 2, users)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _fill(make, forum, 38, users)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert small.count == large.count, large.statements
    # The forum with its space and axes, then the tree (two) or the list (count and page); signed in, also
    # the person, their suspensions and their unread notifications; anonymous, first the page cache's
    # stamp (foro.services.page_cache: here a miss, the forum changed; a hit runs that query alone).
    assert large.count == (6 if signed_in else 4)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_thread_page_runs_a_constant_number_of_queries(client, make, forum, count_queries, signed_in):
    users = [make.make_user() for _ in range(6)]
    if signed_in:
        _sign_in(client, users[0])
    head = make.make_post(forum, users[1])
    for kind in (ContributionKind.CAUSE, ContributionKind.CONSEQUENCE, ContributionKind.PROPOSAL):
        make.make_post(forum, users[2], kind=kind, parent=head)
    db.session.add_all(PostSupport(post_id=head.id, user_id=user.id) for user in users[2:])
    db.session.commit()

    def add_replies(count):
        previous = head
        for n in range(count):
            previous = make.make_post(forum, users[n % len(users)], thread=head, quote=previous, edited_at=now_utc())
        bump_forum_revision(forum.id)
        db.session.commit()

    url = _post_url(forum, head)
    add_replies(5)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add_replies(45)
    with count_queries() as large:
        page = _html(client.get(url))
    assert page.count('class="quote"') == 50
    assert small.count == large.count, large.statements
    # Forum, post, children, replies (count and page), the proposals that take the problem up; signed
    # in, also the person, their support, follow and suspension (one query), their unread notifications
    # and the calls they may carry it into; anonymous, first the page cache's stamp.
    assert large.count == (10 if signed_in else 7)


def test_page_views_never_write(client, make, forum, count_queries, citizen):
    users = [citizen, make.make_user()]
    _fill(make, forum, 3, users)
    head = db.session.scalar(select(ForumPost).where(ForumPost.kind == ContributionKind.PROBLEM))
    reply = db.session.scalar(select(ForumPost).where(ForumPost.thread_id == head.id))
    _sign_in(client, citizen)
    urls = [
        _forum_url(forum),
        _forum_url(forum, "?vista=lista"),
        _post_url(forum, head),
        _post_url(forum, head, f"?cita={reply.id}"),
        _post_url(forum, reply),
        _forum_url(forum, "/aportar"),
        f"/espacios/{forum.space_id}",
        "/notificaciones",
    ]
    with count_queries() as counter:
        for url in urls:
            assert client.get(url).status_code in (200, 302), url
    writes = [s for s in counter.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_the_real_log_in_form_works_with_the_forum(client, make, forum, citizen):
    login(client, citizen)
    assert "Hacer un aporte" in _html(client.get(_forum_url(forum)))


def test_the_thread_says_when_you_already_reported_it(client, make):
    forum = make.make_forum()
    head = make.make_post(forum, make.make_user())
    reporter = make.make_user()
    db.session.add(PostFlag(post_id=head.id, user_id=reporter.id, reason=FlagReason.SPAM))
    db.session.commit()
    login(client, reporter)
    html = client.get(f"/espacios/{forum.space_id}/foro/aportes/{head.id}").get_data(as_text=True)
    assert "Ya reportaste este aporte" in html
    assert f"/foro/aportes/{head.id}/reportar" not in html


def test_anonymous_readers_get_no_session_cookie(client, make):
    forum = make.make_forum()
    head = make.make_post(forum, make.make_user())
    for url in (f"/espacios/{forum.space_id}/foro", f"/espacios/{forum.space_id}/foro/aportes/{head.id}"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url


def test_a_problem_is_carried_into_a_call_for_proposals_and_keeps_the_link(client, make, forum, citizen, make_client):
    """Issue 3: contributions of kind problem or proposal can be taken into a call for proposals later."""
    problem = make.make_post(forum, make.make_user(), title="No hay bus a la ladera después de las 8")
    question = make.make_post(forum, make.make_user(), kind=ContributionKind.QUESTION)
    open_call = make.make_call(forum.space.organism, window=CallWindow.PROPOSING, title="Propuestas de movilidad")
    make.make_call(make.organism("SSP"), window=CallWindow.PROPOSING, title="Convocatoria de otro organismo")
    make.make_call(forum.space.organism, window=CallWindow.VOTING, title="Convocatoria ya en votación")
    carry = f"/espacios/{open_call.space_id}/propuestas/nueva?aporte={problem.id}"

    visitor = make_client()
    anonymous = _html(visitor.get(_post_url(forum, problem)))  # now kept for anonymous visitors
    assert carry not in anonymous and "De este aporte a una convocatoria" not in anonymous
    _sign_in(client, citizen)
    page = _html(client.get(_post_url(forum, problem)))
    assert f'href="{carry.replace("&", "&amp;")}"' in page
    assert "Convocatoria de otro organismo" not in page and "Convocatoria ya en votación" not in page
    assert "/propuestas/nueva" not in _html(client.get(_post_url(forum, question)))

    form = _html(client.get(carry))
    assert problem.title in form
    response = post_form(
        client,
        carry,
        {
            "title": "Ruta nocturna a la ladera",
            "problem": problem.title,
            "description": "Una ruta cada 30 minutos hasta las 11 de la noche.",
            "territory_id": "",
            "estimated_cost": "90000000",
            "forum_post_id": str(problem.id),
        },
    )
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == "Ruta nocturna a la ladera"))
    assert proposal.forum_post_id == problem.id
    assert "Ruta nocturna a la ladera" in _html(visitor.get(_post_url(forum, problem)))
