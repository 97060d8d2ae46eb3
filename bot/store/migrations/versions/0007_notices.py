"""notices: what a person has been told once (how voice messages are handled)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "notices",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("notice", sa.String(32), nullable=False),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "notice", name="pk_notices"),
    )


def downgrade() -> None:
    """Revert."""
    op.drop_table("notices")
