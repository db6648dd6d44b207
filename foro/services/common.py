"""Small helpers shared by services."""

from sqlalchemy import select

from foro.errors import InvalidInput
from foro.extensions import db


def rows_by_id(model, ids: list[int], message, field_name: str) -> list:
    """The rows with these ids; InvalidInput naming ``field_name`` if any id does not exist."""
    unique_ids = sorted(set(ids))
    if not unique_ids:
        return []
    rows = list(db.session.scalars(select(model).where(model.id.in_(unique_ids))))
    if len(rows) != len(unique_ids):
        raise InvalidInput(message, field=field_name)
    return rows
