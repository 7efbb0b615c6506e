"""Clients: the cards of the card index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import IDS_NEVER_REUSED, Base

NAME_DIGITS_INDEX = "ix_clients_name_digits"
NAME_DIGITS_SQLITE = "name_folded GLOB '*[0-9]*'"
NAME_DIGITS_POSTGRES = "name_folded ~ '[0-9]'"


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Search keys, kept by crm on every change: the name folded (case, ё) for
    # prefix matches, and one folded line of every searchable field. Text: folding can
    # lengthen a name (ß → ss, up to three times), and the key holds it whole.
    name_folded: Mapped[str] = mapped_column(Text, index=True, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The folded searchable custom field values, a part of ``search_text``.
    fields_search: Mapped[str] = mapped_column(Text, default="")
    company: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(32), default="new")
    source: Mapped[str | None] = mapped_column(String(100))
    manager_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_clients_activity", "archived_at", "last_activity_at"),
        # Reports and the daily digest read the clients created in a period.
        Index("ix_clients_created", "created_at"),
        # The few names holding a digit: a search for one or two digits (too short
        # for trigrams) checks the names through this instead of every client.
        Index(
            NAME_DIGITS_INDEX,
            "name_folded",
            sqlite_where=text(NAME_DIGITS_SQLITE),
            postgresql_where=text(NAME_DIGITS_POSTGRES),
        ),
        IDS_NEVER_REUSED,
    )


class ClientPhone(Base):
    """A phone in E.164, with its digits alone for search in any format."""

    __tablename__ = "client_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    e164: Mapped[str] = mapped_column(String(20), index=True)
    digits: Mapped[str] = mapped_column(String(20))


class ClientEmail(Base):
    __tablename__ = "client_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)


class ClientTag(Base):
    __tablename__ = "client_tags"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class Event(Base):
    """One line of a timeline: the only history Kartoteka keeps.

    Every change writes one row in the same transaction as the change. ``kind``
    says what happened, ``data`` holds its details (old and new values, stage
    ids, amounts), ``text`` a comment or call note when there is one.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_events_client_timeline", "client_id", "id"),
        Index("ix_events_deal_timeline", "deal_id", "id"),
        Index("ix_events_record_timeline", "record_id", "id"),
        # An undone event's id is not given to the next one: buttons name events
        # (↩️ Undo, 📖 Read whole, the newest a card showed for its page's files).
        IDS_NEVER_REUSED,
    )
