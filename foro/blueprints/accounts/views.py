"""Views of the accounts capability."""
from foro.blueprints.accounts import bp  # noqa: F401
