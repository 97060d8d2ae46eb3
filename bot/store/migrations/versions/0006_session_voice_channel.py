"""session voice channel: the voice channel a session spoke in, to rejoin it after a restart

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voice_channel_id", sa.String(32), nullable=True))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("voice_channel_id")
