"""Broadcasts of a live session's changes to the Socket.IO rooms, after the caller committed them.

Rooms: ``live:<space id>`` (everyone watching the session), ``live:<space id>:moderators`` (its moderators:
pending questions) and ``user:<user id>`` (one person's own sockets, on any page of any server process).
With ``SOCKETIO_MESSAGE_QUEUE`` set, every server process relays the emit to its own clients.

A broadcast only repeats what is already stored, so it must never undo or hide the stored action: if the
message queue is down the error is logged and the caller goes on; clients catch up from their next snapshot
(every payload carries the session's ``revision``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from foro.extensions import socketio

logger = logging.getLogger(__name__)

PUBLIC_AUDIENCE = "public"
MODERATORS_AUDIENCE = "moderators"
USER_AUDIENCE_PREFIX = "user:"


def public_room(space_id: int) -> str:
    return f"live:{space_id}"


def moderators_room(space_id: int) -> str:
    return f"live:{space_id}:moderators"


def user_room(user_id: int) -> str:
    return f"{USER_AUDIENCE_PREFIX}{user_id}"


def room_for(change) -> str:
    """The room a ``LiveChange`` goes to, from its audience and the space id in its data."""
    if change.audience == PUBLIC_AUDIENCE:
        return public_room(change.data["space"])
    if change.audience == MODERATORS_AUDIENCE:
        return moderators_room(change.data["space"])
    user_id = change.audience.removeprefix(USER_AUDIENCE_PREFIX)
    if change.audience.startswith(USER_AUDIENCE_PREFIX) and user_id.isdigit():
        return user_room(int(user_id))
    raise ValueError(f"unknown live audience {change.audience!r}")


def publish(changes: Iterable) -> None:
    """Emit each change to its room. Never raises: the changes are already stored."""
    for change in changes or ():
        try:
            # The emit time lets clients (and bench/) measure delivery latency.
            payload = {**change.data, "sent_at": time.time()}
            socketio.emit(change.event, payload, to=room_for(change), namespace="/")
        except Exception:
            logger.exception("live broadcast of %r failed; clients catch up from their next snapshot",
                             getattr(change, "event", change))
