"""Moderation of forums: flags and the automatic hiding, every moderator action for every role, illegal
moves, bad input, races, suspensions, the queue, revisions, transparency and the admins' log and CSV."""

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from foro import permissions
from foro.errors import Conflict, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    FlagReason,
    ForumPost,
    ModerationAction,
    ModerationLogEntry,
    ModerationMode,
    Notification,
    NotificationKind,
    PostFlag,
    PostRevision,
    PostStatus,
    Role,
    SpaceState,
    SpaceSuspension,
    User,
)
from foro.services import forums, moderation
from foro.timeutil import now_utc
from tests.helpers import csrf_token, login, post_form, race, table_row_counts

HIDDEN_BODY = "<p>Texto ofensivo que nadie más debe leer.</p>"


@pytest.fixture(autouse=True)
def _in_a_request(app):
    """Services are called from requests: their Spanish messages pick the locale of one."""
    with app.test_request_context():
        yield


@pytest.fixture
def scene(make):
    """A forum moderated by one moderator, with a published contribution by a citizen."""
    moderator = make.make_user(Role.MODERATOR, display_name="Marta Moderadora")
    forum = make.make_forum(moderators=[moderator], flag_threshold=3)
    author = make.make_user(display_name="Ana Autora")
    post = make.make_post(forum, author, title="Buses nocturnos", body=HIDDEN_BODY)
    return SimpleNamespace(make=make, moderator=moderator, forum=forum, space=forum.space, author=author, post=post)


def _act_url(post) -> str:
    return f"/moderacion/espacios/{post.forum.space_id}/aportes/{post.id}"


def _flag_url(post) -> str:
    return f"/espacios/{post.forum.space_id}/foro/aportes/{post.id}/reportar"


def _thread_url(post) -> str:
    return f"/espacios/{post.forum.space_id}/foro/aportes/{post.id}"


def _fresh(post) -> ForumPost:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(ForumPost, post.id)


def _count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _log_rows() -> int:
    return _count(ModerationLogEntry)


def _moderation_notices(user) -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(Notification.message).where(
                Notification.user_id == user.id, Notification.kind == NotificationKind.MODERATION
            )
        )
    )


def _open_flags(post) -> int:
    return _count(PostFlag, PostFlag.post_id == post.id, PostFlag.resolved_at.is_(None))


def _flag(user, post, reason=FlagReason.INSULT, note=""):
    flag = moderation.flag_post(user, post, reason=reason, note=note)
    db.session.commit()
    return flag


# --- Flags -------------------------------------------------------------------------------------------


