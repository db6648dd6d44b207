"""Loading the objects a URL names, answering 404 where they do not exist or must stay hidden.

Shared by the blueprints so that every page hides drafts and refuses impossible acronyms the same way.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from foro import permissions
from foro.extensions import db
from foro.models import Organism, Space
from foro.services.public import organism_by_acronym


def organism_or_404(acronym: str) -> Organism:
    organism = organism_by_acronym(acronym)
    if organism is None:
        abort(404)
    return organism


def visible_space_or_404(space_id: int, *options) -> Space:
    """The space (loaded with ``options``), or 404 for a draft the current user may not see."""
    space = db.first_or_404(select(Space).where(Space.id == space_id).options(*options))
    if not permissions.can_view_space(current_user, space):
        abort(404)
    return space
