"""solutions

Revision ID: 0010
Revises: 0009

Published solutions (`solution`: the validated manifest pinned to a commit, and its digest) and the
volunteers' crowd results (`crowd_result`: samples, output digests, environment and hardware as
received, the service's own verdicts and validation problems).
Create Date: 2026-11-30 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('solution',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('conference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('published_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solution_conference'), ['conference'], unique=False)

    op.create_table('crowd_result',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('solution', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('manifest_digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hardware_fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hardware_class', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hardware', sa.JSON(), nullable=False),
    sa.Column('environment', sa.JSON(), nullable=False),
    sa.Column('runs', sa.JSON(), nullable=False),
    sa.Column('claimed', sa.JSON(), nullable=False),
    sa.Column('verdicts', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['solution'], ['solution.name'], ),
    sa.ForeignKeyConstraint(['token_id'], ['apitoken.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    with op.batch_alter_table('crowd_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crowd_result_hardware_fingerprint'), ['hardware_fingerprint'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_crowd_result_solution'), ['solution'], unique=False)
        batch_op.create_index(batch_op.f('ix_crowd_result_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('crowd_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crowd_result_user_id'))
        batch_op.drop_index(batch_op.f('ix_crowd_result_solution'))
        batch_op.drop_index(batch_op.f('ix_crowd_result_hardware_fingerprint'))
    op.drop_table('crowd_result')
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solution_conference'))
    op.drop_table('solution')
