"""Tasks with their reminder bookkeeping."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import IDS_NEVER_REUSED, Base


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime]
    # When the reminder goes out, and when it was claimed into the outbox.
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    nudged_at: Mapped[datetime | None]
    # When the team's group chats heard that the task is overdue by more than a day.
    announced_overdue_at: Mapped[datetime | None]
    # The optional earlier reminder: how many minutes before ``due_at``, when, and
    # when it was claimed into the outbox.
    remind_before: Mapped[int] = mapped_column(default=0)
    early_at: Mapped[datetime | None]
    early_reminded_at: Mapped[datetime | None]
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    repeat: Mapped[str | None] = mapped_column(String(16))
    # The day of the month a monthly repeat keeps (the 31st, while this one fell on the
    # 28th of February); None: the due date's own day.
    repeat_day: Mapped[int | None] = mapped_column(SmallInteger)
    # The local time of day a repeat keeps when this occurrence could not (02:30 on the
    # night the clocks skip from 02:00 to 03:00); None: the due time's own.
    repeat_time: Mapped[time | None]
    assignee_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    # A card of the team's own record type the task is about (a rule on it made it).
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_tasks_due_reminders", "reminded_at", "remind_at"),
        Index("ix_tasks_nudges", "done_at", "nudged_at", "due_at"),
        Index("ix_tasks_early_reminders", "early_reminded_at", "early_at"),
        Index("ix_tasks_assignee_open", "assignee_id", "done_at", "due_at"),
        # A client card lists the client's open tasks by due time.
        Index("ix_tasks_client_open", "client_id", "done_at", "due_at"),
        Index("ix_tasks_record", "record_id"),
        IDS_NEVER_REUSED,
    )
