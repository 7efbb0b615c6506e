"""report indexes: deals and clients by creation time

The owner's report reads the deals and the clients created in a period, and
the daily digest the clients created yesterday; without these indexes each
read scans the whole table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 21:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index("ix_deals_created", ["created_at"], unique=False)
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index("ix_clients_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_created")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_created")
