"""Views of the territories capability."""
from foro.blueprints.territories import bp  # noqa: F401
