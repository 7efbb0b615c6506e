"""outbox chat kind: an index of a chat's rows by kind and time

Whether a reader has had a digest since their local day began (``crm.digest_days``) is
read from the outbox by chat and kind, the newest row; the outbox keeps every row sent, so
without an index that read went through all of them.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-11 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat_kind", "outbox", ["chat_id", "kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_kind", table_name="outbox")
