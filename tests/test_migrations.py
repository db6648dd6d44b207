"""The migrations build exactly the schema the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from foro.extensions import db
from foro.models import Base
from foro.search import include_in_autogenerate


def test_migrations_match_models():
    with db.engine.connect() as connection:
        # The search index (migration 0004) is not in the models: leave its FTS5 table and GIN index out.
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_autogenerate}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade():
    with db.engine.connect() as connection:
        existing = set(db.inspect(connection).get_table_names())
    assert set(Base.metadata.tables) <= existing
    assert "alembic_version" in existing
