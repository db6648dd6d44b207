"""Live accountability sessions: the session page and its HTTP forms (views), and the same actions over
Socket.IO (sockets). Both call foro.services.live_sessions and publish through foro.services.live_broadcast."""

from flask import Blueprint

bp = Blueprint("live", __name__)

from foro.blueprints.live import sockets, views  # noqa: E402,F401
