"""task record: a task may be about a card of the team's own record type

A rule on a record type (suppliers, products…) makes tasks about the record that
fired it; a task kept only a client and a deal, so such a task named nothing. It now
keeps its record too (deleted with the record, as a client's tasks are with the client).

On SQLite ``tasks`` is made again for the foreign key, as 0029 made ``events`` again:
with AUTOINCREMENT, its triggers read before and made again after, and its counter
kept (the highest id given, not only the highest there is). Foreign keys are off while
migrating (``storage.migrate.upgrade``), so nothing pointing to a task is lost.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-11 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_tasks_record_id_records"
INDEX = "ix_tasks_record"


def _sqlite_rebuild(with_record: bool) -> None:
    bind = op.get_bind()
    counter = bind.execute(
        sa.text(
            "SELECT (SELECT max(id) FROM tasks),"
            " (SELECT max(seq) FROM sqlite_sequence WHERE name = 'tasks')"
        )
    )
    highest = max((int(value) for value in counter.one() if value is not None), default=0)
    triggers = list(
        bind.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'tasks' ORDER BY name"
            )
        )
    )
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table(
        "tasks", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        if with_record:
            batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                FOREIGN_KEY, "records", ["record_id"], ["id"], ondelete="CASCADE"
            )
            batch_op.create_index(INDEX, ["record_id"])
        else:
            batch_op.drop_index(INDEX)
            batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
            batch_op.drop_column("record_id")
    for _name, sql in triggers:
        op.execute(sql)
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'tasks'")
    if highest:
        op.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('tasks', :seq)").bindparams(
                seq=highest
            )
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(with_record=True)
        return
    op.add_column("tasks", sa.Column("record_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        FOREIGN_KEY, "tasks", "records", ["record_id"], ["id"], ondelete="CASCADE"
    )
    op.create_index(INDEX, "tasks", ["record_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(with_record=False)
        return
    op.drop_index(INDEX, table_name="tasks")
    op.drop_constraint(FOREIGN_KEY, "tasks", type_="foreignkey")
    op.drop_column("tasks", "record_id")
