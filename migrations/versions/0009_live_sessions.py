"""Live accountability sessions: settings, agenda, attendance, questions and upvotes, polls, commitments,
evaluations and presence (foro.models.live)

Revision ID: 0009_live_sessions
Revises: 0008_forum_list_indexes
Create Date: 2026-11-21 11:27:01.641304

Existing spaces of kind live session get their live_sessions row when first configured or opened
(foro.services.live_sessions.session_for); nothing to backfill.
"""
from alembic import op
import sqlalchemy as sa

import foro.models.base


# revision identifiers, used by Alembic.
revision = '0009_live_sessions'
down_revision = '0008_forum_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('stream_url', sa.String(length=500), nullable=False),
    sa.Column('current_position', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
    sa.Column('peak_present', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_live_sessions_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions')),
    sa.UniqueConstraint('space_id', name=op.f('uq_live_sessions_space_id'))
    )
    op.create_table('live_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_live_agenda_items_action_id_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_agenda_items_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_agenda_items')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_live_agenda_items_session_id_position'))
    )
    with op.batch_alter_table('live_agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_agenda_items_action_id'), ['action_id'], unique=False)

    op.create_table('live_attendances',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', foro.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('joined_at', foro.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_attendances_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_attendances_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_live_attendances'))
    )
    with op.batch_alter_table('live_attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_attendances_user_id'), ['user_id'], unique=False)

    op.create_table('live_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('organism_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('tracking_action_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_live_commitments_action_id_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_live_commitments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organism_id'], ['organisms.id'], name=op.f('fk_live_commitments_organism_id_organisms'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_commitments_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tracking_action_id'], ['actions.id'], name=op.f('fk_live_commitments_tracking_action_id_actions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_commitments')),
    sa.UniqueConstraint('tracking_action_id', name=op.f('uq_live_commitments_tracking_action_id'))
    )
    with op.batch_alter_table('live_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_commitments_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_commitments_organism_id'), ['organism_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_commitments_session_id'), ['session_id'], unique=False)

    op.create_table('live_presences',
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('seen_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_presences_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_presences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sid', name=op.f('pk_live_presences'))
    )
    with op.batch_alter_table('live_presences', schema=None) as batch_op:
        batch_op.create_index('ix_live_presences_session_seen', ['session_id', 'seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_presences_user_id'), ['user_id'], unique=False)

    op.create_table('live_session_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('information_clear', sa.Integer(), nullable=False),
    sa.Column('questions_answered', sa.Integer(), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('information_clear BETWEEN 1 AND 3 AND questions_answered BETWEEN 1 AND 3 AND usefulness BETWEEN 1 AND 5', name=op.f('ck_live_session_evaluations_ratings_range')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_session_evaluations_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_session_evaluations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session_evaluations')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_live_session_evaluations_session_id_user_id'))
    )
    with op.batch_alter_table('live_session_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_evaluations_user_id'), ['user_id'], unique=False)

    op.create_table('live_session_organisms',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('organism_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organism_id'], ['organisms.id'], name=op.f('fk_live_session_organisms_organism_id_organisms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_session_organisms_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'organism_id', name=op.f('pk_live_session_organisms'))
    )
    with op.batch_alter_table('live_session_organisms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_organisms_organism_id'), ['organism_id'], unique=False)

    op.create_table('live_polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='poll_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('vote_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', foro.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('vote_count >= 0', name=op.f('ck_live_polls_votes_not_negative')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['live_agenda_items.id'], name=op.f('fk_live_polls_agenda_item_id_live_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_live_polls_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_polls_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_polls'))
    )
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_polls_session_id'), ['session_id'], unique=False)

    op.create_table('live_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'answering', 'answered', 'dismissed', name='question_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('in_advance', sa.Boolean(), nullable=False),
    sa.Column('upvote_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('moderated_at', foro.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dismissal_reason', sa.String(length=300), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_in_writing', sa.Boolean(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', foro.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status <> 'answered' OR answer <> ''", name=op.f('ck_live_questions_answered_has_answer')),
    sa.CheckConstraint("status <> 'dismissed' OR dismissal_reason <> ''", name=op.f('ck_live_questions_dismissal_has_reason')),
    sa.CheckConstraint('upvote_count >= 0', name=op.f('ck_live_questions_upvotes_not_negative')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['live_agenda_items.id'], name=op.f('fk_live_questions_agenda_item_id_live_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_live_questions_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_live_questions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_live_questions_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_questions_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_questions'))
    )
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_questions_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_questions_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_live_questions_session_status', ['session_id', 'status', 'upvote_count'], unique=False)

    op.create_table('live_poll_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('vote_count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('vote_count >= 0', name=op.f('ck_live_poll_options_votes_not_negative')),
    sa.ForeignKeyConstraint(['poll_id'], ['live_polls.id'], name=op.f('fk_live_poll_options_poll_id_live_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_poll_options')),
    sa.UniqueConstraint('poll_id', 'position', name=op.f('uq_live_poll_options_poll_id_position'))
    )
    op.create_table('live_question_upvotes',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_question_upvotes_question_id_live_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_question_upvotes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'user_id', name=op.f('pk_live_question_upvotes'))
    )
    with op.batch_alter_table('live_question_upvotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_upvotes_user_id'), ['user_id'], unique=False)

    op.create_table('live_poll_votes',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('created_at', foro.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['live_poll_options.id'], name=op.f('fk_live_poll_votes_option_id_live_poll_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['live_polls.id'], name=op.f('fk_live_poll_votes_poll_id_live_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_poll_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', name=op.f('pk_live_poll_votes'))
    )
    with op.batch_alter_table('live_poll_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_poll_votes_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_poll_votes_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('live_poll_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_poll_votes_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_poll_votes_option_id'))

    op.drop_table('live_poll_votes')
    with op.batch_alter_table('live_question_upvotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_question_upvotes_user_id'))

    op.drop_table('live_question_upvotes')
    op.drop_table('live_poll_options')
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_live_questions_session_status')
        batch_op.drop_index(batch_op.f('ix_live_questions_author_id'))
        batch_op.drop_index(batch_op.f('ix_live_questions_agenda_item_id'))

    op.drop_table('live_questions')
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_polls_session_id'))

    op.drop_table('live_polls')
    with op.batch_alter_table('live_session_organisms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_organisms_organism_id'))

    op.drop_table('live_session_organisms')
    with op.batch_alter_table('live_session_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_evaluations_user_id'))

    op.drop_table('live_session_evaluations')
    with op.batch_alter_table('live_presences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_presences_user_id'))
        batch_op.drop_index('ix_live_presences_session_seen')

    op.drop_table('live_presences')
    with op.batch_alter_table('live_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_commitments_session_id'))
        batch_op.drop_index(batch_op.f('ix_live_commitments_organism_id'))
        batch_op.drop_index(batch_op.f('ix_live_commitments_action_id'))

    op.drop_table('live_commitments')
    with op.batch_alter_table('live_attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_attendances_user_id'))

    op.drop_table('live_attendances')
    with op.batch_alter_table('live_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_agenda_items_action_id'))

    op.drop_table('live_agenda_items')
    op.drop_table('live_sessions')
