"""Views of the admin capability."""
from foro.blueprints.admin import bp  # noqa: F401
