from flask import Blueprint

bp = Blueprint("territories", __name__)

from foro.blueprints.territories import views  # noqa: E402,F401
