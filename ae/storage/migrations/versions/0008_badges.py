"""badges

Revision ID: 0008
Revises: 0007

Issued badges (`issued_badge`: the signed Open Badges 3.0 credential of each badge a chair issued,
its scheme and version, its bit in the revocation status list; revocation is recorded in place,
never a deletion) and the audit trail of badge decisions (`badge_event`: issued, withheld, revoked).
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_badge',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('conference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scheme', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scheme_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('badge', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('credential', sa.Text(), nullable=False),
    sa.Column('evidence_digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('report_digest', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issued_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['issued_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['revoked_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['artifactversion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('status_index')
    )
    with op.batch_alter_table('issued_badge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_badge_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_badge_conference'), ['conference'], unique=False)

    op.create_table('badge_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('badge', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('issued_badge_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.ForeignKeyConstraint(['issued_badge_id'], ['issued_badge.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('badge_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_event_artifact_id'), ['artifact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('badge_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_event_artifact_id'))
    op.drop_table('badge_event')
    with op.batch_alter_table('issued_badge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_badge_conference'))
        batch_op.drop_index(batch_op.f('ix_issued_badge_artifact_id'))
    op.drop_table('issued_badge')
