"""team group chats and their subscriptions; overdue announcements

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("subscriptions", sa.JSON(), nullable=False),
        sa.Column("bound_by", sa.BigInteger(), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bound_by"], ["users.id"], name=op.f("fk_group_chats_bound_by_users")
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_group_chats")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("announced_overdue_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("announced_overdue_at")
    op.drop_table("group_chats")