def test_a_citizen_flags_a_post_through_the_page(client, scene):
    flagger = scene.make.make_user()
    login(client, flagger)
    page = client.get(_flag_url(scene.post))
    assert page.status_code == 200
    assert "Reportar un aporte" in page.get_data(as_text=True)
    assert "Insulto o irrespeto" in page.get_data(as_text=True)

    response = post_form(client, _flag_url(scene.post), {"reason": "spam", "note": "Vende productos"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(_thread_url(scene.post))
    flag = db.session.scalar(select(PostFlag))
    assert (flag.user_id, flag.reason, flag.note, flag.resolved_at) == (
        flagger.id,
        FlagReason.SPAM,
        "Vende productos",
        None,
    )
    post = _fresh(scene.post)
    assert (post.flags_count, post.status) == (1, PostStatus.PUBLISHED)


def test_flagging_twice_is_a_409_and_stores_one_flag(client, scene):
    login(client, scene.make.make_user())
    assert post_form(client, _flag_url(scene.post), {"reason": "insult"}).status_code == 302
    before = table_row_counts()

    response = post_form(client, _flag_url(scene.post), {"reason": "spam"})

    assert response.status_code == 409
    assert "Ya reportaste este aporte" in response.get_data(as_text=True)
    assert table_row_counts() == before
    assert _fresh(scene.post).flags_count == 1


def test_the_author_may_not_flag_their_own_post(client, scene):
    login(client, scene.author)
    before = table_row_counts()
    response = post_form(client, _flag_url(scene.post), {"reason": "insult"})
    assert response.status_code == 403
    assert "No puedes reportar tu propio aporte" in response.get_data(as_text=True)
    assert table_row_counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Elige el motivo del reporte."),
        ({"reason": "rumor"}, "Elige una de las opciones de la lista."),
        ({"reason": "spam", "note": "x" * 501}, "El comentario admite hasta 500 caracteres."),
    ],
)
def test_bad_flags_are_a_400_and_store_nothing(client, scene, data, message):
    login(client, scene.make.make_user())
    before = table_row_counts()
    response = post_form(client, _flag_url(scene.post), data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before


def test_anonymous_visitors_are_sent_to_log_in_to_flag(client, scene):
    response = client.get(_flag_url(scene.post))
    assert response.status_code == 302
    assert "/cuenta/ingresar" in response.headers["Location"]


@pytest.mark.parametrize("status", [PostStatus.HIDDEN, PostStatus.FLAGGED, PostStatus.PENDING, PostStatus.WITHDRAWN])
def test_a_post_that_is_not_published_cannot_be_flagged_404(client, scene, status):
    post = scene.make.make_post(scene.forum, scene.make.make_user(), status=status)
    login(client, scene.make.make_user())
    before = table_row_counts()
    assert client.get(_flag_url(post)).status_code == 404
    assert post_form(client, _flag_url(post), {"reason": "spam"}).status_code == 404
    assert table_row_counts() == before


def test_a_post_of_another_forum_is_a_404(client, scene):
    other_forum = scene.make.make_forum()
    login(client, scene.make.make_user())
    url = f"/espacios/{other_forum.space_id}/foro/aportes/{scene.post.id}/reportar"
    assert client.get(url).status_code == 404
    assert post_form(client, url, {"reason": "spam"}).status_code == 404
    for bad_id in ("0", "-1", "abc", "99999999999999999999"):
        assert client.get(f"/espacios/{scene.space.id}/foro/aportes/{bad_id}/reportar").status_code == 404


def test_only_open_or_closed_forums_take_flags(client, make):
    forum = make.make_forum(state=SpaceState.RESULTS_PUBLISHED)
    post = make.make_post(forum, make.make_user())
    login(client, make.make_user())
    before = table_row_counts()
    response = post_form(client, _flag_url(post), {"reason": "spam"})
    assert response.status_code == 409
    assert "Solo se pueden reportar aportes de foros abiertos o cerrados." in response.get_data(as_text=True)
    assert table_row_counts() == before


def test_the_threshold_hides_the_post_and_tells_the_author(client, scene):
    flaggers = [scene.make.make_user() for _ in range(3)]
    for flagger in flaggers[:2]:
        _flag(flagger, scene.post)
    assert _fresh(scene.post).status is PostStatus.PUBLISHED
    assert _moderation_notices(scene.author) == []

    login(client, flaggers[2])
    assert post_form(client, _flag_url(scene.post), {"reason": "insult"}).status_code == 302

    post = _fresh(scene.post)
    assert (post.status, post.flags_count) == (PostStatus.FLAGGED, 3)
    [message] = _moderation_notices(scene.author)
    assert "Buses nocturnos" in message and "quedó oculto mientras el equipo de moderación revisa" in message


def test_a_flagged_reply_stops_counting_in_its_thread(scene):
    scene.forum.flag_threshold = 1
    reply = scene.make.make_post(scene.forum, scene.make.make_user(), thread=scene.post)
    assert _fresh(scene.post).replies_count == 1
    _flag(scene.make.make_user(), reply)
    assert _fresh(reply).status is PostStatus.FLAGGED
    assert _fresh(scene.post).replies_count == 0


def test_concurrent_last_flags_of_distinct_people_flip_the_post_once(app, scene):
    scene.forum.flag_threshold = 2
    db.session.commit()
    post_id, author = scene.post.id, scene.author
    flagger_ids = [scene.make.make_user().id for _ in range(6)]
    db.session.rollback()

    def flag_as(user_id):
        with app.test_request_context(method="POST"):
            try:
                moderation.flag_post(
                    db.session.get(User, user_id), db.session.get(ForumPost, post_id), reason=FlagReason.SPAM
                )
                db.session.commit()
                return "flagged"
            except InvalidTransition:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    outcomes = race([lambda user_id=user_id: flag_as(user_id) for user_id in flagger_ids])

    assert set(outcomes) <= {"flagged", "refused"}, outcomes
    assert outcomes.count("flagged") >= 2
    post = _fresh(scene.post)
    assert post.status is PostStatus.FLAGGED
    assert post.flags_count == _count(PostFlag, PostFlag.post_id == post_id) == outcomes.count("flagged")
    assert len(_moderation_notices(author)) == 1


def test_concurrent_flags_of_one_person_store_one(app, scene):
    post_id = scene.post.id
    flagger_id = scene.make.make_user().id
    db.session.rollback()

    def flag_once():
        with app.test_request_context(method="POST"):
            try:
                moderation.flag_post(
                    db.session.get(User, flagger_id), db.session.get(ForumPost, post_id), reason=FlagReason.SPAM
                )
                db.session.commit()
                return "flagged"
            except Conflict:
                db.session.rollback()
                return "conflict"
            finally:
                db.session.remove()

    outcomes = race([flag_once for _ in range(8)])

    assert sorted(outcomes) == ["conflict"] * 7 + ["flagged"]
    assert _fresh(scene.post).flags_count == _count(PostFlag) == 1


# --- Moderator actions: who may ----------------------------------------------------------------------


def _prepare(scene, action: str):
    """A post in the state the action starts from, and the form fields it needs."""
    make, forum, post = scene.make, scene.forum, scene.post
    data = {"action": action}
    if action == "approve":
        post.status = PostStatus.PENDING
    elif action == "hide":
        data["reason"] = "Insulta a otra participante."
    elif action == "restore":
        post.status, post.hidden_reason = PostStatus.HIDDEN, "Lenguaje ofensivo."
    elif action == "unlock":
        post.is_locked = True
    elif action == "unpin":
        post.is_pinned = True
    elif action == "move":
        data["axis_id"] = forum.axes[1].id
    elif action == "mark_duplicate":
        data["duplicate_of_id"] = make.make_post(forum, make.make_user(), title="El original").id
    db.session.commit()
    return data


def _check_done(scene, action: str) -> None:
    post = _fresh(scene.post)
    expected = {
        "approve": lambda: post.status is PostStatus.PUBLISHED,
        "hide": lambda: post.status is PostStatus.HIDDEN and post.hidden_reason == "Insulta a otra participante.",
        "restore": lambda: post.status is PostStatus.PUBLISHED and post.hidden_reason == "",
        "lock": lambda: post.is_locked,
        "unlock": lambda: not post.is_locked,
        "pin": lambda: post.is_pinned,
        "unpin": lambda: not post.is_pinned,
        "move": lambda: post.axis_id == scene.forum.axes[1].id,
        "mark_duplicate": lambda: (
            post.status is PostStatus.HIDDEN
            and post.duplicate_of_id is not None
            and post.hidden_reason.startswith("Duplicado de «El original»")
        ),
    }
    assert expected[action](), action


ALL_ACTIONS = [action.value for action in moderation.POST_ACTIONS]


@pytest.mark.parametrize("who", ["moderator", "admin"])
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_action_is_allowed_for_the_moderator_and_admins(client, scene, who, action):
    actor = scene.moderator if who == "moderator" else scene.make.make_user(Role.ADMIN)
    data = _prepare(scene, action)
    login(client, actor)

    response = post_form(client, _act_url(scene.post), data)

    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/moderacion")
    _check_done(scene, action)
    db.session.rollback()
    [entry] = db.session.scalars(select(ModerationLogEntry)).all()
    assert (entry.space_id, entry.moderator_id, entry.action.value, entry.post_id, entry.target_user_id) == (
        scene.space.id,
        actor.id,
        action,
        scene.post.id,
        scene.author.id,
    )


def _outsider(scene, who: str) -> User:
    make = scene.make
    if who == "citizen":
        return make.make_user()
    if who == "author":
        return scene.author
    if who == "moderator of another space":
        other_moderator = make.make_user(Role.MODERATOR)
        make.make_forum(moderators=[other_moderator])
        return other_moderator
    return make.make_official()  # an official of the space's own organism, not assigned to moderate it


OUTSIDERS = ["citizen", "author", "moderator of another space", "unassigned official"]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_action_is_refused_to_others_and_stores_nothing(client, scene, who, action):
    data = _prepare(scene, action)
    login(client, _outsider(scene, who))
    before = table_row_counts()
    status_before = _fresh(scene.post).status

    response = post_form(client, _act_url(scene.post), data)

    assert response.status_code == 403
    assert table_row_counts() == before
    assert _log_rows() == 0
    assert _fresh(scene.post).status is status_before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_suspending_is_refused_to_others(client, scene, who):
    login(client, _outsider(scene, who))
    target = scene.make.make_user()
    before = table_row_counts()
    response = post_form(
        client, f"/moderacion/espacios/{scene.space.id}/suspensiones", {"user_id": target.id, "days": 3, "reason": "x"}
    )
    assert response.status_code == 403
    assert table_row_counts() == before


def test_the_service_refuses_outsiders_too(scene):
    citizen = scene.make.make_user()
    with pytest.raises(NotAllowed):
        moderation.hide_post(citizen, scene.post, reason="No me gusta.")
    db.session.rollback()
    assert _log_rows() == 0


def test_anonymous_moderation_requests_go_to_log_in(client, scene):
    token = csrf_token(client)
    response = client.post(_act_url(scene.post), data={"csrf_token": token, "action": "lock"})
    assert response.status_code == 302 and "/cuenta/ingresar" in response.headers["Location"]
    assert _log_rows() == 0


def test_actions_need_a_csrf_token(client, scene):
    login(client, scene.moderator)
    assert client.post(_act_url(scene.post), data={"action": "lock"}).status_code == 400
    assert not _fresh(scene.post).is_locked


def test_a_post_of_another_space_is_a_404_for_actions(client, scene):
    other = scene.make.make_forum(moderators=[scene.moderator])
    login(client, scene.moderator)
    response = post_form(client, f"/moderacion/espacios/{other.space_id}/aportes/{scene.post.id}", {"action": "lock"})
    assert response.status_code == 404
    assert post_form(client, f"/moderacion/espacios/{scene.space.id}/aportes/0", {"action": "lock"}).status_code == 404
    assert _log_rows() == 0


# --- Illegal moves and bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "data", "message"),
    [
        ({}, {"action": "approve"}, "Este aporte ya está publicado y no tiene reportes pendientes."),
        ({}, {"action": "restore"}, "Este aporte está «Publicado»: no se puede restaurar."),
        ({"status": PostStatus.HIDDEN}, {"action": "hide", "reason": "Otra vez"}, "no se puede ocultar"),
        ({"status": PostStatus.WITHDRAWN}, {"action": "hide", "reason": "x"}, "no se puede ocultar"),
        ({"status": PostStatus.HIDDEN}, {"action": "approve"}, "no se puede aprobar"),
        ({"is_locked": True}, {"action": "lock"}, "El hilo ya está cerrado."),
        ({}, {"action": "unlock"}, "El hilo no está cerrado."),
        ({"is_pinned": True}, {"action": "pin"}, "El hilo ya está fijado."),
        ({}, {"action": "unpin"}, "El hilo no está fijado."),
    ],
)
def test_illegal_moves_are_a_409_and_store_nothing(client, scene, setup, data, message):
    for name, value in setup.items():
        setattr(scene.post, name, value)
    db.session.commit()
    login(client, scene.moderator)
    before = table_row_counts()

    response = post_form(client, _act_url(scene.post), data)

    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before


