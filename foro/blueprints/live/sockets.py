"""The live session over Socket.IO: every client event goes through one dispatcher.

The dispatcher checks the payload's shape against the event's table row (a dict with only the known keys,
each of the right type, texts bounded), finds the space (a live session the person may see, else "not
found"), reloads the person from the session cookie (a cookie whose session token was rotated by log-out,
password change or account deletion is refused), checks that the socket joined the session's room, calls
foro.services.live_sessions (which holds every business rule and permission), commits, and only then
publishes the changes. Any refusal answers the sender alone: the ack {"ok": false, "error", "status"} and a
"live_error" event; nothing is stored and the connection stays usable.

Presence: each server process keeps the list of its own sockets in a session room, marks them as present
every LIVE_PRESENCE_TICK_SECONDS (rows a dead process stops refreshing expire) and broadcasts the count
when it changed.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms
from sqlalchemy import select

from foro import permissions
from foro.database import done_writing, will_write
from foro.errors import DomainError, InvalidInput, NotAllowed, NotFound
from foro.extensions import db, socketio
from foro.models import Space, SpaceKind, User
from foro.models.live import (
    ANSWER_SUMMARY_MAX,
    COMMITMENT_MAX,
    DISMISSAL_REASON_MAX,
    POLL_OPTION_MAX,
    POLL_OPTIONS_MAX,
    POLL_QUESTION_MAX,
    QUESTION_MAX,
)
from foro.services import live_sessions
from foro.services.live_broadcast import moderators_room, public_room, publish, user_room

logger = logging.getLogger(__name__)

# Ids are database integers: anything outside PostgreSQL's integer range cannot exist (and would be a
# DataError, a 500, instead of "not found").
ID_MAX = 2**31 - 1
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Flask-Login keeps the logged-in account here; present but not loading means a rotated session token.
_LOGIN_SESSION_KEY = "_user_id"


# --- Payload shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One key of an event's payload."""

    kind: str  # "id" (positive int), "position" (int >= 0), "text", "texts" (list of text), "date"
    required: bool = True
    nullable: bool = False
    max_length: int = 0  # texts: characters of each
    max_items: int = 0  # texts: how many


def _id(*, required=True, nullable=False) -> Field:
    return Field("id", required=required, nullable=nullable)


def _text(max_length: int) -> Field:
    return Field("text", max_length=max_length)


_MALFORMED = _l("El mensaje no tiene el formato esperado. Recarga la página e intenta de nuevo.")
_UNKNOWN_EVENT = _l("Esa acción no existe en la sesión en vivo.")


def _invalid(key: str) -> InvalidInput:
    return InvalidInput(_l("El dato «%(field)s» no es válido.", field=key), field=key)


def _check_id(key: str, value, minimum: int = 1) -> int:
    # bool is a subclass of int: true/false are not ids.
    if type(value) is not int or not minimum <= value <= ID_MAX:
        raise _invalid(key)
    return value


def _check_text(key: str, value, max_length: int) -> str:
    if not isinstance(value, str):
        raise _invalid(key)
    if len(value) > max_length:
        raise InvalidInput(
            _l("El texto de «%(field)s» supera los %(max)d caracteres.", field=key, max=max_length), field=key
        )
    return value


def _check_value(key: str, field: Field, value):
    if value is None:
        if field.nullable:
            return None
        raise _invalid(key)
    if field.kind == "id":
        return _check_id(key, value)
    if field.kind == "position":
        return _check_id(key, value, minimum=0)
    if field.kind == "text":
        return _check_text(key, value, field.max_length)
    if field.kind == "texts":
        if not isinstance(value, list) or len(value) > field.max_items:
            raise _invalid(key)
        return [_check_text(key, item, field.max_length) for item in value]
    if field.kind == "date":
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise _invalid(key)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _invalid(key) from None
    raise AssertionError(f"unknown field kind {field.kind}")


