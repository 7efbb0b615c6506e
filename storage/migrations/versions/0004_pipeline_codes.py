"""built-in pipeline stages and lost reasons by code; deal indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 20:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pipelines", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=100), nullable=True)
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=16), nullable=True))
        batch_op.alter_column("name", existing_type=sa.String(length=100), nullable=True)
    with op.batch_alter_table("lost_reasons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=16), nullable=True))
        batch_op.alter_column("text", existing_type=sa.String(length=200), nullable=True)
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index("ix_deals_stage_open", ["stage_id", "closed_at"], unique=False)
        batch_op.create_index("ix_deals_closed", ["closed_at"], unique=False)
        batch_op.create_index("ix_deals_manager", ["manager_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_manager")
        batch_op.drop_index("ix_deals_closed")
        batch_op.drop_index("ix_deals_stage_open")
    with op.batch_alter_table("lost_reasons", schema=None) as batch_op:
        batch_op.alter_column("text", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column("code")
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column("code")
    with op.batch_alter_table("pipelines", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=100), nullable=False)
