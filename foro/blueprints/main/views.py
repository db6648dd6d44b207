"""Views of the main capability."""
from foro.blueprints.main import bp  # noqa: F401
