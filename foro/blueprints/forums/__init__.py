from flask import Blueprint

bp = Blueprint("forums", __name__)

from foro.blueprints.forums import setup_views, views  # noqa: E402,F401
