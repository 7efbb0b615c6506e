"""folded names whole: a name's search key holds the name however long folding makes it

Folding can lengthen a name ("ß" → "ss", "ﬁ" → "fi", "ΐ" → three characters), so a
client's, deal's or record's name of 200 characters can fold to up to 600, and
PostgreSQL refused such a card with its 200-character key. The keys become text
(on PostgreSQL a change of the catalog only: no row or index is rewritten). The
deals 0021 folded were cut at 200; those are folded again, whole.

On SQLite (where the length was never enforced) Alembic rebuilds the three tables;
the triggers that keep the clients' search index in step go with the old table, so
they are read before and made again, as they were, after.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KEYS = {"clients": "name_folded", "deals": "title_folded", "records": "title_folded"}
OLD = 200
BATCH = 1000


def _fold(text: str) -> str:
    """crm.parsing.search_text.fold as of this revision (a migration imports nothing of ours)."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(folded.split())


def _retype(old: sa.types.TypeEngine[str], new: sa.types.TypeEngine[str]) -> None:
    bind = op.get_bind()
    triggers: list[tuple[str, str]] = []
    if bind.dialect.name == "sqlite":
        triggers = [
            (name, sql)
            for name, sql in bind.execute(
                sa.text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('clients', 'deals', 'records') ORDER BY name"
                )
            )
        ]
        for name, _sql in triggers:
            op.execute(f'DROP TRIGGER "{name}"')
    for table, column in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=old, type_=new, existing_nullable=False)
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    _retype(sa.String(length=OLD), sa.Text())
    bind = op.get_bind()
    deals = sa.table(
        "deals",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("title_folded", sa.String),
    )
    update = sa.text("UPDATE deals SET title_folded = :folded WHERE id = :deal_id")
    last = 0
    while True:  # only a title folded to the old limit can have been cut
        rows = bind.execute(
            sa.select(deals.c.id, deals.c.title)
            .where(deals.c.id > last, sa.func.length(deals.c.title_folded) == OLD)
            .order_by(deals.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(update, [{"deal_id": i, "folded": _fold(t or "")} for i, t in rows])
        last = rows[-1][0]


def downgrade() -> None:
    for table, column in KEYS.items():  # cut back to what the old column holds
        op.execute(
            f"UPDATE {table} SET {column} = substr({column}, 1, {OLD}) "
            f"WHERE length({column}) > {OLD}"
        )
    _retype(sa.Text(), sa.String(length=OLD))