@pytest.mark.parametrize("action", ["lock", "unlock", "pin", "unpin", "move", "mark_duplicate"])
def test_thread_actions_on_a_reply_are_a_409(client, scene, action):
    reply = scene.make.make_post(scene.forum, scene.make.make_user(), thread=scene.post)
    login(client, scene.moderator)
    before = table_row_counts()
    data = {"action": action, "axis_id": scene.forum.axes[1].id, "duplicate_of_id": scene.post.id}
    response = post_form(client, _act_url(reply), data)
    assert response.status_code == 409
    assert "solo se puede hacer con un aporte principal" in response.get_data(as_text=True)
    assert table_row_counts() == before


def _bad_input_cases(scene):
    make = scene.make
    other_forum = make.make_forum(moderators=[scene.moderator])
    foreign_head = make.make_post(other_forum, make.make_user())
    hidden_head = make.make_post(scene.forum, make.make_user(), status=PostStatus.HIDDEN)
    reply = make.make_post(scene.forum, make.make_user(), thread=scene.post)
    return {
        "unknown action": ({"action": "delete"}, "Esa acción de moderación no existe."),
        "no action": ({}, "Esa acción de moderación no existe."),
        "hide without reason": ({"action": "hide"}, "Escribe el motivo por el que ocultas este aporte."),
        "hide with blank reason": ({"action": "hide", "reason": " \u200b "}, "Escribe el motivo por el que ocultas"),
        "overlong reason": ({"action": "hide", "reason": "x" * 501}, "El motivo admite hasta 500 caracteres."),
        "axis of another forum": (
            {"action": "move", "axis_id": other_forum.axes[1].id},
            "Elige uno de los ejes de este foro.",
        ),
        "no axis": ({"action": "move"}, "Elige uno de los ejes de este foro."),
        "axis not a number": ({"action": "move", "axis_id": "dos"}, "No es un valor entero válido."),
        "duplicate of another forum": (
            {"action": "mark_duplicate", "duplicate_of_id": foreign_head.id},
            "Escribe el número de otro aporte principal publicado en este mismo foro.",
        ),
        "duplicate of itself": (
            {"action": "mark_duplicate", "duplicate_of_id": scene.post.id},
            "otro aporte principal publicado",
        ),
        "duplicate of a hidden post": (
            {"action": "mark_duplicate", "duplicate_of_id": hidden_head.id},
            "otro aporte principal publicado",
        ),
        "duplicate of a reply": ({"action": "mark_duplicate", "duplicate_of_id": reply.id}, "otro aporte principal"),
        "duplicate of nothing": ({"action": "mark_duplicate", "duplicate_of_id": 999999}, "otro aporte principal"),
    }


