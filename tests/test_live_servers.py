"""The live session against REAL server processes (gunicorn, one gthread worker each, as
docs/live-sessions.md runs them) with REAL python-socketio clients: the end-to-end flow, two processes
sharing rooms through a private Redis, that Redis dying mid-session, a process killed under its clients,
and foreign-origin handshakes. The servers use the database this pytest session built (the `app`
fixture), so the rows the test makes are the rows they serve."""

import pytest
import requests
import websocket
from sqlalchemy import select

from foro.extensions import db
from foro.models import LiveQuestion, LiveSession, QuestionStatus, QuestionUpvote, Role
from tests.factories import DEFAULT_PASSWORD
from tests.live_servers import (
    WAIT_TIMEOUT,
    LiveClient,
    RedisServer,
    ServerProcess,
    TcpProxy,
    login_cookie,
    temporary_folder,
    wait_until,
)


@pytest.fixture
def processes(app):
    """Starts servers, Redis, proxies and clients on demand; stops all of them, whatever happened."""

    class Processes:
        def __init__(self, folder: str):
            self.folder = folder
            self.database_url = app.config["SQLALCHEMY_DATABASE_URI"]
            self.started: list = []

        def server(self, message_queue: str | None = None) -> ServerProcess:
            db.session.commit()  # the rows made so far are visible to the new process
            return self._keep(ServerProcess(self.folder, self.database_url, message_queue))

        def redis(self) -> RedisServer:
            return self._keep(RedisServer(self.folder))

        def proxy(self, *servers: ServerProcess) -> TcpProxy:
            return self._keep(TcpProxy([server.port for server in servers]))

        def client(self, base_url: str, user=None, *, login_url: str | None = None, reconnect=False) -> LiveClient:
            db.session.commit()
            cookie = login_cookie(login_url or base_url, user.email, DEFAULT_PASSWORD) if user else None
            return self._keep(LiveClient(base_url, cookie, reconnect=reconnect)).connect()

        def _keep(self, thing):
            self.started.append(thing)
            return thing

        def close(self) -> None:
            errors = []
            # Clients first, then proxies and servers, then Redis.
            order = {LiveClient: 0, TcpProxy: 1, ServerProcess: 2, RedisServer: 3}
            for thing in sorted(reversed(self.started), key=lambda t: order[type(t)]):
                try:
                    thing.stop() if isinstance(thing, ServerProcess) else thing.close()
                except Exception as error:  # stop the others anyway
                    errors.append(error)
            if errors:
                raise errors[0]

    with temporary_folder() as folder:
        started = Processes(folder)
        try:
            yield started
        finally:
            started.close()


@pytest.fixture
def people(make):
    moderator = make.make_user(Role.MODERATOR)
    session = make.make_live_session(moderators=[moderator])
    return session.space_id, session, moderator, make.make_user(), make.make_user()


def stored_questions(space_id: int) -> dict[int, LiveQuestion]:
    db.session.rollback()
    query = select(LiveQuestion).join(LiveSession).where(LiveSession.space_id == space_id)
    return {question.id: question for question in db.session.scalars(query)}


def test_end_to_end_a_citizen_asks_the_moderator_approves_a_visitor_sees_it(processes, people):
    space_id, _, moderator, citizen, _ = people
    server = processes.server()
    moderator_client = processes.client(server.url, moderator)
    citizen_client = processes.client(server.url, citizen)
    visitor = processes.client(server.url)
    for client in (moderator_client, citizen_client, visitor):
        client.join(space_id)

    ack = citizen_client.call("ask", {"space": space_id, "body": "¿Cuándo pavimentan la calle 5?"})
    assert ack["ok"] is True
    question_id = ack["question"]
    pending = moderator_client.wait_for("question", lambda q: q["id"] == question_id)
    assert pending["status"] == "pending" and pending["body"] == "¿Cuándo pavimentan la calle 5?"

    assert moderator_client.call("approve", {"space": space_id, "question": question_id}) == {"ok": True}
    seen = visitor.wait_for("question", lambda q: q["id"] == question_id and q["status"] == "approved")
    assert seen["body"] == "¿Cuándo pavimentan la calle 5?"
    # The visitor never got the pending version.
    assert [q["status"] for q in visitor.events("question")] == ["approved"]
    assert stored_questions(space_id)[question_id].status is QuestionStatus.APPROVED


def test_two_processes_share_rooms_through_redis(processes, people):
    space_id, _, moderator, citizen, _ = people
    redis = processes.redis()
    first, second = processes.server(redis.url), processes.server(redis.url)
    citizen_client = processes.client(first.url, citizen)
    moderator_client = processes.client(second.url, moderator, login_url=first.url)
    visitor_on_first = processes.client(first.url)
    for client in (citizen_client, moderator_client, visitor_on_first):
        client.join(space_id)

    question_id = citizen_client.call("ask", {"space": space_id, "body": "¿Qué pasó con el parque?"})["question"]
    # Sent through the first process, received by a client of the second.
    moderator_client.wait_for("question", lambda q: q["id"] == question_id and q["status"] == "pending")
    assert moderator_client.call("approve", {"space": space_id, "question": question_id})["ok"] is True
    # And back: approved through the second, received on the first.
    visitor_on_first.wait_for("question", lambda q: q["id"] == question_id and q["status"] == "approved")
    citizen_client.wait_for("question", lambda q: q["id"] == question_id and q["status"] == "approved")


