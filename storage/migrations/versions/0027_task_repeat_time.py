"""task repeat time: a daily task at 02:30 stays at 02:30 after the clocks go forward

A task repeating every day at 02:30 (Berlin) fell at 03:30 on the night the clocks
skip from 02:00 to 03:00, and the next one was computed from that: it stayed at 03:30
for good. That night's occurrence now comes when the clocks land (03:00), and the
time of day it could not keep is written on it, so the next one is at 02:30 again.
Tasks made before stay as they are (their time is their due time's own).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("repeat_time", sa.Time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("repeat_time")
