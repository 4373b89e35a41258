"""badges

Revision ID: 0008
Revises: 0007

Reserved for issued badges, their audit trail and revocations; filled in by that work.
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
