"""report times

Revision ID: 0012
Revises: 0011

When a version's report was last written, as of the data it shows (`artifactversion.
report_written_at`): `ae reconcile` rewrites a report older than the review events it should show
(a rewrite job lost with Redis).
Create Date: 2026-11-30 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_written_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.drop_column('report_written_at')
