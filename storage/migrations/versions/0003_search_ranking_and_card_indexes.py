"""search ranking and card indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 20:40:00
"""

from __future__ import annotations

from alembic import op

from storage.search_index import name_index_create_statements, name_index_drop_statements

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_client_open", ["client_id", "done_at", "due_at"], unique=False
        )

    for statement in name_index_create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in name_index_drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_client_open")
