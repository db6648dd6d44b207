"""Citizen control and evaluation of plan actions: progress updates, follows, ratings, observations."""

from flask import Blueprint

bp = Blueprint("followup", __name__)

from foro.blueprints.followup import views  # noqa: E402,F401
