"""full-text search index over forum posts (FTS5 on SQLite, GIN tsvector on PostgreSQL)

Revision ID: 0004_forum_search
Revises: 0003_forums
Create Date: 2026-11-21 08:10:00.000000

Both indexes cover ``forum_posts.search_text`` (accent-free, stemmed words written by foro.search), so
the models do not declare them: the drift test and autogenerate skip them by name
(foro.search.include_in_autogenerate).

SQLite: an external-content FTS5 table (it stores only the index, the text stays in forum_posts) kept in
step by triggers. The update trigger fires only when search_text changes, so counter updates
(supports, replies, flags) never touch the index. A later batch migration that rebuilds forum_posts on
SQLite drops these triggers with the old table and must create them again.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_forum_search'
down_revision = '0003_forums'
branch_labels = None
depends_on = None

SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE forum_posts_fts USING fts5(
        search_text, content='forum_posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER forum_posts_fts_insert AFTER INSERT ON forum_posts BEGIN
        INSERT INTO forum_posts_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    # An external-content FTS5 table forgets a row through the special 'delete' command, which must be
    # given the values that were indexed: the old ones.
    """
    CREATE TRIGGER forum_posts_fts_delete AFTER DELETE ON forum_posts BEGIN
        INSERT INTO forum_posts_fts (forum_posts_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END
    """,
    """
    CREATE TRIGGER forum_posts_fts_update AFTER UPDATE OF search_text ON forum_posts BEGIN
        INSERT INTO forum_posts_fts (forum_posts_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO forum_posts_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    # Index the posts written before this migration.
    "INSERT INTO forum_posts_fts (forum_posts_fts) VALUES ('rebuild')",
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER forum_posts_fts_update",
    "DROP TRIGGER forum_posts_fts_delete",
    "DROP TRIGGER forum_posts_fts_insert",
    "DROP TABLE forum_posts_fts",
)

# The 'simple' configuration only lower-cases and splits: stemming and accents were already handled in
# Python, identically for both databases. Queries must use this exact expression to use the index.
POSTGRESQL_UPGRADE = (
    "CREATE INDEX ix_forum_posts_search ON forum_posts USING gin (to_tsvector('simple', search_text))",
)

POSTGRESQL_DOWNGRADE = ("DROP INDEX ix_forum_posts_search",)


def _run(statements_by_dialect):
    for statement in statements_by_dialect.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def upgrade():
    _run({'sqlite': SQLITE_UPGRADE, 'postgresql': POSTGRESQL_UPGRADE})


def downgrade():
    _run({'sqlite': SQLITE_DOWNGRADE, 'postgresql': POSTGRESQL_DOWNGRADE})
