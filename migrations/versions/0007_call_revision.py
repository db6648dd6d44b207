"""proposal_calls.revision: the stamp of the anonymous page cache of call pages

Revision ID: 0007_call_revision
Revises: 0006_proposals
Create Date: 2026-11-21 09:40:00.000000

Every write that changes what an anonymous visitor sees on a call's pages (the proposal list, a proposal,
the results, the answers) adds one to its call's ``revision``
(foro.services.page_cache.bump_call_revision); the cached pages are keyed by it. Existing calls start
at 0: no process has cached anything under this column yet.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_call_revision'
down_revision = '0006_proposals'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('proposal_calls', schema=None) as batch_op:
        batch_op.drop_column('revision')
