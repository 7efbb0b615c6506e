"""deal title folded: deals keep their title as a search key, as clients keep their name

An import's link column names deals by title; with the folded title kept (and
indexed) a chunk of rows looks up only the deals it names instead of reading
every deal. The deals already there are folded here, in batches.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

INDEX = "ix_deals_title_folded"
BATCH = 1000


def _fold(text: str) -> str:
    """crm.parsing.search_text.fold as of this revision (a migration imports nothing of ours)."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(folded.split())


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title_folded", sa.String(length=200), nullable=False, server_default="")
        )
    bind = op.get_bind()
    deals = sa.table("deals", sa.column("id", sa.Integer), sa.column("title", sa.String))
    update = sa.text("UPDATE deals SET title_folded = :folded WHERE id = :deal_id")
    last = 0
    while True:
        rows = bind.execute(
            sa.select(deals.c.id, deals.c.title)
            .where(deals.c.id > last)
            .order_by(deals.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(update, [{"deal_id": i, "folded": _fold(t or "")[:200]} for i, t in rows])
        last = rows[-1][0]
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.alter_column("title_folded", server_default=None)
        batch_op.create_index(INDEX, ["title_folded"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column("title_folded")
