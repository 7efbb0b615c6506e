"""Leads that come in by themselves: website form sources, the leads, Telegram Business chats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class LeadSource(Base):
    """A website form posting to ``/leads/<token>``. Only the token's hash is kept.

    ``assign`` is ``member`` (everything to ``member_ids[0]``), ``round_robin``
    (in turn among ``member_ids``; ``turn`` counts the leads given so far) or
    ``queue`` (nobody: the incoming queue).
    """

    __tablename__ = "lead_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    assign: Mapped[str] = mapped_column(String(16), default="queue")
    member_ids: Mapped[list[Any]] = mapped_column(default=list)
    turn: Mapped[int] = mapped_column(default=0)
    open_deal: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    token_replaced_at: Mapped[datetime | None]


class Lead(Base):
    """One lead from any channel: a form submission or a first message in Telegram.

    ``dedupe_key`` is ``t:<tranid>`` or ``b:<body hash>`` for a form, unique per
    source, so a retried submission is one lead. ``taken_by`` is the member
    responsible (None: in the incoming queue); ``spam_at`` takes it out.
    """

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("lead_sources.id", ondelete="SET NULL")
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[datetime]
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    # The lead made its card (rather than finding a known client): spam archives only these.
    new_client: Mapped[bool] = mapped_column(default=False)
    taken_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    taken_at: Mapped[datetime | None]
    spam_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("source_id", "dedupe_key", name="uq_leads_source_dedupe"),
        Index("ix_leads_queue", "taken_by", "spam_at", "received_at"),
        Index("ix_leads_client", "client_id"),
        Index("ix_leads_deal", "deal_id", "spam_at"),  # crm.lost_reasons.not_spam
    )


class BusinessConnection(Base):
    """A member's Telegram Business account connected to the bot (Bot API business_connection)."""

    __tablename__ = "business_connections"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    user_chat_id: Mapped[int] = mapped_column(BigInteger)
    rights: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The member's choice: a new contact in this account's chats also gets a deal.
    open_deal: Mapped[bool] = mapped_column(default=False, server_default=false())
    connected_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BusinessChat(Base):
    """A customer's private chat seen through a connection, and the card it feeds."""

    __tablename__ = "business_chats"

    connection_id: Mapped[str] = mapped_column(
        ForeignKey("business_connections.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    excluded: Mapped[bool] = mapped_column(default=False)
    username: Mapped[str | None] = mapped_column(String(64))  # the customer's, without @
    last_customer_message_at: Mapped[datetime | None]


class BusinessMessage(Base):
    """Which timeline event holds a chat message, so edits and deletions land on it."""

    __tablename__ = "business_messages"

    connection_id: Mapped[str] = mapped_column(
        ForeignKey("business_connections.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
