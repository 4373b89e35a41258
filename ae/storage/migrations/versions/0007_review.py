"""review

Revision ID: 0007
Revises: 0006

Reserved for the review process (phases, bids, conflicts, reviews, threads); filled in by that work.
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
