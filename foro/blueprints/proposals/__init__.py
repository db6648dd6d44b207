"""Calls for proposals: setting up a call, proposals, supports, comments, co-authors, merging duplicates."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)

from foro.blueprints.proposals import views  # noqa: E402,F401
