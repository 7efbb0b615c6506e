"""Automation: the owner's rules, each firing of one, and message/document templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import IDS_NEVER_REUSED, Base


class AutomationRule(Base):
    """When ``trigger`` happens (and ``conditions`` hold), do ``actions`` after ``delay``.

    ``trigger_params``, ``conditions``, ``actions`` and ``delay`` are JSON read
    by ``crm.automation.rules``. ``scanned_until`` is the watermark of the
    clock-found triggers (stale deals, overdue tasks); ``hour_started_at`` and
    ``hour_count`` count firings for the runaway guard; ``state`` keeps what a
    rule remembers between firings (the round-robin turn).
    """

    __tablename__ = "automation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    starter: Mapped[str | None] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(32))
    trigger_params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    conditions: Mapped[list[Any]] = mapped_column(default=list)
    actions: Mapped[list[Any]] = mapped_column(default=list)
    delay: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    paused_at: Mapped[datetime | None]
    paused_reason: Mapped[str | None] = mapped_column(String(32))
    scanned_until: Mapped[datetime | None]
    fired_count: Mapped[int] = mapped_column(default=0)
    last_fired_at: Mapped[datetime | None]
    hour_started_at: Mapped[datetime | None]
    hour_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        Index("ix_automation_rules_trigger", "trigger", "paused_at"),
        IDS_NEVER_REUSED,
    )


class AutomationFiring(Base):
    """One occurrence of a rule's trigger on one record, done once at ``due_at``.

    ``key`` (rule, record, occurrence) is unique, so the same occurrence is
    never queued twice; ``done_at`` is set in the transaction that acts, so an
    action is never done twice nor lost across a restart.
    """

    __tablename__ = "automation_firings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("automation_rules.id", ondelete="CASCADE"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    # A card of the team's own record type (then there is no client).
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    depth: Mapped[int] = mapped_column(default=0)
    # Rules already in the chain that led here: none of them fires again from it.
    chain: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[list[Any]] = mapped_column(default=list)

    __table_args__ = (
        Index("ix_automation_firings_due", "done_at", "due_at"),
        Index("ix_automation_firings_rule", "rule_id", "created_at"),
    )


class Template(Base):
    """A message template (``body``) or a ``.docx`` document (``document`` bytes).

    ``placeholders`` lists the ``{x.y}`` names found at upload, all known ones.
    """

    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))
    body: Mapped[str | None] = mapped_column(Text)
    document: Mapped[bytes | None] = mapped_column(LargeBinary)
    file_id: Mapped[str | None] = mapped_column(String(256))
    file_name: Mapped[str | None] = mapped_column(String(200))
    placeholders: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = IDS_NEVER_REUSED
