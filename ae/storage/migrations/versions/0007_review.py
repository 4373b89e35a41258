"""review

Revision ID: 0007
Revises: 0006

The evaluators' side of the review process: reviews per artifact, evaluator and round (drafts,
submission), their submitted states and later edits (`review_edit`, never overwritten), and the
anonymous threads between an artifact's author and its evaluators (`thread_message`).
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('round', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['artifactversion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('artifact_id', 'user_id', 'round')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_version_id'), ['version_id'], unique=False)

    op.create_table('review_edit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['artifactversion.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_edit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_edit_review_id'), ['review_id'], unique=False)

    op.create_table('thread_message',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('thread_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('anchor', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('thread_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_message_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_thread_message_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_thread_message_thread_id'), ['thread_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('thread_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_message_thread_id'))
        batch_op.drop_index(batch_op.f('ix_thread_message_author_id'))
        batch_op.drop_index(batch_op.f('ix_thread_message_artifact_id'))
    op.drop_table('thread_message')
    with op.batch_alter_table('review_edit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_edit_review_id'))
    op.drop_table('review_edit')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_version_id'))
        batch_op.drop_index(batch_op.f('ix_review_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_artifact_id'))
    op.drop_table('review')
