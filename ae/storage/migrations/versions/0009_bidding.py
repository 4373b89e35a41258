"""bidding

Revision ID: 0009
Revises: 0008

The chair's side of the review process: evaluators' bids (`bid`), conflicts declared by authors
and chairs as e-mail addresses or @domains (`conflict`), the paper behind an artifact as imported
from HotCRP (`paper`: id, abstract, authors), a chair's decision per artifact (`decision`) and the
chair's dates of a conference's phases (`phase_date`, replacing the conference file's).
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('artifact_id', 'user_id')
    )
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bid_user_id'), ['user_id'], unique=False)

    op.create_table('conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pattern', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('declared_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['declared_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('artifact_id', 'pattern')
    )
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_artifact_id'), ['artifact_id'], unique=False)

    op.create_table('paper',
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hotcrp_pid', sa.Integer(), nullable=True),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.PrimaryKeyConstraint('artifact_id')
    )
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_hotcrp_pid'), ['hotcrp_pid'], unique=False)

    op.create_table('decision',
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('badges', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('artifact_id')
    )

    op.create_table('phase_date',
    sa.Column('conference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=True),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('conference', 'name')
    )


def downgrade() -> None:
    op.drop_table('phase_date')
    op.drop_table('decision')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_hotcrp_pid'))

    op.drop_table('paper')
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_artifact_id'))

    op.drop_table('conflict')
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_user_id'))
        batch_op.drop_index(batch_op.f('ix_bid_artifact_id'))

    op.drop_table('bid')
