"""The space lifecycle: draft → announced → open → closed → results published → response given.

One function moves a space (services.spaces.change_space_state); these tests walk every move with
every role, through the service and through HTTP, and race two moves of the same space.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from foro.errors import InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import Role, Space, SpaceState, SpaceTransition, User
from foro.services import spaces as space_service
from foro.services.business_days import add_business_days, is_business_day
from foro.services.spaces import NEXT_STATE, change_space_state
from foro.timeutil import local_today
from tests.helpers import csrf_token, login, post_form, race

ORDER = [
    SpaceState.DRAFT,
    SpaceState.ANNOUNCED,
    SpaceState.OPEN,
    SpaceState.CLOSED,
    SpaceState.RESULTS_PUBLISHED,
    SpaceState.RESPONSE_GIVEN,
]
MOVES = list(zip(ORDER, ORDER[1:], strict=False))
RESPONSE = "<p>Acogimos 12 de las 30 propuestas; las demás no caben en el presupuesto de 2027.</p>"


def _transitions() -> int:
    return db.session.scalar(select(func.count()).select_from(SpaceTransition))


def _state(space_id: int) -> SpaceState:
    db.session.rollback()
    return db.session.get(Space, space_id).state


def _html(response) -> str:
    return response.get_data(as_text=True)


# --- Service level --------------------------------------------------------------------------------


def test_the_full_lifecycle_in_order(make):
    official = make.make_official()
    space = make.make_space(state=SpaceState.DRAFT)
    for _current, target in MOVES:
        transition = change_space_state(official, space, target, response=RESPONSE, note="paso")
        db.session.commit()
        assert transition.to_state is target
    db.session.expire_all()
    assert space.state is SpaceState.RESPONSE_GIVEN
    history = [(t.from_state, t.to_state, t.actor_id, t.note) for t in space.transitions]
    assert history == [(current, target, official.id, "paso") for current, target in MOVES]
    assert space.closed_at is not None and space.response_due_on is not None
    assert space.institutional_response == RESPONSE
    assert space.response_given_at is not None


def test_next_state_table_is_the_documented_order():
    assert NEXT_STATE == dict(MOVES)


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current in ORDER for target in ORDER if NEXT_STATE.get(current) is not target],
)
def test_every_other_move_is_refused_and_changes_nothing(make, current, target):
    official = make.make_official()
    space = make.make_space(state=current)
    with pytest.raises(InvalidTransition) as refused:
        change_space_state(official, space, target, response=RESPONSE)
    db.session.rollback()
    assert f"Este espacio está «{current.label}» y no puede pasar a «{target.label}»." == str(refused.value)
    assert _state(space.id) is current
    assert _transitions() == 0


def test_closing_fixes_the_response_deadline_in_colombian_business_days(make, monkeypatch):
    # 2 December 2026, 03:00 UTC is still 1 December (a Tuesday) in Cali. Counting 15 business days
    # from there skips the weekends and 8 December (Inmaculada Concepción): the 23rd, not the 22nd.
    moment = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(space_service, "now_utc", lambda: moment)
    assert not is_business_day(date(2026, 12, 8))
    official = make.make_official()
    space = make.make_space(state=SpaceState.OPEN, response_business_days=15)
    change_space_state(official, space, SpaceState.CLOSED)
    db.session.commit()
    assert space.closed_at == moment
    assert space.response_due_on == date(2026, 12, 23)
    assert space.response_due_on == add_business_days(date(2026, 12, 1), 15)


def test_closing_uses_the_space_own_deadline(make):
    official = make.make_official()
    space = make.make_space(state=SpaceState.OPEN, response_business_days=3)
    change_space_state(official, space, SpaceState.CLOSED)
    db.session.commit()
    assert space.response_due_on == add_business_days(local_today(), 3)


@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u200b", "\n\t"])
def test_response_needs_real_text(make, blank):
    official = make.make_official()
    space = make.make_space(state=SpaceState.RESULTS_PUBLISHED)
    with pytest.raises(InvalidInput) as refused:
        change_space_state(official, space, SpaceState.RESPONSE_GIVEN, response=blank)
    db.session.rollback()
    assert refused.value.field == "response"
    assert "Escribe la respuesta institucional" in str(refused.value)
    assert _state(space.id) is SpaceState.RESULTS_PUBLISHED
    assert _transitions() == 0


def test_response_is_cleaned(make):
    official = make.make_official()
    space = make.make_space(state=SpaceState.RESULTS_PUBLISHED)
    change_space_state(official, space, SpaceState.RESPONSE_GIVEN, response="<p>Listo</p><script>alert(1)</script>")
    db.session.commit()
    assert space.institutional_response == "<p>Listo</p>"


def test_moderator_may_not_announce_nor_answer(make):
    moderator = make.make_user(Role.MODERATOR)
    for state in (SpaceState.DRAFT, SpaceState.RESULTS_PUBLISHED):
        space = make.make_space(state=state, moderators=[moderator])
        with pytest.raises(NotAllowed):
            change_space_state(moderator, space, NEXT_STATE[state], response=RESPONSE)
        db.session.rollback()
        assert _state(space.id) is state
    assert _transitions() == 0


# --- Through HTTP: who may make each move ---------------------------------------------------------

# The moves a space's own moderators make: they run the exercise, they do not announce it or answer for the organism.
MODERATOR_MOVES = {SpaceState.OPEN, SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED}


def _expected(who: str, current: SpaceState, target: SpaceState) -> int:
    if who == "anonymous":
        return 302
    if who in ("official", "admin"):
        return 302
    if who == "assigned_moderator":
        return 302 if target in MODERATOR_MOVES else 403
    # Everyone else may not even see a draft.
    return 404 if current is SpaceState.DRAFT else 403


@pytest.mark.parametrize(("current", "target"), MOVES, ids=[t.value for _c, t in MOVES])
@pytest.mark.parametrize(
    "who",
    [
        "official",
        "admin",
        "assigned_moderator",
        "other_official",
        "unassigned_moderator",
        "citizen",
        "anonymous",
    ],
)
def test_who_may_make_each_move(client, make, who, current, target):
    moderator = make.make_user(Role.MODERATOR)
    space = make.make_space(state=current, moderators=[moderator])
    people = {
        "official": lambda: make.make_official("SDTPC"),
        "admin": lambda: make.make_user(Role.ADMIN),
        "assigned_moderator": lambda: moderator,
        "other_official": lambda: make.make_official("SGOB"),
        "unassigned_moderator": lambda: make.make_user(Role.MODERATOR),
        "citizen": lambda: make.make_user(),
    }
    if who != "anonymous":
        login(client, people[who]())
    response = post_form(client, f"/espacios/{space.id}/estado", {"target": target.value, "response": RESPONSE})
    status = _expected(who, current, target)
    assert response.status_code == status
    moved = status == 302 and who != "anonymous"
    if who == "anonymous":
        assert "/cuenta/ingresar" in response.headers["Location"]
    if moved:
        assert response.headers["Location"] == f"/espacios/{space.id}"
        assert f"El espacio pasó a «{target.label}»." in _html(client.get(response.headers["Location"]))
    assert _state(space.id) is (target if moved else current)
    assert _transitions() == (1 if moved else 0)


def test_walk_the_whole_lifecycle_through_the_page(client, make):
    official = make.make_official()
    space = make.make_space(state=SpaceState.DRAFT)
    login(client, official)
    for _current, target in MOVES:
        page = _html(client.get(f"/espacios/{space.id}"))
        # The page offers exactly the next move.
        assert f'name="target" type="hidden" value="{target.value}"' in page
        response = post_form(
            client, f"/espacios/{space.id}/estado", {"target": target.value, "response": RESPONSE, "note": "ok"}
        )
        assert response.status_code == 302
    page = _html(client.get(f"/espacios/{space.id}"))
    assert 'name="target"' not in page
    assert "Acogimos 12 de las 30 propuestas" in page
    assert _state(space.id) is SpaceState.RESPONSE_GIVEN
    assert _transitions() == len(MOVES)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (SpaceState.DRAFT, SpaceState.OPEN),
        (SpaceState.ANNOUNCED, SpaceState.RESPONSE_GIVEN),
        (SpaceState.OPEN, SpaceState.RESULTS_PUBLISHED),
        (SpaceState.CLOSED, SpaceState.OPEN),
        (SpaceState.RESPONSE_GIVEN, SpaceState.DRAFT),
        (SpaceState.OPEN, SpaceState.OPEN),
    ],
)
def test_skipping_or_going_back_is_a_409_and_changes_nothing(client, make, current, target):
    space = make.make_space(state=current)
    login(client, make.make_official())
    response = post_form(client, f"/espacios/{space.id}/estado", {"target": target.value, "response": RESPONSE})
    assert response.status_code == 409
    html = _html(response)
    assert f"Este espacio está «{current.label}» y no puede pasar a «{target.label}»." in html
    assert "No se cambió el estado" in html
    assert _state(space.id) is current
    assert _transitions() == 0


@pytest.mark.parametrize("target", ["", "archived", "DRAFT", "<script>", "1"])
def test_unknown_target_is_a_400(client, make, target):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, make.make_official())
    response = post_form(client, f"/espacios/{space.id}/estado", {"target": target})
    assert response.status_code == 400
    assert _state(space.id) is SpaceState.OPEN
    assert _transitions() == 0


def test_response_given_needs_a_response_through_http(client, make):
    space = make.make_space(state=SpaceState.RESULTS_PUBLISHED)
    login(client, make.make_official())
    response = post_form(client, f"/espacios/{space.id}/estado", {"target": "response_given", "response": "  "})
    assert response.status_code == 400
    assert "Escribe la respuesta institucional: qué hizo el organismo con los aportes." in _html(response)
    assert _state(space.id) is SpaceState.RESULTS_PUBLISHED
    assert _transitions() == 0


def test_overlong_note_is_refused(client, make):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, make.make_official())
    response = post_form(client, f"/espacios/{space.id}/estado", {"target": "closed", "note": "n" * 501})
    assert response.status_code == 400
    assert "La nota admite hasta 500 caracteres." in _html(response)
    assert _state(space.id) is SpaceState.OPEN


def test_state_change_needs_csrf_and_post(client, make):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, make.make_official())
    assert client.post(f"/espacios/{space.id}/estado", data={"target": "closed"}).status_code == 400
    assert client.get(f"/espacios/{space.id}/estado").status_code == 405
    assert _state(space.id) is SpaceState.OPEN


def test_missing_space_is_a_404(client, make):
    login(client, make.make_official())
    assert post_form(client, "/espacios/999999/estado", {"target": "open"}).status_code == 404
    assert post_form(client, "/espacios/0/estado", {"target": "open"}).status_code == 404


# --- Two moves at once ----------------------------------------------------------------------------


def test_two_concurrent_moves_through_http_give_one_transition(app, make, make_client):
    space = make.make_space(state=SpaceState.OPEN)
    url = f"/espacios/{space.id}/estado"
    posts = []
    for person in (make.make_official(), make.make_user(Role.ADMIN)):
        browser = make_client()
        # Requests reuse the app context they find, and with it ``g`` (logged-in user, CSRF token):
        # each browser logs in under its own context so that nothing leaks from one to the other.
        with app.app_context():
            login(browser, person)
            token = csrf_token(browser, f"/espacios/{space.id}")
        posts.append(
            lambda browser=browser, token=token: browser.post(url, data={"csrf_token": token, "target": "closed"})
        )
    db.session.rollback()

    statuses = sorted(response.status_code for response in race(posts))

    assert statuses == [302, 409]
    assert _state(space.id) is SpaceState.CLOSED
    assert _transitions() == 1


def test_two_concurrent_moves_in_the_service_give_one_transition(app, make):
    space_id = make.make_space(state=SpaceState.OPEN).id
    actor_ids = [make.make_official().id, make.make_user(Role.ADMIN).id]
    db.session.rollback()

    def move(actor_id):
        # Each thread has its own app context, hence its own session and connection; a POST request context
        # makes SQLite take its write lock up front, as it does for a real form.
        with app.test_request_context(method="POST"):
            try:
                actor = db.session.get(User, actor_id)
                space = db.session.get(Space, space_id)
                change_space_state(actor, space, SpaceState.CLOSED)
                db.session.commit()
                return "moved"
            except InvalidTransition:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    outcomes = race([lambda actor_id=actor_id: move(actor_id) for actor_id in actor_ids])

    assert sorted(map(str, outcomes)) == ["moved", "refused"]
    assert _state(space_id) is SpaceState.CLOSED
    assert _transitions() == 1
