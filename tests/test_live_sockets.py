"""The live session's Socket.IO events through flask-socketio's test client: the handlers, the rooms each
broadcast reaches, and every refusal (RELIABILITY's malformed events, wrong actors, foreign ids, a closed
session, a revoked log-in): an error ack plus a "live_error" to the sender only, nothing stored, and the
same socket still works afterwards. The real server processes are in test_live_servers.py."""

import contextvars
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from foro.blueprints.live import sockets
from foro.extensions import db
from foro.models import (
    Commitment,
    LivePoll,
    LivePollVote,
    LivePresence,
    LiveQuestion,
    QuestionStatus,
    QuestionUpvote,
    Role,
    SpaceKind,
    SpaceState,
)
from foro.models.live import QUESTION_MAX, LiveSession
from foro.services import live_sessions
from foro.timeutil import now_utc
from tests.helpers import login, post_form, table_row_counts
from tests.live_socket_client import LiveSocket


@pytest.fixture
def open_socket(app):
    opened: list[LiveSocket] = []

    def open_one(flask_client=None) -> LiveSocket:
        live_socket = LiveSocket(app, flask_client)
        opened.append(live_socket)
        return live_socket

    yield open_one
    for live_socket in opened:
        live_socket.close()


@dataclass
class Room:
    session: LiveSession
    space_id: int
    moderator: object
    citizen: object
    neighbour: object  # another citizen
    moderator_socket: LiveSocket
    citizen_socket: LiveSocket
    neighbour_socket: LiveSocket
    visitor_socket: LiveSocket  # anonymous

    @property
    def item_id(self) -> int:
        return self.session.agenda[0].id

    def all_sockets(self) -> list[LiveSocket]:
        return [self.moderator_socket, self.citizen_socket, self.neighbour_socket, self.visitor_socket]

    def drain(self) -> None:
        for live_socket in self.all_sockets():
            live_socket.drain()


def logged_in(make_client, user):
    client = make_client()
    login(client, user)
    return client


def open_room(make, make_client, open_socket, *, state=SpaceState.OPEN, join=True) -> Room:
    moderator = make.make_user(Role.MODERATOR)
    session = make.make_live_session(state=state, moderators=[moderator], agenda=("Avance del plan", "Presupuesto"))
    citizen, neighbour = make.make_user(), make.make_user()
    room = Room(
        session=session,
        space_id=session.space_id,
        moderator=moderator,
        citizen=citizen,
        neighbour=neighbour,
        moderator_socket=open_socket(logged_in(make_client, moderator)),
        citizen_socket=open_socket(logged_in(make_client, citizen)),
        neighbour_socket=open_socket(logged_in(make_client, neighbour)),
        visitor_socket=open_socket(make_client()),
    )
    if join:
        for live_socket in room.all_sockets():
            live_socket.join(room.space_id)
        room.drain()
    return room


@pytest.fixture
def room(make, make_client, open_socket) -> Room:
    return open_room(make, make_client, open_socket)