BAD_INPUT = [
    "unknown action",
    "no action",
    "hide without reason",
    "hide with blank reason",
    "overlong reason",
    "axis of another forum",
    "no axis",
    "axis not a number",
    "duplicate of another forum",
    "duplicate of itself",
    "duplicate of a hidden post",
    "duplicate of a reply",
    "duplicate of nothing",
]


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_action_input_is_a_400_with_a_message_and_stores_nothing(client, scene, case):
    data, message = _bad_input_cases(scene)[case]
    login(client, scene.moderator)
    before = table_row_counts()

    response = post_form(client, _act_url(scene.post), data)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    # The refused action's page offers the forms again.
    assert "Moderar el aporte n.º" in html
    assert table_row_counts() == before
    post = _fresh(scene.post)
    assert (post.status, post.axis_id, post.duplicate_of_id) == (PostStatus.PUBLISHED, scene.forum.axes[0].id, None)


def test_the_thread_page_may_be_where_the_moderator_returns(client, scene):
    login(client, scene.moderator)
    response = post_form(client, _act_url(scene.post), {"action": "pin", "return_to": "thread"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_thread_url(scene.post))


# --- What each review does -----------------------------------------------------------------------------


def test_hiding_tells_the_author_who_sees_the_reason_and_others_get_404(client, make_client, scene):
    reviewers = [scene.make.make_user() for _ in range(2)]
    for flagger in reviewers:
        _flag(flagger, scene.post)
    login(client, scene.moderator)

    response = post_form(client, _act_url(scene.post), {"action": "hide", "reason": "Insulta a otra participante."})

    assert response.status_code == 302
    post = _fresh(scene.post)
    assert (post.status, post.flags_count, _open_flags(post)) == (PostStatus.HIDDEN, 0, 0)
    [message] = _moderation_notices(scene.author)
    assert "fue ocultado por moderación" in message and "Insulta a otra participante." in message

    author_browser = make_client()
    login(author_browser, scene.author)
    own = author_browser.get(_thread_url(post))
    assert own.status_code == 200
    assert "Insulta a otra participante." in own.get_data(as_text=True)

    stranger = make_client()
    login(stranger, scene.make.make_user())
    assert stranger.get(_thread_url(post)).status_code == 404
    assert make_client().get(_thread_url(post)).status_code == 404
    assert client.get(_thread_url(post)).status_code == 200  # the moderator still reads it


def test_approving_a_pending_post_publishes_it_and_tells_the_author(client, make):
    moderator = make.make_user(Role.MODERATOR)
    forum = make.make_forum(moderators=[moderator], moderation_mode=ModerationMode.PRE)
    author = make.make_user()
    head = make.make_post(forum, author)
    reply = make.make_post(forum, make.make_user(), thread=head, status=PostStatus.PENDING)
    assert _fresh(head).replies_count == 0
    login(client, moderator)

    assert post_form(client, _act_url(reply), {"action": "approve"}).status_code == 302

    assert _fresh(reply).status is PostStatus.PUBLISHED
    assert _fresh(head).replies_count == 1
    assert any("fue publicado" in message for message in _moderation_notices(reply.author))
    # The thread's author hears of the new reply, as with any published reply.
    assert _count(Notification, Notification.user_id == author.id, Notification.kind == NotificationKind.REPLY) == 1


def test_approving_a_published_post_dismisses_its_open_flags(client, scene):
    _flag(scene.make.make_user(), scene.post)
    login(client, scene.moderator)
    assert post_form(client, _act_url(scene.post), {"action": "approve"}).status_code == 302
    post = _fresh(scene.post)
    assert (post.status, post.flags_count, _open_flags(post), _count(PostFlag)) == (PostStatus.PUBLISHED, 0, 0, 1)
    assert _moderation_notices(scene.author) == []


def test_restoring_a_flagged_post_resolves_its_flags_and_counts_afresh(client, scene):
    flaggers = [scene.make.make_user() for _ in range(3)]
    for flagger in flaggers:
        _flag(flagger, scene.post)
    assert _fresh(scene.post).status is PostStatus.FLAGGED
    login(client, scene.moderator)

    assert post_form(client, _act_url(scene.post), {"action": "restore"}).status_code == 302

    post = _fresh(scene.post)
    assert (post.status, post.flags_count, _open_flags(post)) == (PostStatus.PUBLISHED, 0, 0)
    # A new flag starts counting from zero: one more does not hide it again.
    _flag(scene.make.make_user(), post)
    assert _fresh(post).status is PostStatus.PUBLISHED
    assert _fresh(post).flags_count == _open_flags(post) == 1


def test_a_duplicate_is_hidden_linked_and_restoring_unlinks_it(client, scene):
    original = scene.make.make_post(scene.forum, scene.make.make_user(), title="Buses que no suben")
    login(client, scene.moderator)
    assert (
        post_form(
            client, _act_url(scene.post), {"action": "mark_duplicate", "duplicate_of_id": original.id}
        ).status_code
        == 302
    )
    post = _fresh(scene.post)
    assert post.duplicate_of_id == original.id
    assert post.hidden_reason == f"Duplicado de «Buses que no suben» (aporte n.º {original.id})."
    assert any("Duplicado de" in message for message in _moderation_notices(scene.author))

    assert post_form(client, _act_url(post), {"action": "restore"}).status_code == 302
    post = _fresh(post)
    assert (post.status, post.duplicate_of_id, post.hidden_reason) == (PostStatus.PUBLISHED, None, "")
    assert _log_rows() == 2


def test_moving_records_both_axes_in_the_log(client, scene):
    login(client, scene.moderator)
    post_form(client, _act_url(scene.post), {"action": "move", "axis_id": scene.forum.axes[1].id})
    db.session.rollback()
    entry = db.session.scalar(select(ModerationLogEntry))
    assert entry.details == "De «Movilidad y transporte» a «Seguridad y convivencia»."
    assert (
        post_form(client, _act_url(scene.post), {"action": "move", "axis_id": scene.forum.axes[1].id}).status_code
        == 409
    )


# --- Two moderators at once ----------------------------------------------------------------------------


def test_two_moderators_approving_at_once_give_one_transition_and_one_log_row(app, make, make_client):
    moderators = [make.make_user(Role.MODERATOR), make.make_user(Role.ADMIN)]
    forum = make.make_forum(moderators=moderators[:1], moderation_mode=ModerationMode.PRE)
    post = make.make_post(forum, make.make_user(), status=PostStatus.PENDING)
    url = _act_url(post)
    posts = []
    for person in moderators:
        browser = make_client()
        with app.app_context():
            login(browser, person)
            token = csrf_token(browser)
        posts.append(
            lambda browser=browser, token=token: browser.post(url, data={"csrf_token": token, "action": "approve"})
        )
    db.session.rollback()

    statuses = sorted(response.status_code for response in race(posts))

    assert statuses == [302, 409]
    assert _fresh(post).status is PostStatus.PUBLISHED
    assert _log_rows() == 1


def test_two_moderators_hiding_at_once_in_the_service_write_one_log_row(app, scene):
    post_id = scene.post.id
    actor_ids = [scene.moderator.id, scene.make.make_user(Role.ADMIN).id]
    db.session.rollback()

    def hide(actor_id):
        with app.test_request_context(method="POST"):
            try:
                moderation.hide_post(
                    db.session.get(User, actor_id), db.session.get(ForumPost, post_id), reason=f"Motivo {actor_id}"
                )
                db.session.commit()
                return "hidden"
            except InvalidTransition:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    outcomes = race([lambda actor_id=actor_id: hide(actor_id) for actor_id in actor_ids])

    assert sorted(outcomes) == ["hidden", "refused"]
    assert _log_rows() == 1
    assert len(_moderation_notices(scene.author)) == 1


def test_the_log_is_append_only(scene):
    entry = moderation.set_thread_pinned(scene.moderator, scene.post, True)
    db.session.commit()
    entry.reason = "Cambiado después"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ModerationLogEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ModerationLogEntry, entry.id).reason == ""


