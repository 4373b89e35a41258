"""bidding

Revision ID: 0009
Revises: 0008

Reserved for bidding, conflicts and the conference phases; filled in by that work.
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
