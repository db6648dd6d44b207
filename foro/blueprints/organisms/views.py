"""Views of the organisms capability."""
from foro.blueprints.organisms import bp  # noqa: F401
