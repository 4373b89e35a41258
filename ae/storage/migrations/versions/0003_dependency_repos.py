"""dependency repositories of a version

Revision ID: 0003
Revises: 0002

`artifactversion.dependencies`: the CK `repo_deps` repositories fetched for the version, each pinned
to a commit and stored as a snapshot (repo, url, ref, commit, digest, required_by, pinned_by).
Create Date: 2026-11-30 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dependencies', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('artifactversion', schema=None) as batch_op:
        batch_op.drop_column('dependencies')
