"""forums.revision: the stamp of the anonymous page cache

Revision ID: 0005_forum_revision
Revises: 0004_forum_search
Create Date: 2026-11-21 08:50:00.000000

Every write that changes what an anonymous visitor sees on a forum or thread page adds one to its
forum's ``revision`` (foro.services.page_cache.bump_forum_revision); the cached pages are keyed by it.
Existing forums start at 0: no process has cached anything under this column yet.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_forum_revision'
down_revision = '0004_forum_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_column('revision')
