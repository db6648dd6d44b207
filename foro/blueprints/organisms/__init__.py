from flask import Blueprint

bp = Blueprint("organisms", __name__)

from foro.blueprints.organisms import views  # noqa: E402,F401
