"""name digits index: the few client names that hold a digit

A search for one or two digits (a piece of a phone) ranks the names holding
them first; trigrams cannot find a term that short, so this partial index of
the names with a digit is what the search scans instead of every client.

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEX = "ix_clients_name_digits"


def upgrade() -> None:
    op.create_index(
        INDEX,
        "clients",
        ["name_folded"],
        unique=False,
        sqlite_where=sa.text("name_folded GLOB '*[0-9]*'"),
        postgresql_where=sa.text("name_folded ~ '[0-9]'"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="clients")
