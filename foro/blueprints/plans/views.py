"""Views of the plans capability."""
from foro.blueprints.plans import bp  # noqa: F401
