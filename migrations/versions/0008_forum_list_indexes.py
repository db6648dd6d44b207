"""indexes for the orders of the forum page (the flat list by supports and the problem tree) and for
the votes by territory of a call's results

Revision ID: 0008_forum_list_indexes
Revises: 0007_call_revision
Create Date: 2026-11-21 10:10:00.000000

Measured in bench/README.md (issue 3, suggestion 3): without them the list sorts every visible
contribution to keep 30 (3.9 ms on SQLite, 8.9 ms on PostgreSQL at 2,000 threads) and the tree's ranking
walks every head. Two forms, so the models do not declare them (foro.models.forum.DIALECT_INDEXES keeps
them out of the drift test): PostgreSQL only matches an ORDER BY to an index when ``thread_id IS NULL``
is the index's predicate (a partial index), while SQLite's planner passes over the partial index for
these queries and uses the full one. The votes index is an ordinary one, declared on ProposalVote.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_forum_list_indexes'
down_revision = '0007_call_revision'
branch_labels = None
depends_on = None

UPGRADE = {
    'sqlite': (
        "CREATE INDEX ix_forum_posts_heads_supports ON forum_posts "
        "(forum_id, thread_id, is_pinned, supports_count, created_at, id, status)",
        "CREATE INDEX ix_forum_posts_tree ON forum_posts "
        "(forum_id, thread_id, parent_id, axis_id, kind, status, is_pinned, supports_count)",
    ),
    'postgresql': (
        "CREATE INDEX ix_forum_posts_heads_supports ON forum_posts "
        "(forum_id, is_pinned, supports_count, created_at, id) WHERE thread_id IS NULL",
        "CREATE INDEX ix_forum_posts_tree ON forum_posts "
        "(forum_id, parent_id, axis_id, kind, status, is_pinned, supports_count, id) WHERE thread_id IS NULL",
    ),
}
DOWNGRADE = ("DROP INDEX ix_forum_posts_tree", "DROP INDEX ix_forum_posts_heads_supports")


def upgrade():
    for statement in UPGRADE.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table('proposal_votes', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_votes_call_territory', ['call_id', 'voter_territory_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_votes_call_territory')
    if op.get_bind().dialect.name in UPGRADE:
        for statement in DOWNGRADE:
            op.execute(statement)
