"""The migrations build exactly the schema the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from foro.extensions import db
from foro.models import Base


def test_migrations_match_models():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade():
    with db.engine.connect() as connection:
        existing = set(db.inspect(connection).get_table_names())
    assert set(Base.metadata.tables) <= existing
    assert "alembic_version" in existing