def validated_payload(fields: dict[str, Field], args: tuple) -> dict:
    """The event's single argument checked against its fields (plus "space"); InvalidInput otherwise."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise InvalidInput(_MALFORMED)
    payload = args[0]
    expected = {"space": _id(), **fields}
    # The unknown key is not echoed back: the message must never carry the sender's text.
    if any(key not in expected for key in payload):
        raise InvalidInput(_l("El mensaje trae datos que no se esperaban. Recarga la página e intenta de nuevo."))
    values = {}
    for key, field in expected.items():
        if key not in payload:
            if field.required:
                raise InvalidInput(_l("Falta el dato «%(field)s».", field=key), field=key)
            values[key] = None
            continue
        values[key] = _check_value(key, field, payload[key])
    return values


# --- The events --------------------------------------------------------------------------------------

Outcome = tuple[dict, list]  # (extra keys of the success ack, changes to publish after commit)


@dataclass(frozen=True)
class LiveEvent:
    name: str
    fields: dict[str, Field]
    run: Callable[[object, Space, dict], Outcome]
    # Acting events need a logged-in person whose socket joined the room, and SQLite's write lock up front.
    acts: bool = True


def _join(user, space: Space, data: dict) -> Outcome:
    sid = request.sid
    _leave_other_space(sid, space.id)
    join_room(public_room(space.id))
    if user.is_authenticated and permissions.can_moderate(user, space):
        join_room(moderators_room(space.id))
    else:
        leave_room(moderators_room(space.id))
    if user.is_authenticated:
        join_room(user_room(user.id))
    live_sessions.enter_room(sid, space, user)
    # The presence row is committed before the snapshot is read: on SQLite the write lock then covers
    # the insert only, not the snapshot's reads, and a thousand joins do not queue behind each other.
    db.session.commit()
    done_writing()
    # Joined first, then the snapshot: whatever is broadcast meanwhile arrives as an event, never in a gap.
    state = live_sessions.snapshot(space, user)
    _remember_socket(sid, space.id, user.get_id() if user.is_authenticated else None)
    return {"snapshot": state}, []


def _snapshot(user, space: Space, data: dict) -> Outcome:
    return {"snapshot": live_sessions.snapshot(space, user)}, []


def _ask(user, space: Space, data: dict) -> Outcome:
    question, changes = live_sessions.ask(user, space, body=data["body"], item_id=data["item"])
    return {"question": question.id}, changes


def _upvote(user, space: Space, data: dict) -> Outcome:
    changed, changes = live_sessions.upvote(user, space, data["question"])
    return {"changed": changed}, changes


def _poll_vote(user, space: Space, data: dict) -> Outcome:
    return {}, live_sessions.vote_poll(user, space, data["poll"], data["option"])


def _moderation(decision: str) -> Callable[[object, Space, dict], Outcome]:
    def moderate(user, space: Space, data: dict) -> Outcome:
        changes = live_sessions.moderate_question(
            user, space, data["question"], decision, reason=data.get("reason") or "", summary=data.get("summary") or ""
        )
        return {}, changes

    return moderate


def _advance(user, space: Space, data: dict) -> Outcome:
    return {}, live_sessions.advance(user, space, data["position"])


def _launch_poll(user, space: Space, data: dict) -> Outcome:
    poll, changes = live_sessions.launch_poll(
        user, space, question=data["question"], options=data["options"], item_id=data["item"]
    )
    return {"poll": poll.id}, changes


def _close_poll(user, space: Space, data: dict) -> Outcome:
    return {}, live_sessions.close_poll(user, space, data["poll"])


def _commit(user, space: Space, data: dict) -> Outcome:
    commitment, changes = live_sessions.record_commitment(
        user, space, body=data["body"], organism_id=data["organism"], due_on=data["due_on"], action_id=data["action"]
    )
    return {"commitment": commitment.id}, changes


_OPTIONAL_ID = _id(required=False, nullable=True)
_QUESTION = {"question": _id()}

EVENTS: dict[str, LiveEvent] = {
    event.name: event
    for event in (
        LiveEvent("join", {}, _join, acts=False),
        LiveEvent("snapshot", {}, _snapshot, acts=False),
        LiveEvent("ask", {"body": _text(QUESTION_MAX), "item": _OPTIONAL_ID}, _ask),
        LiveEvent("upvote", _QUESTION, _upvote),
        LiveEvent("poll_vote", {"poll": _id(), "option": _id()}, _poll_vote),
        LiveEvent("approve", _QUESTION, _moderation("approve")),
        LiveEvent("dismiss", {**_QUESTION, "reason": _text(DISMISSAL_REASON_MAX)}, _moderation("dismiss")),
        LiveEvent("answering", _QUESTION, _moderation("answering")),
        LiveEvent("answered", {**_QUESTION, "summary": _text(ANSWER_SUMMARY_MAX)}, _moderation("answered")),
        LiveEvent("advance", {"position": Field("position", required=False, nullable=True)}, _advance),
        LiveEvent(
            "launch_poll",
            {
                "question": _text(POLL_QUESTION_MAX),
                "options": Field("texts", max_length=POLL_OPTION_MAX, max_items=POLL_OPTIONS_MAX),
                "item": _OPTIONAL_ID,
            },
            _launch_poll,
        ),
        LiveEvent("close_poll", {"poll": _id()}, _close_poll),
        LiveEvent(
            "commit",
            {"body": _text(COMMITMENT_MAX), "organism": _id(), "due_on": Field("date"), "action": _OPTIONAL_ID},
            _commit,
        ),
    )
}


# --- The dispatcher ----------------------------------------------------------------------------------


def _viewable_live_space(space_id: int, user) -> Space:
    space = db.session.get(Space, space_id)
    if space is None or space.kind is not SpaceKind.LIVE_SESSION or not permissions.can_view_space(user, space):
        raise NotFound(_l("No encontramos esa sesión en vivo."))
    return space


def _login_was_revoked() -> bool:
    """The cookie names an account whose session token no longer matches (logged out elsewhere, password
    changed, account deleted): it loads as anonymous, but it is not a visitor."""
    return _LOGIN_SESSION_KEY in session and not current_user.is_authenticated


def _refusal(event_name: str, message: str, status: int) -> dict:
    try:
        socketio.emit("live_error", {"event": event_name, "error": message}, to=request.sid, namespace="/")
    except Exception:  # the ack below still tells the sender
        logger.exception("could not send live_error to the sender")
    return {"ok": False, "error": message, "status": status}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database itself is unreachable; the refusal still goes out
        logger.exception("rollback after a refused live event failed")


def dispatch(event_name: str, args: tuple) -> dict:
    """Run one client event; return its ack. Never raises."""
    event = EVENTS.get(event_name)
    try:
        if event is None:
            raise InvalidInput(_UNKNOWN_EVENT)
        if event.acts or event.name == "join":
            # SQLite: take the write lock at BEGIN, as a POST request does (foro.database), so a read-then-write
            # event waits for a concurrent writer instead of failing with "database is locked".
            will_write()
        data = validated_payload(event.fields, args)
        if _login_was_revoked():
            _forget_private_rooms()
            raise NotAllowed(_l("Tu sesión terminó. Vuelve a ingresar para participar."))
        user = current_user._get_current_object()
        space = _viewable_live_space(data["space"], user)
        if event.acts:
            if not user.is_authenticated:
                raise NotAllowed(_l("Ingresa con tu cuenta para participar en la sesión."))
            if public_room(space.id) not in rooms():
                raise InvalidInput(_l("Entra primero a la sala de la sesión."))
        ack, changes = event.run(user, space, data)
        db.session.commit()
    except DomainError as error:
        _rollback()
        return _refusal(str(event_name)[:60], str(error.message), error.status_code)
    except Exception:
        _rollback()
        logger.exception("live event %s failed", event.name if event else "(unknown)")
        return _refusal(str(event_name)[:60], str(_l("Algo salió mal. Intenta de nuevo en unos segundos.")), 500)
    publish(changes)
    return {"ok": True, **ack}


def _handler(event_name: str) -> Callable:
    def handle(*args):
        return dispatch(event_name, args)

    handle.__name__ = f"live_{event_name}"
    return handle


for _name in EVENTS:
    socketio.on_event(_name, _handler(_name))


@socketio.on("*")
def _unknown_event(event_name, *args):
    return dispatch(event_name if isinstance(event_name, str) else "", args)


@socketio.on("connect")
def _connect(auth=None):
    # Anonymous visitors watch; a cookie whose login was revoked is refused so its page reloads as a visitor.
    if _login_was_revoked():
        raise ConnectionRefusedError(str(_l("Tu sesión terminó. Recarga la página.")))
    return True


@socketio.on("disconnect")
def _disconnect(reason=None):
    sid = request.sid
    if _forget_socket(sid) is None:
        return
    will_write()  # SQLite write lock up front (see dispatch)
    try:
        live_sessions.leave_room(sid)
        db.session.commit()
    except Exception:
        _rollback()
        logger.exception("leaving the live room failed; the presence row expires on its own")


# --- This process's sockets and the presence tick ----------------------------------------------------


@dataclass
class LocalSocket:
    space_id: int
    login_id: str | None  # the account's get_id() when it joined: "<id>:<session token>"


_registry_lock = threading.Lock()
_local_sockets: dict[str, LocalSocket] = {}
_last_present: dict[int, int] = {}
_presence_task_pid: int | None = None


def _remember_socket(sid: str, space_id: int, login_id: str | None) -> None:
    with _registry_lock:
        _local_sockets[sid] = LocalSocket(space_id, login_id)
    _ensure_presence_task(current_app._get_current_object())


def _forget_socket(sid: str) -> LocalSocket | None:
    with _registry_lock:
        return _local_sockets.pop(sid, None)


def _leave_other_space(sid: str, space_id: int) -> None:
    with _registry_lock:
        previous = _local_sockets.get(sid)
    if previous is not None and previous.space_id != space_id:
        leave_room(public_room(previous.space_id))
        leave_room(moderators_room(previous.space_id))


def _forget_private_rooms() -> None:
    """A revoked login keeps watching as a visitor, without the moderators' or its own room."""
    for room in rooms():
        if room.endswith(":moderators") or room.startswith("user:"):
            leave_room(room)


