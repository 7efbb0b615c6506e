"""open deal card: the open card may be a deal's

Text typed with a deal's card open goes into that deal's history, so the
member's open card names the deal too (its client stays in ``open_client_id``).

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_deal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_open_deal_id_deals"),
            "deals",
            ["open_deal_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_open_deal_id_deals"), type_="foreignkey")
        batch_op.drop_column("open_deal_id")
