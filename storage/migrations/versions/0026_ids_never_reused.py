"""ids never reused: on SQLite a deleted card's id is not given to the next new one

A plain INTEGER PRIMARY KEY on SQLite takes the largest id there is plus one: delete
the newest client (500) and the next client made is 500 again. Buttons carry ids
only, so an old message's buttons for the deleted card (open, edit, archive, "delete
for good") then acted on the new card. PostgreSQL's sequences never go back.

The same holds for the other rows buttons name that a user can delete: the stages
and lost reasons of the owner's pipeline settings (and a deal's "move to" and "lost
because" buttons), and links, deal lines among them ("✖️" unlinks one).

On SQLite the tables whose ids are in buttons are rebuilt with AUTOINCREMENT (an id
is then never used twice) and their counter starts at the highest id still known to
have been used: the table's own, and those the event log keeps of deleted cards. On
PostgreSQL nothing changes. As in 0022, the triggers that keep the clients' search
index in step go with the old table, so they are read before and made again after.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _logged(key: str | tuple[str, ...], *kinds: str) -> str:
    """The highest id the events of ``kinds`` keep under ``key`` (or any of the keys) of
    their data, read in one pass over the events."""
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    keys = (key,) if isinstance(key, str) else key
    each = [f"coalesce(CAST(json_extract(data, '$.{name}') AS INTEGER), 0)" for name in keys]
    value = each[0] if len(each) == 1 else f"max({', '.join(each)})"
    return (
        f"SELECT max(CASE WHEN json_valid(data) THEN {value} END) FROM events"
        f" WHERE kind IN ({listed})"
    )


# Each table, and where else an id it once gave can still be read (a deleted card's
# events lose their link to it, but its deletion's event names it).
USED: dict[str, list[str]] = {
    "clients": [
        "SELECT max(client_id) FROM events",
        _logged("client_id", "client_deleted"),
    ],
    "deals": ["SELECT max(deal_id) FROM events", _logged("deal", "deal_deleted")],
    "tasks": ["SELECT max(task_id) FROM events", _logged("task", "task_cancelled")],
    "records": [
        "SELECT max(record_id) FROM events",
        _logged("record_id", "record_deleted"),
    ],
    "record_types": [_logged("type_id", "record_type_deleted", "record_deleted")],
    "field_defs": [_logged("field_id", "field_deleted")],
    "templates": [],
    "automation_rules": [],
    # a deal's moves name the stages it left and entered, a deleted stage's among them
    # (one no deal ever moved to or from leaves no trace); no event names a lost reason
    "stages": [_logged(("from", "to"), "stage_changed")],
    "lost_reasons": [],
    # links and deal lines: both their making and their removal name the link
    "links": [_logged("link_id", "link_added", "link_removed")],
}


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL's sequences never give an id twice
    listed = ", ".join(f"'{table}'" for table in USED)
    triggers = [
        (name, sql)
        for name, sql in bind.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ({listed}) ORDER BY name"
            )
        )
    ]
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    for table in USED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    for _name, sql in triggers:
        op.execute(sql)


def _highest(table: str) -> int:
    bind = op.get_bind()
    found = [bind.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar()]
    found += [bind.execute(sa.text(query)).scalar() for query in USED[table]]
    return max((int(value) for value in found if value is not None), default=0)


def upgrade() -> None:
    _rebuild(autoincrement=True)
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in USED:
        op.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t").bindparams(t=table))
        highest = _highest(table)
        if highest:
            op.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)").bindparams(
                    t=table, seq=highest
                )
            )


def downgrade() -> None:
    # Back to plain INTEGER PRIMARY KEY on SQLite: ids of deleted newest rows are given
    # again, as before this revision. (SQLite keeps sqlite_sequence; its rows are unused.)
    _rebuild(autoincrement=False)
