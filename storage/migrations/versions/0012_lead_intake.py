"""lead intake: form sources, leads (dedupe and the incoming queue), Telegram Business chats

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02 03:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("assign", sa.String(length=16), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("open_deal", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_lead_sources_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_sources")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lead_sources_token_hash")),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=80), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("new_client", sa.Boolean(), nullable=False),
        sa.Column("taken_by", sa.BigInteger(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("spam_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["lead_sources.id"],
            name=op.f("fk_leads_source_id_lead_sources"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_leads_client_id_clients"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_leads_deal_id_deals"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["taken_by"], ["users.id"], name=op.f("fk_leads_taken_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("source_id", "dedupe_key", name="uq_leads_source_dedupe"),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_queue", ["taken_by", "spam_at", "received_at"])
        batch_op.create_index("ix_leads_client", ["client_id"])
    op.create_table(
        "business_connections",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("user_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("rights", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_business_connections_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_connections")),
    )
    with op.batch_alter_table("business_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_connections_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "business_chats",
        sa.Column("connection_id", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("last_customer_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["business_connections.id"],
            name=op.f("fk_business_chats_connection_id_business_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_business_chats_client_id_clients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("connection_id", "chat_id", name=op.f("pk_business_chats")),
    )
    with op.batch_alter_table("business_chats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_business_chats_client_id"), ["client_id"], unique=False)
    op.create_table(
        "business_messages",
        sa.Column("connection_id", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["business_connections.id"],
            name=op.f("fk_business_messages_connection_id_business_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_business_messages_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connection_id", "chat_id", "message_id", name=op.f("pk_business_messages")
        ),
    )


def downgrade() -> None:
    op.drop_table("business_messages")
    op.drop_table("business_chats")
    op.drop_table("business_connections")
    op.drop_table("leads")
    op.drop_table("lead_sources")
