"""budgets

Revision ID: 0011
Revises: 0010

The smoke stage and compute budgets (issue 21): a version's smoke outcome, estimates and budget
check (`artifactversion.smoke`); a run's stage (`smoke` or `full`), why a held run waits, the
evaluator who asked for a re-run and the chair who approved work beyond the budget.
Create Date: 2026-11-30 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('smoke', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='full'))
        batch_op.add_column(sa.Column('held_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('approved_by')
        batch_op.drop_column('requested_by')
        batch_op.drop_column('held_reason')
        batch_op.drop_column('stage')
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.drop_column('smoke')
