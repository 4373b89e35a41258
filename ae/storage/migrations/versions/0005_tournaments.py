"""tournaments

Revision ID: 0005
Revises: 0004

`tournament_point`: points imported into a conference's tournament from CK experiment entries (the
stored statistics of `ckp-*.flat.json`, the entry's meta, the quirks met); `tournament_state`: an
organizer's edited rules of a conference's tournament and whether it is published.
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tournament_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entry', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('configuration', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('provenance', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('artifact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('flat', sa.JSON(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifact.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conference', 'key')
    )
    with op.batch_alter_table('tournament_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tournament_point_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tournament_point_conference'), ['conference'], unique=False)

    op.create_table('tournament_state',
    sa.Column('conference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rules', sa.Text(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('conference')
    )


def downgrade() -> None:
    op.drop_table('tournament_state')
    with op.batch_alter_table('tournament_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tournament_point_conference'))
        batch_op.drop_index(batch_op.f('ix_tournament_point_artifact_id'))

    op.drop_table('tournament_point')
