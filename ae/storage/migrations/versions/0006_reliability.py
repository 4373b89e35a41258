"""reliability

Revision ID: 0006
Revises: 0005

What recovery needs to know from the database alone (DESIGN §11): which worker holds a version's
intake and how often it was tried (`artifactversion.worker`, `attempt`), when a run or an intake
retried after a fault may start again (`retry_at`, the backoff), and which job a worker is working
on (`worker.current_job`, written with its heartbeat).
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_job', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_column('current_job')
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('retry_at')
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.drop_column('retry_at')
        batch_op.drop_column('attempt')
        batch_op.drop_column('worker')