# --- Suspensions ---------------------------------------------------------------------------------------


def _suspend_url(space) -> str:
    return f"/moderacion/espacios/{space.id}/suspensiones"


def test_a_suspension_stops_posting_and_tells_the_person(client, make_client, scene):
    login(client, scene.moderator)
    response = post_form(
        client, _suspend_url(scene.space), {"user_id": scene.author.id, "days": 7, "reason": "Insultos repetidos."}
    )
    assert response.status_code == 302

    db.session.rollback()
    suspension = db.session.scalar(select(SpaceSuspension))
    assert (suspension.user_id, suspension.moderator_id, suspension.reason) == (
        scene.author.id,
        scene.moderator.id,
        "Insultos repetidos.",
    )
    assert timedelta(days=6, hours=23) < suspension.until - now_utc() <= timedelta(days=7)
    entry = db.session.scalar(select(ModerationLogEntry))
    assert (entry.action, entry.target_user_id, entry.post_id, entry.reason) == (
        ModerationAction.SUSPEND,
        scene.author.id,
        None,
        "Insultos repetidos.",
    )
    [message] = _moderation_notices(scene.author)
    assert "No podrás participar" in message and "Insultos repetidos." in message

    assert forums.suspended_until(scene.author, scene.space) == suspension.until
    assert forums.suspended_until(scene.author, scene.make.make_forum().space) is None
    assert not permissions.can_contribute(scene.author, scene.space, suspended=True)

    author_browser = make_client()
    login(author_browser, scene.author)
    before = _count(ForumPost)
    refused = post_form(
        author_browser,
        f"/espacios/{scene.space.id}/foro/aportes/{scene.post.id}/responder",
        {"body": "<p>Sigo participando.</p>"},
    )
    assert refused.status_code == 403
    assert "suspendido" in refused.get_data(as_text=True)
    assert _count(ForumPost) == before


