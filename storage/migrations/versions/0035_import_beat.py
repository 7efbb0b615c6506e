"""import beat: a running import's heartbeat

An import runs in the background and closed its batch only as it ended; one cut off by a
hard stop of the bot (killed, crashed, the power gone) stayed "running" for ever, and
could never be undone. A running import now writes ``beat_at`` with each chunk (and every
half a minute while it waits): a batch still open whose beat is old is taken as
interrupted (``crm.imports.stale``), by whichever instance reads it. A batch open before
this revision has no beat: its ``created_at`` stands for one.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch_op:
        batch_op.add_column(sa.Column("beat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch_op:
        batch_op.drop_column("beat_at")
