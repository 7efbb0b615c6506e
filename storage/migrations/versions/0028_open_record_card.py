"""open record card: the open card may be a record's

A photo, voice message or document sent with a record's card open goes into that
record's history, as one sent with a client's or deal's card open goes into theirs, so
the member's open card may name a record (then no client: ``open_client_id`` is empty;
``open_client_at`` is when the card was opened, whichever kind it is).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_record_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_open_record_id_records"),
            "records",
            ["open_record_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_open_record_id_records"), type_="foreignkey")
        batch_op.drop_column("open_record_id")