def test_redis_down_mid_session_nothing_acknowledged_is_lost(processes, people):
    space_id, _, moderator, citizen, neighbour = people
    redis = processes.redis()
    first, second = processes.server(redis.url), processes.server(redis.url)
    moderator_client = processes.client(first.url, moderator)
    citizen_client = processes.client(first.url, citizen, login_url=second.url)
    neighbour_client = processes.client(second.url, neighbour, login_url=second.url)
    visitor_on_second = processes.client(second.url)
    for client in (moderator_client, citizen_client, neighbour_client, visitor_on_second):
        client.join(space_id)

    redis.stop()

    acked = []
    for client, body in ((citizen_client, "¿Y el alumbrado?"), (neighbour_client, "¿Y la ciclorruta?")):
        ack = client.call("ask", {"space": space_id, "body": body})
        assert ack["ok"] is True, ack
        acked.append(ack["question"])
    for question_id in acked:
        assert moderator_client.call("approve", {"space": space_id, "question": question_id}) == {"ok": True}
    # Upvotes through either process: each on the other person's question.
    assert citizen_client.call("upvote", {"space": space_id, "question": acked[1]}) == {"ok": True, "changed": True}
    assert neighbour_client.call("upvote", {"space": space_id, "question": acked[0]}) == {"ok": True, "changed": True}

    stored = stored_questions(space_id)
    assert set(acked) <= set(stored)
    assert all(stored[q].status is QuestionStatus.APPROVED and stored[q].upvote_count == 1 for q in acked)
    assert db.session.scalar(select(db.func.count()).select_from(QuestionUpvote)) == 2
    for server in (first, second):
        for path in (f"/espacios/{space_id}/sesion", f"/espacios/{space_id}/sesion/estado.json"):
            with requests.get(server.url + path, timeout=WAIT_TIMEOUT) as response:
                assert response.status_code == 200, (path, response.status_code)

    # The visitor on the second process missed the broadcasts made on the first; its next snapshot has them.
    state = visitor_on_second.call("snapshot", {"space": space_id})["snapshot"]
    assert {q["id"]: q["upvotes"] for q in state["questions"]} == {acked[0]: 1, acked[1]: 1}


def test_a_killed_process_its_clients_reconnect_elsewhere_and_get_the_full_state(processes, people):
    space_id, _, moderator, citizen, _ = people
    redis = processes.redis()
    first, second = processes.server(redis.url), processes.server(redis.url)
    balancer = processes.proxy(first, second)
    citizen_client = processes.client(balancer.url, citizen, reconnect=True)
    moderator_client = processes.client(second.url, moderator)
    assert set(balancer.routed_to) == {first.port}  # the log-in and the socket went to the first
    citizen_client.join(space_id)
    moderator_client.join(space_id)

    acked = [citizen_client.call("ask", {"space": space_id, "body": "¿Antes de la caída?"})["question"]]
    moderator_client.wait_for("question", lambda q: q["id"] == acked[0])

    first.kill()
    wait_until(lambda: citizen_client.connects >= 2, WAIT_TIMEOUT, "the citizen's reconnection")
    assert balancer.routed_to[-1] == second.port
    # Re-joined on the second process: the full state, its own pending question included.
    state = citizen_client.join(space_id)
    assert [q["id"] for q in state["questions"]] == acked
    acked.append(citizen_client.call("ask", {"space": space_id, "body": "¿Después de la caída?"})["question"])
    moderator_client.wait_for("question", lambda q: q["id"] == acked[1])
    assert moderator_client.call("approve", {"space": space_id, "question": acked[1]})["ok"] is True
    citizen_client.wait_for("question", lambda q: q["id"] == acked[1] and q["status"] == "approved")

    assert set(acked) <= set(stored_questions(space_id))


def test_a_foreign_origin_handshake_is_refused(processes, people):
    space_id = people[0]
    server = processes.server()
    handshake = f"{server.url}/socket.io/?EIO=4&transport=polling"
    with requests.get(handshake, headers={"Origin": "https://otro-sitio.example"}, timeout=WAIT_TIMEOUT) as response:
        assert response.status_code == 400
    with requests.get(handshake, headers={"Origin": server.url}, timeout=WAIT_TIMEOUT) as response:
        assert response.status_code == 200
    ws_url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url, origin="https://otro-sitio.example", timeout=WAIT_TIMEOUT)
    same_origin = websocket.create_connection(ws_url, origin=server.url, timeout=WAIT_TIMEOUT)
    try:
        assert same_origin.recv().startswith("0{")  # engine.io's open packet
    finally:
        same_origin.close()
    # A real client from the page's own origin works.
    assert processes.client(server.url).join(space_id)["space"] == space_id
