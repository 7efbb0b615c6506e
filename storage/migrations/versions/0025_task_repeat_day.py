"""task repeat day: a monthly task keeps its day after a shorter month

A task repeating every month on the 31st fell on the 28th in February, and the next
one was computed from the 28th: it stayed on the 28th for good. The day it keeps is
now written on each next occurrence. Tasks made before stay as they are (their day
is their due date's own).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("repeat_day", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("repeat_day")
