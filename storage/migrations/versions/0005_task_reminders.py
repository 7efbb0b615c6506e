"""task reminders: the optional earlier one, and indexes for claiming reminders and nudges

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remind_before", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("early_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("early_reminded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_tasks_nudges", ["done_at", "nudged_at", "due_at"], unique=False)
        batch_op.create_index(
            "ix_tasks_early_reminders", ["early_reminded_at", "early_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_early_reminders")
        batch_op.drop_index("ix_tasks_nudges")
        batch_op.drop_column("early_reminded_at")
        batch_op.drop_column("early_at")
        batch_op.drop_column("remind_before")
