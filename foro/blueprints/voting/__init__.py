"""Concertation of proposals into concerted proposals, the vote under the call's rule, and its results."""

from flask import Blueprint

bp = Blueprint("voting", __name__)

from foro.blueprints.voting import views  # noqa: E402,F401
