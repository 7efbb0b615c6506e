"""entities: custom fields, record types, records, field values, links

Also: events may belong to a record; a deal's amount may follow its product
lines; a client keeps its searchable custom values as part of its search line.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0015"
branch_labels = None
depends_on = None


def _card_fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "record_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("singular", sa.String(length=60), nullable=False),
        sa.Column("plural", sa.String(length=60), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("starter", sa.String(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_types")),
    )
    op.create_table(
        "field_defs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("record_type_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _card_fk("field_defs", "record_type_id", "record_types"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_defs")),
    )
    op.create_index(
        "ix_field_defs_kind", "field_defs", ["kind", "record_type_id", "position"], unique=False
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_folded", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("manager_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["type_id"], ["record_types.id"], name=op.f("fk_records_type_id_record_types")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_records_manager_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_records_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    op.create_index(
        "ix_records_type_activity",
        "records",
        ["type_id", "archived_at", "last_activity_at"],
        unique=False,
    )
    op.create_index("ix_records_type_title", "records", ["type_id", "title_folded"], unique=False)
    op.create_table(
        "field_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("int_value", sa.BigInteger(), nullable=True),
        sa.Column("num_value", sa.Float(), nullable=True),
        sa.Column("date_value", sa.Date(), nullable=True),
        sa.Column("text_value", sa.Text(), nullable=True),
        _card_fk("field_values", "field_id", "field_defs"),
        _card_fk("field_values", "client_id", "clients"),
        _card_fk("field_values", "deal_id", "deals"),
        _card_fk("field_values", "record_id", "records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_values")),
    )
    cards = ["client_id", "deal_id", "record_id"]  # covering: filters read only the index
    op.create_index("ix_field_values_int", "field_values", ["field_id", "int_value", *cards])
    op.create_index("ix_field_values_num", "field_values", ["field_id", "num_value", *cards])
    op.create_index("ix_field_values_date", "field_values", ["field_id", "date_value", *cards])
    op.create_index("ix_field_values_client", "field_values", ["client_id"])
    op.create_index("ix_field_values_deal", "field_values", ["deal_id"])
    op.create_index("ix_field_values_record", "field_values", ["record_id"])
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_client_id", sa.Integer(), nullable=True),
        sa.Column("a_deal_id", sa.Integer(), nullable=True),
        sa.Column("a_record_id", sa.Integer(), nullable=True),
        sa.Column("b_client_id", sa.Integer(), nullable=True),
        sa.Column("b_deal_id", sa.Integer(), nullable=True),
        sa.Column("b_record_id", sa.Integer(), nullable=True),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=True),
        sa.Column("price_minor", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _card_fk("links", "a_client_id", "clients"),
        _card_fk("links", "a_deal_id", "deals"),
        _card_fk("links", "a_record_id", "records"),
        _card_fk("links", "b_client_id", "clients"),
        _card_fk("links", "b_deal_id", "deals"),
        _card_fk("links", "b_record_id", "records"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_links_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    for side in ("a", "b"):
        for card in ("client", "deal", "record"):
            op.create_index(f"ix_links_{side}_{card}", "links", [f"{side}_{card}_id"])

    # Plain ADD COLUMN (no table rebuild on SQLite: the clients' search triggers stay).
    op.add_column(
        "clients", sa.Column("fields_search", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "deals",
        sa.Column("amount_from_lines", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # On SQLite this rebuilds events (a named reference needs it); no triggers live there.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_events_record_id_records", "records", ["record_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_events_record_timeline", "events", ["record_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_record_timeline", table_name="events")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_events_record_id_records", type_="foreignkey")
        batch_op.drop_column("record_id")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_column("amount_from_lines")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("fields_search")
    op.drop_table("links")
    op.drop_table("field_values")
    op.drop_table("records")
    op.drop_table("field_defs")
    op.drop_table("record_types")
