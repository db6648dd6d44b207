"""Views of the spaces capability."""
from foro.blueprints.spaces import bp  # noqa: F401
