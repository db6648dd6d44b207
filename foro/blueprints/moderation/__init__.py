from flask import Blueprint

bp = Blueprint("moderation", __name__)

from foro.blueprints.moderation import views  # noqa: E402,F401
