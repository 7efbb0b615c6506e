"""import items record: an index of the import items by what they name

An import's undo asks, of the "link_added"/"link_removed" lines written on its cards since
it ran, which belong to links another import made and its undo took back
(``crm.imports.link_events.undone_links``): import items of entity "link" by
``record_id``. Without an index each such question read every import item of every
import (one item per card, deal and link an import stored).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 19:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_import_items_record", "import_items", ["entity", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_import_items_record", table_name="import_items")
