"""The organism's answers to proposals, which feed its action plan, and each action's traceability page."""

from flask import Blueprint

bp = Blueprint("answers", __name__)

from foro.blueprints.answers import views  # noqa: E402,F401