def test_an_expired_suspension_no_longer_counts(scene):
    db.session.add(
        SpaceSuspension(
            space_id=scene.space.id, user_id=scene.author.id, until=now_utc() - timedelta(minutes=1), reason="x"
        )
    )
    db.session.commit()
    assert forums.suspended_until(scene.author, scene.space) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days": 0, "reason": "x"}, "La suspensión dura entre 1 y 365 días."),
        ({"days": 366, "reason": "x"}, "La suspensión dura entre 1 y 365 días."),
        ({"days": "", "reason": "x"}, "Escribe cuántos días dura la suspensión."),
        ({"days": 3}, "Escribe el motivo de la suspensión."),
        ({"days": 3, "reason": "x" * 501}, "El motivo admite hasta 500 caracteres."),
        ({"days": 3, "reason": "x", "user_id": 999999}, "La persona elegida no existe."),
        ({"days": 3, "reason": "x", "user_id": "moderator"}, "No se puede suspender a quien modera este espacio."),
        ({"days": 3, "reason": "x", "user_id": "admin"}, "No se puede suspender a quien modera este espacio."),
    ],
)
def test_bad_suspensions_are_a_400_and_store_nothing(client, scene, data, message):
    data = dict(data)
    special = {"moderator": scene.moderator.id, "admin": scene.make.make_user(Role.ADMIN).id}
    data["user_id"] = special.get(data.get("user_id"), data.get("user_id", scene.author.id))
    login(client, scene.moderator)
    before = table_row_counts()
    response = post_form(client, _suspend_url(scene.space), data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before


# --- The queue -----------------------------------------------------------------------------------------


def _fill_queue(make, forum, n: int) -> None:
    """``n`` posts of each kind that needs attention, each with its own author and flags."""
    for index in range(n):
        make.make_post(forum, make.make_user(), status=PostStatus.PENDING, title=f"Pendiente {index}")
        flagged = make.make_post(forum, make.make_user(), title=f"Reportado {index}")
        for reason in (FlagReason.SPAM, FlagReason.SPAM, FlagReason.INSULT):
            _flag(make.make_user(), flagged, reason, note="Publicidad de un almacén")
        once = make.make_post(forum, make.make_user(), title=f"Con un reporte {index}")
        _flag(make.make_user(), once, FlagReason.OFF_TOPIC)


def test_the_queue_shows_what_needs_attention_with_flags_by_reason(client, scene):
    _fill_queue(scene.make, scene.forum, 1)
    foreign = scene.make.make_forum()
    scene.make.make_post(foreign, scene.make.make_user(), status=PostStatus.PENDING, title="De otro espacio")
    login(client, scene.moderator)

    response = client.get("/moderacion")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 aportes por revisar" in html
    for title in ("Pendiente 0", "Reportado 0", "Con un reporte 0"):
        assert title in html
    assert "Buses nocturnos" not in html  # published without flags
    assert "De otro espacio" not in html
    assert "Publicidad o spam</strong>: 2 reportes" in html
    assert "Insulto o irrespeto</strong>: 1 reporte" in html
    assert "Publicidad de un almacén" in html
    assert html.index("Reportado 0") < html.index("Pendiente 0") < html.index("Con un reporte 0")
    assert 'value="mark_duplicate"' in html and 'name="axis_id"' in html and "/historial" in html


def test_admins_see_every_space_in_the_queue(client, scene):
    foreign = scene.make.make_forum()
    scene.make.make_post(foreign, scene.make.make_user(), status=PostStatus.PENDING, title="De otro espacio")
    login(client, scene.make.make_user(Role.ADMIN))
    assert "De otro espacio" in client.get("/moderacion").get_data(as_text=True)


@pytest.mark.parametrize("who", ["citizen", "unassigned official"])
def test_the_queue_is_403_for_people_who_moderate_nothing(client, scene, who):
    login(client, _outsider(scene, who))
    assert client.get("/moderacion").status_code == 403


def test_the_queue_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/moderacion")
    assert response.status_code == 302 and "/cuenta/ingresar" in response.headers["Location"]


def test_the_queue_runs_the_same_queries_whatever_its_size(client, scene, count_queries):
    _fill_queue(scene.make, scene.forum, 1)
    login(client, scene.moderator)
    client.get("/moderacion")
    with count_queries() as few:
        assert client.get("/moderacion").status_code == 200
    other = scene.make.make_forum(moderators=[scene.moderator])
    _fill_queue(scene.make, scene.forum, 6)
    _fill_queue(scene.make, other, 4)
    with count_queries() as many:
        html = client.get("/moderacion").get_data(as_text=True)
    assert "33 aportes por revisar" in html
    assert few.count == many.count <= 10, many.statements


# --- Revisions -----------------------------------------------------------------------------------------


def _revisions_url(post) -> str:
    return f"/espacios/{post.forum.space_id}/foro/aportes/{post.id}/historial"


def test_moderators_read_the_previous_versions(client, scene):
    db.session.add(PostRevision(post_id=scene.post.id, title="Primer título", body="<p>Primera versión</p>"))
    scene.post.edited_at = now_utc()
    db.session.commit()
    login(client, scene.moderator)
    response = client.get(_revisions_url(scene.post))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Primer título" in html and "Primera versión" in html and "Versión actual" in html


@pytest.mark.parametrize("who", OUTSIDERS)
def test_revisions_are_403_for_others(client, scene, who):
    login(client, _outsider(scene, who))
    assert client.get(_revisions_url(scene.post)).status_code == 403


def test_revisions_of_a_post_of_another_space_are_404(client, scene):
    other = scene.make.make_forum(moderators=[scene.moderator])
    login(client, scene.moderator)
    assert client.get(f"/espacios/{other.space_id}/foro/aportes/{scene.post.id}/historial").status_code == 404


# --- Transparency --------------------------------------------------------------------------------------


def test_transparency_counts_hidden_content_by_reason_without_showing_it(client, scene):
    make, forum = scene.make, scene.forum
    for reason in (FlagReason.INSULT, FlagReason.INSULT, FlagReason.PERSONAL_DATA):
        _flag(make.make_user(), scene.post, reason)  # reaches the threshold: flagged
    hidden = make.make_post(forum, make.make_user(), body=HIDDEN_BODY)
    _flag(make.make_user(), hidden, FlagReason.SPAM)
    moderation.hide_post(scene.moderator, hidden, reason="Publicidad")
    by_moderator = make.make_post(forum, make.make_user(), body=HIDDEN_BODY)
    moderation.hide_post(scene.moderator, by_moderator, reason="Ataque personal")
    original = make.make_post(forum, make.make_user())
    duplicate = make.make_post(forum, make.make_user(), body=HIDDEN_BODY)
    moderation.mark_duplicate(scene.moderator, duplicate, duplicate_of_id=original.id)
    make.make_post(forum, make.make_user(), status=PostStatus.PENDING, body=HIDDEN_BODY)
    _flag(make.make_user(), original, FlagReason.OFF_TOPIC)  # still published: not hidden content
    db.session.commit()

    counts = moderation.transparency(forum)

    assert (counts.flagged, counts.hidden, counts.total_hidden, counts.pending) == (1, 3, 4, 1)
    assert (counts.duplicates, counts.hidden_without_flags) == (1, 2)
    assert counts.by_reason == {
        FlagReason.INSULT: 1,
        FlagReason.OFF_TOPIC: 0,
        FlagReason.SPAM: 1,
        FlagReason.PERSONAL_DATA: 1,
        FlagReason.OTHER: 0,
    }
    assert counts.actions[ModerationAction.HIDE] == 2 and counts.actions[ModerationAction.MARK_DUPLICATE] == 1

    response = client.get(f"/espacios/{scene.space.id}/foro/transparencia")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 aportes ocultos en total" in html
    assert "Expone datos personales" in html
    assert "Texto ofensivo" not in html and "Ataque personal" not in html and "Publicidad<" not in html


def test_transparency_of_a_space_without_forum_or_a_draft_is_404(client, make):
    assert client.get(f"/espacios/{make.make_space().id}/foro/transparencia").status_code == 404
    draft = make.make_forum(state=SpaceState.DRAFT)
    assert client.get(f"/espacios/{draft.space_id}/foro/transparencia").status_code == 404


# --- The moderation log --------------------------------------------------------------------------------


@pytest.fixture
def logged(scene):
    """Three log entries: a pin and a hide in the scene's space, a lock by another moderator elsewhere."""
    make = scene.make
    moderation.set_thread_pinned(scene.moderator, scene.post, True)
    moderation.hide_post(scene.moderator, scene.post, reason='=HYPERLINK("http://malo.example")')
    other_moderator = make.make_user(Role.MODERATOR, display_name="Otro Moderador")
    other_forum = make.make_forum(moderators=[other_moderator])
    moderation.set_thread_locked(other_moderator, make.make_post(other_forum, make.make_user()), True)
    db.session.commit()
    return SimpleNamespace(other_moderator=other_moderator, other_space=other_forum.space)


def test_admins_browse_the_log_with_filters(client, scene, logged):
    login(client, scene.make.make_user(Role.ADMIN))

    everything = client.get("/admin/moderacion")
    assert everything.status_code == 200
    assert everything.headers["Cache-Control"] == "no-store"
    html = everything.get_data(as_text=True)
    assert "3 registros" in html and "Marta Moderadora" in html and "Ana Autora" in html
    assert scene.author.email not in html and scene.moderator.email not in html

    assert "2 registros" in client.get(f"/admin/moderacion?espacio={scene.space.id}").get_data(as_text=True)
    by_other = client.get(f"/admin/moderacion?moderador={logged.other_moderator.id}").get_data(as_text=True)
    assert "1 registro" in by_other and "Cerró el hilo" in by_other
    assert "1 registro" in client.get("/admin/moderacion?accion=hide").get_data(as_text=True)
    today = now_utc().date()
    window = f"desde={(today - timedelta(days=1)).isoformat()}&hasta={(today + timedelta(days=1)).isoformat()}"
    assert "3 registros" in client.get(f"/admin/moderacion?{window}").get_data(as_text=True)
    past = "desde=2020-01-01&hasta=2020-01-31"
    assert "0 registros" in client.get(f"/admin/moderacion?{past}").get_data(as_text=True)
    # Unknown filter values fall back to "todos"; impossible dates are a form error.
    assert "3 registros" in client.get("/admin/moderacion?espacio=abc&accion=borrar").get_data(as_text=True)
    backwards = client.get("/admin/moderacion?desde=2026-02-01&hasta=2026-01-01")
    assert backwards.status_code == 400
    assert "La fecha final debe ser igual o posterior a la inicial." in backwards.get_data(as_text=True)


def test_the_log_is_paginated_with_a_constant_number_of_queries(client, scene, count_queries):
    login(client, scene.make.make_user(Role.ADMIN))
    moderation.set_thread_pinned(scene.moderator, scene.post, True)
    db.session.commit()
    with count_queries() as few:
        client.get("/admin/moderacion")
    for _ in range(60):
        post = scene.make.make_post(scene.forum, scene.make.make_user())
        moderation.set_thread_locked(scene.moderator, post, True)
    db.session.commit()
    with count_queries() as many:
        html = client.get("/admin/moderacion").get_data(as_text=True)
    assert "Página 1 de 2" in html
    assert few.count == many.count <= 8, many.statements
    assert "Página 2 de 2" in client.get("/admin/moderacion?pagina=2").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.MODERATOR, Role.OFFICIAL])
