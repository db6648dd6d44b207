"""Small helpers shared by services."""

from collections.abc import Callable

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

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


def save_own_row(own: Select, new_row: Callable[[], object], values: dict) -> tuple[object, bool]:
    """Create or change a person's one row (an evaluation: unique per person and object), race-safe.

    ``own`` selects that row; ``new_row()`` builds it when there is none. The row is read under a lock;
    when two first submits race, the unique constraint refuses one inside a savepoint and that one changes
    the row the other made. Returns (row, created).
    """
    row = db.session.scalar(own.with_for_update())
    created = False
    if row is None:
        try:
            with db.session.begin_nested():
                row = new_row()
                db.session.add(row)
        except IntegrityError:
            row = db.session.scalars(own.execution_options(populate_existing=True)).one()
        else:
            created = True
    if not created:
        for name, value in values.items():
            setattr(row, name, value)
    return row, created
