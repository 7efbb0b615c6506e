"""Pipelines, their stages, deals and lost reasons."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import IDS_NEVER_REUSED, Base


class Pipeline(Base):
    """A sales process. ``name`` None: the built-in one, named in the reader's language."""

    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)


class Stage(Base):
    """A pipeline stage; ``kind`` is open, won or lost.

    Built-in stages have a ``code`` and no ``name`` until the owner renames
    them, so each reader sees them in their own language.
    """

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8), default="open")
    stale_days: Mapped[int | None]

    __table_args__ = (
        Index("ix_stages_pipeline_position", "pipeline_id", "position"),
        IDS_NEVER_REUSED,
    )


class Deal(Base):
    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # The title as a search key (crm.parsing.search_text.fold), written wherever a title is:
    # an import's link column names deals by it. Text: folding can lengthen it (ß → ss).
    title_folded: Mapped[str] = mapped_column(Text, default="")
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The amount is the total of the deal's product lines (links with quantity and price).
    amount_from_lines: Mapped[bool] = mapped_column(default=False)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    manager_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    lost_reason: Mapped[str | None] = mapped_column(String(200))
    expected_close: Mapped[date | None]
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    stage_changed_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_deals_stage_open", "stage_id", "closed_at"),
        Index("ix_deals_closed", "closed_at"),
        Index("ix_deals_manager", "manager_id"),
        # Reports read the deals created in a period.
        Index("ix_deals_created", "created_at"),
        Index("ix_deals_title_folded", "title_folded"),
        IDS_NEVER_REUSED,
    )


class LostReason(Base):
    """A reason to pick when a deal is lost; built-in ones have a ``code`` and no text."""

    __tablename__ = "lost_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = IDS_NEVER_REUSED
