"""firing record: a rule's firing on a card of the team's own record type

"A record of a team type is created" fires on a record, which has no client:
the firing keeps the record it is about.

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

FK = "fk_automation_firings_record_id_records"


def upgrade() -> None:
    with op.batch_alter_table("automation_firings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FK, "records", ["record_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("automation_firings", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("record_id")