def local_sids() -> list[str]:
    with _registry_lock:
        return list(_local_sockets)


def _ensure_presence_task(app) -> None:
    global _presence_task_pid
    with _registry_lock:
        # Per process: a forked worker starts its own.
        if _presence_task_pid == os.getpid():
            return
        _presence_task_pid = os.getpid()
    socketio.start_background_task(_presence_loop, app)


def _presence_loop(app) -> None:
    while True:
        socketio.sleep(app.config["LIVE_PRESENCE_TICK_SECONDS"])
        try:
            with app.app_context():
                revoked = tick_presence()
            disconnect_sockets(revoked)
        except Exception:  # the next tick tries again
            logger.exception("live presence tick failed")


def tick_presence() -> list[str]:
    """Mark this process's sockets present, broadcast counts that changed, and return the sockets whose
    login was revoked since they joined (to disconnect outside this app context)."""
    with _registry_lock:
        local = dict(_local_sockets)
    if not local:
        return []
    try:
        live_sessions.refresh_presence(list(local))
        db.session.commit()
        revoked = _revoked_logins(local)
        changes = []
        for space_id in sorted({socket.space_id for socket in local.values()}):
            space = db.session.get(Space, space_id)
            if space is None:
                continue
            count = live_sessions.present_count(space)
            with _registry_lock:
                changed = _last_present.get(space_id) != count
                _last_present[space_id] = count
            if changed:
                changes.append(live_sessions.presence_change(space, count))
        db.session.rollback()  # read-only from here: end the transaction
    except Exception:
        _rollback()
        raise
    publish(changes)
    return revoked


def _revoked_logins(local: dict[str, LocalSocket]) -> list[str]:
    user_ids = {int(s.login_id.partition(":")[0]) for s in local.values() if s.login_id}
    if not user_ids:
        return []
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    revoked = []
    for sid, socket in local.items():
        if not socket.login_id:
            continue
        user = users.get(int(socket.login_id.partition(":")[0]))
        if user is None or user.is_deleted or user.get_id() != socket.login_id:
            revoked.append(sid)
    return revoked


def disconnect_sockets(sids: list[str]) -> None:
    """Close these sockets of this process (their login was revoked: log-out, new password, deletion)."""
    for sid in sids:
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:
            logger.exception("could not disconnect a revoked live socket")
