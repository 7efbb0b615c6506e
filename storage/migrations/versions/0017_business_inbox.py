"""business inbox: a member's "open a deal for a new contact", a customer's @username

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("business_connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_deal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("business_chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("business_chats", schema=None) as batch_op:
        batch_op.drop_column("username")
    with op.batch_alter_table("business_connections", schema=None) as batch_op:
        batch_op.drop_column("open_deal")
