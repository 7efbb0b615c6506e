"""event ids never reused: on SQLite an undone event's id is not given to the next one

0026 rebuilt the tables whose ids are in buttons with AUTOINCREMENT but left the
event log out for its size. Yet buttons name events too: ↩️ Undo and 📖 Read whole
name one, and "📎 Files on this page" names the newest event a card showed. With a
plain INTEGER PRIMARY KEY, undoing the newest event gave its id to the next event
written, so the page's files took in a new file written after the undo.

On SQLite ``events`` is rebuilt with AUTOINCREMENT the way 0026 rebuilt the others
(its triggers, if any, read before and made again after; its indexes go with it) and
its counter starts at its highest id. Foreign keys are off while migrating
(``storage.migrate.upgrade``), so dropping the old table cascades nothing: the
business chat messages that point to an event keep pointing to it, by the same id.
On PostgreSQL nothing changes: its sequences never go back.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> bool:
    """On SQLite, ``events`` made again with or without AUTOINCREMENT; False elsewhere."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    triggers = list(
        bind.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'events' ORDER BY name"
            )
        )
    )
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table(
        "events", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    for _name, sql in triggers:
        op.execute(sql)
    return True


def upgrade() -> None:
    if not _rebuild(autoincrement=True):
        return
    # The highest id there is, or one given before a downgrade where that is higher.
    found = op.get_bind().execute(
        sa.text(
            "SELECT (SELECT max(id) FROM events),"
            " (SELECT max(seq) FROM sqlite_sequence WHERE name = 'events')"
        )
    )
    highest = max((int(value) for value in found.one() if value is not None), default=0)
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'events'")
    if highest:
        op.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', :seq)").bindparams(
                seq=highest
            )
        )


def downgrade() -> None:
    # Back to plain INTEGER PRIMARY KEY on SQLite: an undone newest event's id is given
    # again, as before this revision.
    _rebuild(autoincrement=False)
