"""In-app notifications: who is told about a reply, a quote or a new analysis of their problem, the
notifications page, marking read, the header's unread count, and what other capabilities call."""

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import ForumPost, ModerationMode, Notification, NotificationKind, PostStatus
from foro.services import forums
from foro.services.notifications import Notice, is_local_path, notify, notify_each, post_path
from foro.timeutil import now_utc
from tests.helpers import csrf_token, post_form, table_row_counts


def _html(response) -> str:
    return response.get_data(as_text=True)


def _sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _notifications(user_id: int) -> list[tuple[NotificationKind, str, str]]:
    db.session.rollback()
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))
    return [(row.kind, row.message, row.url) for row in rows]


def _total() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Notification))


@pytest.fixture
def in_request(app):
    """Services translate their messages with the request's language: call them inside a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def forum(make):
    return make.make_forum()


@pytest.fixture
def people(make):
    names = ("Autora", "Quien responde", "Seguidora", "Citada")
    return {name: make.make_user(display_name=name) for name in names}


def _reply(client, forum, head, body="Estoy de acuerdo.", quote=None):
    data = {"body": body, "quote_id": quote.id if quote else ""}
    return post_form(client, f"/espacios/{forum.space_id}/foro/aportes/{head.id}/responder", data)


def test_a_reply_notifies_the_author_the_quoted_and_the_followers_once(client, make, forum, people):
    author, replier, follower, quoted = (people[n] for n in ("Autora", "Quien responde", "Seguidora", "Citada"))
    head = make.make_post(forum, author, title="Buses escasos")
    quoted_reply = make.make_post(forum, quoted, thread=head)
    for user in (author, follower, replier):
        forums.follow(user, head)
    db.session.commit()
    _sign_in(client, replier)
    response = _reply(client, forum, head, quote=quoted_reply)
    assert response.status_code == 302
    reply = db.session.scalar(select(Notification.url).where(Notification.user_id == author.id))
    assert reply == response.headers["Location"]
    assert _notifications(author.id) == [
        (NotificationKind.REPLY, "Quien responde respondió a tu aporte «Buses escasos».", reply)
    ]
    assert _notifications(quoted.id) == [
        (NotificationKind.REPLY, "Quien responde citó tu mensaje en «Buses escasos».", reply)
    ]
    assert _notifications(follower.id) == [
        (NotificationKind.FOLLOWED_THREAD, "Quien responde respondió en «Buses escasos», un hilo que sigues.", reply)
    ]
    # Never about one's own reply, although the replier follows the thread.
    assert _notifications(replier.id) == []


def test_replying_in_ones_own_thread_notifies_only_others(client, make, forum, people):
    author = people["Autora"]
    head = make.make_post(forum, author)
    forums.follow(author, head)
    db.session.commit()
    _sign_in(client, author)
    assert _reply(client, forum, head).status_code == 302
    assert _total() == 0


def test_the_author_of_a_contribution_follows_it_and_hears_of_replies(client, make, forum, people):
    _sign_in(client, people["Autora"])
    post_form(
        client,
        f"/espacios/{forum.space_id}/foro/aportar",
        {"kind": "question", "axis_id": forum.axes[0].id, "title": "¿Hay ruta nocturna?", "body": "Pregunto."},
    )
    head = db.session.scalar(select(ForumPost))
    _sign_in(client, people["Quien responde"])
    _reply(client, forum, head)
    assert [kind for kind, _, _ in _notifications(people["Autora"].id)] == [NotificationKind.REPLY]


def test_a_new_cause_notifies_the_author_of_its_problem(client, make, forum, people):
    problem = make.make_post(forum, people["Autora"], title="Basuras en el caño")
    _sign_in(client, people["Quien responde"])
    response = post_form(
        client,
        f"/espacios/{forum.space_id}/foro/aportar",
        {"kind": "cause", "parent_id": problem.id, "axis_id": forum.axes[0].id, "title": "Sin canecas", "body": "x"},
    )
    assert response.status_code == 302
    assert _notifications(people["Autora"].id) == [
        (
            NotificationKind.REPLY,
            "Quien responde aportó una causa a tu problema «Basuras en el caño».",
            response.headers["Location"],
        )
    ]


def test_pre_moderated_replies_notify_when_approved(client, make, people, in_request):
    forum = make.make_forum(moderation_mode=ModerationMode.PRE)
    head = make.make_post(forum, people["Autora"])
    _sign_in(client, people["Quien responde"])
    assert _reply(client, forum, head).status_code == 302
    assert _total() == 0
    pending = db.session.scalar(select(ForumPost).where(ForumPost.status == PostStatus.PENDING))
    # What moderation calls when it approves the post (it adjusts the counters itself).
    pending.status = PostStatus.PUBLISHED
    assert forums.announce_published(pending) == 1
    db.session.commit()
    assert [kind for kind, _, _ in _notifications(people["Autora"].id)] == [NotificationKind.REPLY]


def test_deleted_accounts_are_not_notified(make, forum, people, in_request):
    gone = people["Seguidora"]
    head = make.make_post(forum, people["Autora"])
    forums.follow(gone, head)
    gone.deleted_at = now_utc()
    db.session.commit()
    reply = forums.post_reply(people["Quien responde"], head, body="Hola")
    db.session.commit()
    assert _notifications(gone.id) == [] and len(_notifications(people["Autora"].id)) == 1
    assert notify(gone, NotificationKind.MODERATION, "x", post_path(reply)) is None


def test_notify_is_what_moderation_calls(make, forum, people, in_request):
    post = make.make_post(forum, people["Autora"])
    notification = notify(people["Autora"], NotificationKind.MODERATION, "m" * 400, post_path(post))
    db.session.commit()
    assert notification.url == f"/espacios/{forum.space_id}/foro/aportes/{post.id}"
    assert len(notification.message) == 300 and notification.message.endswith("…")
    notices = [
        Notice(people["Citada"].id, NotificationKind.REPLY, "uno"),
        Notice(people["Citada"].id, NotificationKind.REPLY, "dos"),
    ]
    assert notify_each(notices, "/notificaciones") == 1


@pytest.mark.parametrize(
    "url", ["https://malo.example", "//malo.example/x", "/\\malo.example", "javascript:alert(1)", "/a\r\nb"]
)
def test_notifications_only_point_inside_foro(make, people, url):
    assert not is_local_path(url)
    with pytest.raises(ValueError):
        notify(people["Autora"], NotificationKind.MODERATION, "x", url)
    with pytest.raises(ValueError):
        notify_each([Notice(people["Autora"].id, NotificationKind.MODERATION, "x")], url)


# --- The notifications page ------------------------------------------------------------------------------


def _seed(user, count, read=False):
    for n in range(count):
        db.session.add(
            Notification(
                user_id=user.id,
                kind=NotificationKind.REPLY,
                message=f"Aviso número {n} <b>sin marcado</b>",
                url=f"/espacios/1/foro/aportes/{n + 1}",
                read_at=now_utc() if read else None,
            )
        )
    db.session.commit()


def test_the_page_lists_ones_own_notifications_and_the_header_counts_unread(client, make, people):
    me, other = people["Autora"], people["Citada"]
    _seed(me, 2)
    _seed(me, 1, read=True)
    _seed(other, 4)
    _sign_in(client, me)
    page = _html(client.get("/notificaciones"))
    assert "Notificaciones (2 sin leer)" in page
    assert page.count("Aviso número") == 3 and "&lt;b&gt;sin marcado&lt;/b&gt;" in page
    assert page.count("Sin leer") == 2
    assert "Notificaciones (2 sin leer)" in _html(client.get("/"))


def test_anonymous_visitors_have_no_notifications(client, reference):
    response = client.get("/notificaciones")
    assert response.status_code == 302 and "/cuenta/ingresar" in response.headers["Location"]
    assert "Notificaciones" not in _html(client.get("/"))


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, make, people):
    me = people["Autora"]
    _seed(me, 2)
    first = db.session.scalar(select(Notification).order_by(Notification.id))
    _sign_in(client, me)
    response = post_form(client, f"/notificaciones/{first.id}/leida")
    assert response.status_code == 302 and response.headers["Location"] == first.url
    db.session.rollback()
    assert db.session.get(Notification, first.id).read_at is not None
    assert "Notificaciones (1 sin leer)" in _html(client.get("/notificaciones"))
    # Opening it again keeps the first reading time and still leads to the page.
    assert post_form(client, f"/notificaciones/{first.id}/leida").status_code == 302


def test_mark_all_read(client, make, people):
    me, other = people["Autora"], people["Citada"]
    _seed(me, 3)
    _seed(other, 2)
    _sign_in(client, me)
    response = post_form(client, "/notificaciones")
    assert response.status_code == 302
    db.session.rollback()
    unread = select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))
    assert db.session.scalar(unread.where(Notification.user_id == me.id)) == 0
    assert db.session.scalar(unread.where(Notification.user_id == other.id)) == 2
    html = _html(client.get("/notificaciones"))
    assert ">Notificaciones</a>" in html and "sin leer" not in html


def test_someone_elses_notification_is_not_found_and_unchanged(client, make, people):
    _seed(people["Citada"], 1)
    theirs = db.session.scalar(select(Notification))
    _sign_in(client, people["Autora"])
    before = table_row_counts()
    for raw in (str(theirs.id), "0", "-1", "abc", "99999999999999999999"):
        assert client.post(f"/notificaciones/{raw}/leida", data={"csrf_token": csrf_token(client)}).status_code == 404
    db.session.rollback()
    assert db.session.get(Notification, theirs.id).read_at is None
    assert table_row_counts() == before


def test_marking_read_needs_a_csrf_token_and_a_post(client, make, people):
    _seed(people["Autora"], 1)
    mine = db.session.scalar(select(Notification))
    _sign_in(client, people["Autora"])
    assert client.post(f"/notificaciones/{mine.id}/leida").status_code == 400
    assert client.get(f"/notificaciones/{mine.id}/leida").status_code == 405
    db.session.rollback()
    assert db.session.get(Notification, mine.id).read_at is None


def test_the_page_and_the_header_run_a_constant_number_of_queries(client, make, people, count_queries, monkeypatch):
    me = people["Autora"]
    _sign_in(client, me)
    _seed(me, 1)
    with count_queries() as small:
        assert client.get("/notificaciones").status_code == 200
    _seed(me, 40)
    with count_queries() as large:
        assert client.get("/notificaciones").status_code == 200
    assert small.count == large.count == 4  # the person, the unread count, the page's count and rows
    with count_queries() as home:
        client.get("/")
    assert sum("notifications" in statement for statement in home.statements) == 1
