from flask import Blueprint

bp = Blueprint("spaces", __name__)

from foro.blueprints.spaces import views  # noqa: E402,F401
