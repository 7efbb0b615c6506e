"""The outbox: every message the bot sends on its own, written with the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class OutboxMessage(Base):
    """A message waiting to be delivered.

    ``kind`` names how to render it and ``payload`` holds the ids and values
    the renderer needs, so the text is composed at send time in the reader's
    current language. ``dedupe_key`` is unique: deciding the same thing twice
    writes one row.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # The process holding the lease on this row (None when nobody does): a restarted
    # process takes back its own claims at once.
    claimed_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_outbox_pending", "sent_at", "failed_at", "next_attempt_at"),
        # A chat's rows of a kind, the newest last: whether a reader has had today's digest.
        Index("ix_outbox_chat_kind", "chat_id", "kind", "created_at"),
    )