def test_the_log_is_for_admins_only(client, make, role):
    person = make.make_official() if role is Role.OFFICIAL else make.make_user(role)
    login(client, person)
    assert client.get("/admin/moderacion").status_code == 403
    assert client.get("/admin/moderacion.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_for_the_log(client):
    for url in ("/admin/moderacion", "/admin/moderacion.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/cuenta/ingresar" in response.headers["Location"]


def test_the_csv_export_is_excel_ready_escaped_and_free_of_emails(client, scene, logged):
    login(client, scene.make.make_user(Role.ADMIN))

    response = client.get(f"/admin/moderacion.csv?espacio={scene.space.id}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="bitacora-moderacion-')
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Fecha (hora de Colombia)", "Espacio (n.º)", "Espacio", "Moderador/a", "Acción"]
    assert len(rows) == 3
    hide_row = next(row for row in rows if row[4] == "Ocultó")
    assert hide_row[3] == "Marta Moderadora" and hide_row[6] == "Ana Autora"
    assert hide_row[5] == str(scene.post.id)
    assert hide_row[7] == '\'=HYPERLINK("http://malo.example")'
    assert "@" not in text.replace("'@", "")  # no email anywhere
    assert "Otro Moderador" not in text


@pytest.mark.parametrize("value", ["=1+1", "+57 300", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_formulas_are_neutralised(value):
    assert moderation.spreadsheet_safe(value) == "'" + value
    assert moderation.spreadsheet_safe("Normal") == "Normal"
    assert moderation.spreadsheet_safe(None) == ""