def rows(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def assert_refused(live_socket: LiveSocket, ack, event: str, status: int | tuple[int, ...]) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert ack["ok"] is False, ack
    assert ack["status"] in statuses, ack
    assert isinstance(ack["error"], str) and ack["error"], ack
    errors = live_socket.received("live_error")
    assert errors == [{"event": event, "error": ack["error"]}], errors


# --- Joining and the snapshot -------------------------------------------------------------------------


def test_anyone_joins_and_gets_the_snapshot(room):
    for live_socket, moderator in (
        (room.visitor_socket, False),
        (room.citizen_socket, False),
        (room.moderator_socket, True),
    ):
        ack = live_socket.call("snapshot", {"space": room.space_id})
        assert ack["ok"] is True
        state = ack["snapshot"]
        assert state["space"] == room.space_id and state["live"] is True
        assert state["viewer"]["moderator"] is moderator
        assert [item["title"] for item in state["agenda"]] == ["Avance del plan", "Presupuesto"]
    assert room.visitor_socket.call("snapshot", {"space": room.space_id})["snapshot"]["viewer"]["id"] is None
    assert rows(LivePresence) == 4


def test_snapshot_hides_pending_questions_of_others(make, room):
    pending = make.make_live_question(room.session, room.citizen, status=QuestionStatus.PENDING, body="¿Y el parque?")
    approved = make.make_live_question(room.session, room.neighbour, body="¿Cuándo abren el puesto de salud?")

    def visible(live_socket):
        return [q["id"] for q in live_socket.call("snapshot", {"space": room.space_id})["snapshot"]["questions"]]

    assert visible(room.visitor_socket) == [approved.id]
    assert visible(room.neighbour_socket) == [approved.id]
    assert sorted(visible(room.citizen_socket)) == sorted([approved.id, pending.id])
    assert sorted(visible(room.moderator_socket)) == sorted([approved.id, pending.id])


def test_join_query_count_does_not_grow_with_the_questions(make, room, open_socket, make_client, count_queries):
    def join_queries() -> int:
        live_socket = open_socket(logged_in(make_client, make.make_user()))
        with count_queries() as counter:
            live_socket.join(room.space_id)
        return counter.count

    make.make_live_question(room.session, room.neighbour)
    make.make_live_poll(room.session)
    few = join_queries()
    for n in range(12):
        make.make_live_question(room.session, room.neighbour, body=f"Pregunta número {n}", upvotes=n % 3)
        make.make_live_poll(room.session, question=f"¿Encuesta {n}?")
    assert join_queries() == few


def test_joins_and_leaves_reach_the_room_coalesced_by_the_presence_tick(app, room, open_socket, make_client):
    tick(app)
    room.visitor_socket.drain()
    late = [open_socket(make_client()) for _ in range(3)]
    assert [socket.join(room.space_id)["present"] for socket in late] == [5, 6, 7]
    # A join tells nobody else at once: N joins would cost N²/2 messages.
    assert room.visitor_socket.received("presence") == []
    late[0].close()
    assert rows(LivePresence) == 6
    assert room.visitor_socket.received("presence") == []
    tick(app)
    assert [p["present"] for p in room.visitor_socket.received("presence")] == [6]


def tick(app) -> list[str]:
    """One presence tick of this process, in its own context as the background task runs it."""

    def run():
        with app.app_context():
            return sockets.tick_presence()

    return contextvars.Context().run(run)


def test_presence_tick_refreshes_and_broadcasts_only_changes(app, room):
    assert {s.sid for s in room.all_sockets()} <= set(sockets.local_sids())
    # A socket of another server process: counted while its process keeps refreshing it.
    db.session.add(LivePresence(sid="socket-of-another-process", session_id=room.session.id))
    db.session.commit()
    assert tick(app) == []
    assert [p["present"] for p in room.visitor_socket.received("presence")] == [5]
    assert tick(app) == []
    assert room.visitor_socket.received("presence") == []
    # That process died: its row is no longer refreshed and stops counting; ours were refreshed.
    stale = now_utc() - timedelta(seconds=live_sessions.PRESENCE_TTL_SECONDS * 2)
    db.session.execute(LivePresence.__table__.update().values(seen_at=stale))
    db.session.commit()
    assert tick(app) == []
    assert [p["present"] for p in room.visitor_socket.received("presence")] == [4]


# --- Questions ----------------------------------------------------------------------------------------


def test_a_question_reaches_moderators_and_once_approved_everyone(room):
    ack = room.citizen_socket.call("ask", {"space": room.space_id, "body": "¿Cuándo arreglan la vía?", "item": None})
    assert ack["ok"] is True and isinstance(ack["question"], int)
    question = fresh(LiveQuestion, ack["question"])
    assert question.status is QuestionStatus.PENDING and question.author_id == room.citizen.id

    to_moderators = room.moderator_socket.received("question")
    assert [q["id"] for q in to_moderators] == [question.id]
    assert to_moderators[0]["status"] == "pending" and to_moderators[0]["body"] == "¿Cuándo arreglan la vía?"
    assert isinstance(to_moderators[0]["sent_at"], float) and to_moderators[0]["revision"] >= 1
    assert question.id in [q["id"] for q in room.citizen_socket.received("question")]
    assert room.visitor_socket.received("question") == []
    assert room.neighbour_socket.received("question") == []

    assert room.moderator_socket.call("approve", {"space": room.space_id, "question": question.id}) == {"ok": True}
    assert fresh(LiveQuestion, question.id).status is QuestionStatus.APPROVED
    for live_socket in (room.visitor_socket, room.neighbour_socket, room.citizen_socket):
        got = live_socket.received("question")
        assert [(q["id"], q["status"]) for q in got][-1:] == [(question.id, "approved")]


def test_a_question_for_an_agenda_item(room):
    ack = room.citizen_socket.call("ask", {"space": room.space_id, "body": "¿Y el presupuesto?", "item": room.item_id})
    assert ack["ok"] is True
    assert fresh(LiveQuestion, ack["question"]).agenda_item_id == room.item_id


def test_upvote_once_per_person(make, room):
    question = make.make_live_question(room.session, room.citizen)
    ack = room.neighbour_socket.call("upvote", {"space": room.space_id, "question": question.id})
    assert ack == {"ok": True, "changed": True}
    assert room.visitor_socket.received("question")[-1]["upvotes"] == 1
    ack = room.neighbour_socket.call("upvote", {"space": room.space_id, "question": question.id})
    assert ack == {"ok": True, "changed": False}
    assert room.visitor_socket.received("question") == []
    assert fresh(LiveQuestion, question.id).upvote_count == 1
    assert rows(QuestionUpvote) == 1


def test_dismiss_answering_and_answered(make, room):
    first = make.make_live_question(room.session, room.citizen)
    second = make.make_live_question(room.session, room.neighbour, status=QuestionStatus.PENDING)
    moderator = room.moderator_socket
    ack = moderator.call("dismiss", {"space": room.space_id, "question": second.id, "reason": "Repite otra pregunta."})
    assert ack == {"ok": True}
    dismissed = fresh(LiveQuestion, second.id)
    assert dismissed.status is QuestionStatus.DISMISSED and dismissed.dismissal_reason == "Repite otra pregunta."

    assert moderator.call("answering", {"space": room.space_id, "question": first.id}) == {"ok": True}
    assert room.visitor_socket.received("question")[-1]["status"] == "answering"
    ack = moderator.call("answered", {"space": room.space_id, "question": first.id, "summary": "Termina en marzo."})
    assert ack == {"ok": True}
    answered = fresh(LiveQuestion, first.id)
    assert answered.status is QuestionStatus.ANSWERED and answered.answer == "Termina en marzo."
    assert room.visitor_socket.received("question")[-1]["answer"] == "Termina en marzo."


def test_questions_are_rate_limited_and_the_socket_keeps_working(room):
    statuses = []
    for n in range(60):
        ack = room.citizen_socket.call("ask", {"space": room.space_id, "body": f"Pregunta {n} sobre la vía"})
        statuses.append(ack.get("status", 200))
        if not ack["ok"]:
            break
    assert statuses[-1] == 429, statuses
    stored = rows(LiveQuestion)
    assert stored == len(statuses) - 1
    assert room.citizen_socket.received("live_error")[-1]["event"] == "ask"
    assert room.citizen_socket.call("snapshot", {"space": room.space_id})["ok"] is True


# --- Polls, agenda, commitments -----------------------------------------------------------------------


def test_poll_launch_vote_and_live_results(room):
    ack = room.moderator_socket.call(
        "launch_poll",
        {"space": room.space_id, "question": "¿Fue clara la información?", "options": ["Sí", "No"], "item": None},
    )
    assert ack["ok"] is True
    poll = fresh(LivePoll, ack["poll"])
    launched = room.visitor_socket.received("poll")
    assert [p["id"] for p in launched] == [poll.id] and launched[0]["status"] == "open"
    option_id = launched[0]["options"][0]["id"]

    assert room.citizen_socket.call("poll_vote", {"space": room.space_id, "poll": poll.id, "option": option_id}) == {
        "ok": True
    }
    result = room.neighbour_socket.received("poll")[-1]
    assert result["votes"] == 1 and result["options"][0]["votes"] == 1
    again = room.citizen_socket.call("poll_vote", {"space": room.space_id, "poll": poll.id, "option": option_id})
    assert_refused(room.citizen_socket, again, "poll_vote", 409)
    assert rows(LivePollVote) == 1

    assert room.moderator_socket.call("close_poll", {"space": room.space_id, "poll": poll.id}) == {"ok": True}
    assert room.visitor_socket.received("poll")[-1]["status"] == "closed"
    late = room.neighbour_socket.call("poll_vote", {"space": room.space_id, "poll": poll.id, "option": option_id})
    assert_refused(room.neighbour_socket, late, "poll_vote", (403, 409))
    assert rows(LivePollVote) == 1


def test_advance_the_agenda(room):
    assert room.moderator_socket.call("advance", {"space": room.space_id, "position": None}) == {"ok": True}
    first = room.visitor_socket.received("agenda")[-1]["current"]
    assert first["title"] == "Avance del plan"
    assert room.moderator_socket.call("advance", {"space": room.space_id}) == {"ok": True}
    assert room.visitor_socket.received("agenda")[-1]["current"]["title"] == "Presupuesto"
    assert room.moderator_socket.call("advance", {"space": room.space_id, "position": first["position"]})["ok"]
    assert room.citizen_socket.received("agenda")[-1]["current"]["id"] == first["id"]
    assert room.visitor_socket.call("snapshot", {"space": room.space_id})["snapshot"]["current"]["id"] == first["id"]


def test_record_a_commitment(room):
    organism_id = room.session.space.organism_id
    due = (date.today() + timedelta(days=60)).isoformat()
    ack = room.moderator_socket.call(
        "commit",
        {"space": room.space_id, "body": "Instalar alumbrado", "organism": organism_id, "due_on": due, "action": None},
    )
    assert ack["ok"] is True
    commitment = fresh(Commitment, ack["commitment"])
    assert commitment.body == "Instalar alumbrado" and commitment.due_on.isoformat() == due
    sent = room.visitor_socket.received("commitment")
    assert [c["id"] for c in sent] == [commitment.id] and sent[0]["due_on"] == due


# --- Refusals -----------------------------------------------------------------------------------------

ID, OPTIONAL_ID, POSITION, TEXT, TEXTS, DATE = "id", "optional id", "position", "text", "texts", "date"
# The payload keys of each event besides "space", as the contract (brief) lists them.
EVENT_KEYS = {
    "join": {},
    "snapshot": {},
    "ask": {"body": (TEXT, QUESTION_MAX), "item": (OPTIONAL_ID, None)},
    "upvote": {"question": (ID, None)},
    "poll_vote": {"poll": (ID, None), "option": (ID, None)},
    "approve": {"question": (ID, None)},
    "dismiss": {"question": (ID, None), "reason": (TEXT, 300)},
    "answering": {"question": (ID, None)},
    "answered": {"question": (ID, None), "summary": (TEXT, 2000)},
    "advance": {"position": (POSITION, None)},
    "launch_poll": {"question": (TEXT, 300), "options": (TEXTS, 120), "item": (OPTIONAL_ID, None)},
    "close_poll": {"poll": (ID, None)},
    "commit": {"body": (TEXT, 1000), "organism": (ID, None), "due_on": (DATE, None), "action": (OPTIONAL_ID, None)},
}
MODERATOR_EVENTS = ("approve", "dismiss", "answering", "answered", "advance", "launch_poll", "close_poll", "commit")
CITIZEN_EVENTS = ("ask", "upvote", "poll_vote")


def test_the_contract_lists_every_event():
    assert set(EVENT_KEYS) == set(sockets.EVENTS)


@dataclass
class Targets:
    """Real ids in the room's session, for valid payloads."""

    question: int
    pending: int
    poll: int
    option: int
    item: int
    organism: int


def targets_in(make, room: Room) -> Targets:
    question = make.make_live_question(room.session, room.neighbour)
    pending = make.make_live_question(room.session, room.neighbour, status=QuestionStatus.PENDING)
    poll = make.make_live_poll(room.session)
    return Targets(
        question=question.id,
        pending=pending.id,
        poll=poll.id,
        option=poll.options[0].id,
        item=room.item_id,
        organism=room.session.space.organism_id,
    )


def valid_payload(event: str, space_id: int, ids: Targets) -> dict:
    due = (date.today() + timedelta(days=30)).isoformat()
    return {
        "join": {},
        "snapshot": {},
        "ask": {"body": "¿Cuándo empieza la obra?", "item": ids.item},
        "upvote": {"question": ids.question},
        "poll_vote": {"poll": ids.poll, "option": ids.option},
        "approve": {"question": ids.pending},
        "dismiss": {"question": ids.pending, "reason": "No trata los temas de la sesión."},
        "answering": {"question": ids.question},
        "answered": {"question": ids.question, "summary": "Empieza en abril."},
        "advance": {"position": None},
        "launch_poll": {"question": "¿Le sirvió la sesión?", "options": ["Sí", "No"], "item": None},
        "close_poll": {"poll": ids.poll},
        "commit": {"body": "Publicar el contrato", "organism": ids.organism, "due_on": due, "action": None},
    }[event] | {"space": space_id}


def wrong_values(kind: str, max_length: int | None) -> list:
    not_ids = ["7", 1.5, True, False, -3, 0, 2**31, 2**63, [1], {"id": 1}]
    if kind == ID:
        return [*not_ids, None]
    if kind == OPTIONAL_ID:
        return not_ids
    if kind == POSITION:
        return ["1", 1.5, True, -1, 2**31, [0]]
    if kind == TEXT:
        return [None, 12, True, ["texto"], {"texto": 1}, "x" * (max_length + 1), "x" * 200_000]
    if kind == TEXTS:
        return [None, "Sí", [1, 2], ["Sí", None], ["x" * (max_length + 1), "No"], ["Opción"] * 50, {}]
    if kind == DATE:
        return [None, 20261231, "2026-13-01", "31/12/2026", "mañana", "2026-02-30", True]
    raise AssertionError(kind)


def malformed_calls(event: str, space_id: int, valid: dict) -> list[tuple]:
    """The argument tuples of RELIABILITY's malformed list for one event."""
    calls: list[tuple] = [(), (None,), ("texto",), ([valid],), (17,), ({},), (valid, valid)]
    calls.append(({**valid, "extra": 1},))
    calls.append(({**valid, "user": 1},))  # a user id in the body is never honoured
    for space in (True, "1", None, 1.0, -1, 2**40):
        calls.append(({**valid, "space": space},))
    for key, (kind, max_length) in EVENT_KEYS[event].items():
        for value in wrong_values(kind, max_length):
            calls.append(({**valid, key: value},))
        if kind in (ID, TEXT, TEXTS, DATE):
            calls.append(({k: v for k, v in valid.items() if k != key},))
    return calls


@pytest.mark.parametrize("event", sorted(EVENT_KEYS))
def test_malformed_events_are_refused_and_the_socket_keeps_working(make, room, event):
    ids = targets_in(make, room)
    valid = valid_payload(event, room.space_id, ids)
    actor = room.moderator_socket  # allowed to do everything: only the shape can be wrong
    before = table_row_counts()
    for args in malformed_calls(event, room.space_id, valid):
        ack = actor.call(event, *args)
        assert_refused(actor, ack, event, 400)
        assert set(ack) == {"ok", "error", "status"}
    assert table_row_counts() == before
    for other in (room.citizen_socket, room.visitor_socket, room.neighbour_socket):
        assert other.received("live_error") == []
        assert other.call("snapshot", {"space": room.space_id})["ok"] is True

    ack = actor.call(event, valid)
    assert ack["ok"] is True, ack


def test_a_message_for_a_space_that_is_not_a_viewable_live_session(make, room):
    forum = make.make_space(kind=SpaceKind.FORUM)
    draft = make.make_live_session(state=SpaceState.DRAFT)
    before = table_row_counts()
    for space_id in (forum.id, draft.space_id, 987_654):
        for event in ("join", "snapshot", "ask"):
            payload = {"space": space_id} | ({"body": "¿Hola?"} if event == "ask" else {})
            assert_refused(room.citizen_socket, room.citizen_socket.call(event, payload), event, 404)
    assert table_row_counts() == before


def test_unknown_events_are_refused(room):
    for name in ("delete_everything", "question", "live_error", "x" * 500):
        ack = room.citizen_socket.call(name, {"space": room.space_id})
        assert_refused(room.citizen_socket, ack, name[:60], 400)
    assert room.citizen_socket.call("snapshot", {"space": room.space_id})["ok"] is True


def test_acting_needs_a_login(make, room):
    ids = targets_in(make, room)
    before = table_row_counts()
    for event in (*CITIZEN_EVENTS, *MODERATOR_EVENTS):
        ack = room.visitor_socket.call(event, valid_payload(event, room.space_id, ids))
        assert_refused(room.visitor_socket, ack, event, 403)
    assert table_row_counts() == before
    assert room.visitor_socket.call("snapshot", {"space": room.space_id})["ok"] is True


def test_acting_needs_to_have_joined_the_room(room, open_socket, make_client, make):
    stranger = open_socket(logged_in(make_client, make.make_user()))
    ack = stranger.call("ask", {"space": room.space_id, "body": "¿Sin entrar?"})
    assert_refused(stranger, ack, "ask", 400)
    assert rows(LiveQuestion) == 0
    stranger.join(room.space_id)
    assert stranger.call("ask", {"space": room.space_id, "body": "¿Ya entré?"})["ok"] is True


def test_a_citizen_cannot_send_moderator_events(make, room):
    ids = targets_in(make, room)
    before = table_row_counts()
    for event in MODERATOR_EVENTS:
        ack = room.citizen_socket.call(event, valid_payload(event, room.space_id, ids))
        assert_refused(room.citizen_socket, ack, event, 403)
    assert table_row_counts() == before
    assert room.moderator_socket.received("live_error") == []
    assert room.citizen_socket.call("upvote", valid_payload("upvote", room.space_id, ids))["ok"] is True


def test_a_moderator_of_another_space_is_a_citizen_here(make, room, open_socket, make_client):
    other_moderator = make.make_user(Role.MODERATOR)
    make.make_live_session(moderators=[other_moderator])
    ids = targets_in(make, room)
    live_socket = open_socket(logged_in(make_client, other_moderator))
    state = live_socket.join(room.space_id)
    assert state["viewer"]["moderator"] is False
    assert ids.pending not in [q["id"] for q in state["questions"]]
    before = table_row_counts()
    for event in MODERATOR_EVENTS:
        assert_refused(live_socket, live_socket.call(event, valid_payload(event, room.space_id, ids)), event, 403)
    assert table_row_counts() == before
    # Not in the moderators' room: a new pending question does not reach it.
    room.citizen_socket.call("ask", {"space": room.space_id, "body": "¿Pendiente?"})
    assert live_socket.received("question") == []


def test_ids_of_another_session_are_not_found(make, room):
    other = make.make_live_session()
    foreign = Targets(
        question=make.make_live_question(other, room.citizen).id,
        pending=make.make_live_question(other, room.citizen, status=QuestionStatus.PENDING).id,
        poll=(poll := make.make_live_poll(other)).id,
        option=poll.options[0].id,
        item=other.agenda[0].id,
        organism=room.session.space.organism_id,
    )
    own_poll = make.make_live_poll(room.session)
    before = table_row_counts()
    cases = [
        (room.citizen_socket, "ask", valid_payload("ask", room.space_id, foreign)),
        (room.neighbour_socket, "upvote", valid_payload("upvote", room.space_id, foreign)),
        (room.citizen_socket, "poll_vote", valid_payload("poll_vote", room.space_id, foreign)),
        # This session's poll with an option of another session's poll.
        (room.citizen_socket, "poll_vote", {"space": room.space_id, "poll": own_poll.id, "option": foreign.option}),
        (room.moderator_socket, "launch_poll", valid_payload("launch_poll", room.space_id, foreign) | {
            "item": foreign.item
        }),
        (room.moderator_socket, "close_poll", valid_payload("close_poll", room.space_id, foreign)),
    ] + [
        (room.moderator_socket, event, valid_payload(event, room.space_id, foreign))
        for event in ("approve", "dismiss", "answering", "answered")
    ]
    for live_socket, event, payload in cases:
        assert_refused(live_socket, live_socket.call(event, payload), event, 404)
    assert table_row_counts() == before


def test_events_after_the_session_closed(make, make_client, open_socket):
    room = open_room(make, make_client, open_socket)
    ids = targets_in(make, room)
    room.session.space.state = SpaceState.CLOSED
    db.session.commit()
    before = table_row_counts()
    for event in (*CITIZEN_EVENTS, *MODERATOR_EVENTS):
        actor = room.citizen_socket if event in CITIZEN_EVENTS else room.moderator_socket
        assert_refused(actor, actor.call(event, valid_payload(event, room.space_id, ids)), event, (403, 409))
    assert table_row_counts() == before
    # Watching the record still works.
    assert room.visitor_socket.call("snapshot", {"space": room.space_id})["snapshot"]["live"] is False


def test_a_revoked_login_is_refused(make, room, make_client, open_socket):
    browser = logged_in(make_client, make.make_user())
    copy = make_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    live_socket = open_socket(copy)
    live_socket.join(room.space_id)
    assert live_socket.call("ask", {"space": room.space_id, "body": "¿Antes de salir?"})["ok"] is True

    post_form(browser, "/cuenta/salir", token_from="/")  # rotates the session token: every copy is revoked
    ack = live_socket.call("ask", {"space": room.space_id, "body": "¿Después de salir?"})
    assert_refused(live_socket, ack, "ask", 403)
    assert rows(LiveQuestion) == 1
    # Every event is refused until the page reloads (as a visitor, or logged in again).
    assert_refused(live_socket, live_socket.call("snapshot", {"space": room.space_id}), "snapshot", 403)
    # A new socket with the revoked cookie is refused at the handshake.
    assert open_socket(copy).connected is False


def test_the_presence_tick_disconnects_revoked_logins(app, make, room, make_client, open_socket):
    browser = logged_in(make_client, make.make_user())
    copy = make_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    live_socket = open_socket(copy)
    live_socket.join(room.space_id)
    post_form(browser, "/cuenta/salir", token_from="/")
    revoked = tick(app)
    assert revoked == [live_socket.sid]
    contextvars.Context().run(sockets.disconnect_sockets, revoked)
    assert live_socket.connected is False
    assert rows(LivePresence) == 4
    assert room.moderator_socket.call("snapshot", {"space": room.space_id})["ok"] is True


# --- The role matrix of the socket events (RELIABILITY: every socket event, every role) --------------

MODERATOR_EVENTS = {"approve", "dismiss", "answering", "answered", "advance", "launch_poll", "close_poll", "commit"}
CITIZEN_EVENTS = {"ask", "upvote", "poll_vote"}
# Who may act: logged-in people for the citizens' events; the space's own moderators and admins for
# the moderators' (an official of the organism who is not assigned to moderate is a participant here).
SOCKET_MATRIX = {
    "anonymous": set(),
    "citizen": CITIZEN_EVENTS,
    "moderator": CITIZEN_EVENTS,
    "moderator_of_space": CITIZEN_EVENTS | MODERATOR_EVENTS,
    "official_of_organism": CITIZEN_EVENTS,
    "official_of_other": CITIZEN_EVENTS,
    "admin": CITIZEN_EVENTS | MODERATOR_EVENTS,
}


def socket_actor(make, room: Room, actor: str):
    other = make.organism("SSP") if room.session.space.organism.acronym != "SSP" else make.organism("SMOV")
    return {
        "anonymous": None,
        "citizen": room.citizen,
        "moderator": make.make_user(Role.MODERATOR),
        "moderator_of_space": room.moderator,
        "official_of_organism": make.make_user(Role.OFFICIAL, organism=room.session.space.organism),
        "official_of_other": make.make_user(Role.OFFICIAL, organism=other),
        "admin": make.make_user(Role.ADMIN),
    }[actor]


@pytest.mark.parametrize("event", sorted(MODERATOR_EVENTS | CITIZEN_EVENTS))
@pytest.mark.parametrize("actor", sorted(SOCKET_MATRIX))
def test_socket_role_matrix(make, make_client, open_socket, room, actor, event):
    ids = targets_in(make, room)
    user = socket_actor(make, room, actor)
    live_socket = open_socket(logged_in(make_client, user) if user is not None else make_client())
    live_socket.join(room.space_id)
    live_socket.drain()
    before = table_row_counts()

    ack = live_socket.call(event, valid_payload(event, room.space_id, ids))

    if event in SOCKET_MATRIX[actor]:
        assert ack["ok"] is True, (actor, event, ack)
    else:
        assert_refused(live_socket, ack, event, 403)
        assert table_row_counts() == before
