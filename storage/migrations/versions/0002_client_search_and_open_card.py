"""client search and open card

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 19:51:18
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.search_index import create_statements, drop_statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_folded", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_clients_name_folded"), ["name_folded"], unique=False)
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.alter_column("name_folded", server_default=None)
        batch_op.alter_column("search_text", server_default=None)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_client_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("open_client_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_open_client_id_clients"),
            "clients",
            ["open_client_id"],
            ["id"],
            ondelete="SET NULL",
        )

    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_open_client_id_clients"), type_="foreignkey")
        batch_op.drop_column("open_client_at")
        batch_op.drop_column("open_client_id")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_name_folded"))
        batch_op.drop_column("search_text")
        batch_op.drop_column("name_folded")
