"""Import batches (what each created and updated, so it can be undone) and the export log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ImportBatch(Base):
    """One sent file brought in: who, when, the file, the choices and the counts.

    ``last_event_id`` is the newest event when the import finished: an event on
    an imported card with a larger id means someone changed it since.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    beat_at: Mapped[datetime | None]  # a running import's last sign of life (crm.imports.stale)
    policy: Mapped[str] = mapped_column(String(16))
    mapping: Mapped[list[Any]] = mapped_column(default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_event_id: Mapped[int | None]
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))


class ImportItem(Base):
    """A card an import created or updated; ``before`` keeps what an update replaced."""

    __tablename__ = "import_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(16))  # client or deal
    record_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))  # created or updated
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_import_items_batch", "batch_id", "entity", "action"),
        Index("ix_import_items_record", "entity", "record_id"),  # link_events.undone_links
    )


class ExportLog(Base):
    """Every export: who took what out, how many rows, in which format."""

    __tablename__ = "export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(index=True)
    what: Mapped[str] = mapped_column(String(32))
    file_format: Mapped[str] = mapped_column(String(8))
    rows: Mapped[int]
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
