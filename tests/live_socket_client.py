"""One browser's Socket.IO connection through flask-socketio's test client, for the live-session tests."""

import contextvars

from foro.extensions import db, socketio


class LiveSocket:
    """One browser's socket. Each call runs in its own context, as every event does in production (its own
    app context, database session and Flask-Login user): the test's app context must not leak into it."""

    def __init__(self, app, flask_client=None):
        db.session.commit()
        self.client = contextvars.Context().run(socketio.test_client, app, flask_test_client=flask_client)
        self._inbox: list[dict] = []

    @property
    def connected(self) -> bool:
        return self.client.is_connected()

    @property
    def sid(self) -> str:
        return socketio.server.manager.sid_from_eio_sid(self.client.eio_sid, "/")

    def call(self, event: str, *args):
        """Emit with an ack request; return the ack."""
        db.session.commit()
        return contextvars.Context().run(self.client.emit, event, *args, callback=True)

    def join(self, space_id: int) -> dict:
        ack = self.call("join", {"space": space_id})
        assert ack["ok"], ack
        return ack["snapshot"]

    def received(self, name: str) -> list[dict]:
        """The payloads of ``name`` events received since the last look (other events are kept)."""
        self._inbox.extend(self.client.get_received())
        found = [event["args"][0] for event in self._inbox if event["name"] == name]
        self._inbox = [event for event in self._inbox if event["name"] != name]
        return found

    def drain(self) -> None:
        self.client.get_received()
        self._inbox = []

    def close(self) -> None:
        if self.connected:
            db.session.commit()
            contextvars.Context().run(self.client.disconnect)
