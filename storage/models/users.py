"""Team members, invitations and bot-wide settings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"


class User(Base):
    """A team member. The primary key is the member's Telegram user id."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    full_name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default=Role.MANAGER)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    invited_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    # The card this member opened last, and when: plain text sent soon after
    # becomes a comment on it (a file sent, a file on it). ``open_client_at`` is when,
    # whichever kind of card it is.
    open_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL", use_alter=True)
    )
    open_client_at: Mapped[datetime | None]
    # When the open card is a deal's: the deal (its client is ``open_client_id``).
    open_deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL", use_alter=True)
    )
    # When the open card is a record's: the record (no client then).
    open_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("records.id", ondelete="SET NULL", use_alter=True)
    )
    # A manager's own morning list (today's tasks, overdue, stale deals); on by default.
    morning_list: Mapped[bool] = mapped_column(default=True)
    # Set when Telegram answers 403 (the member blocked the bot); cleared when they write again.
    unreachable_at: Mapped[datetime | None]


class Invite(Base):
    """A single-use invitation. Only a hash of the token is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    used_at: Mapped[datetime | None]


class AppSetting(Base):
    """Bot-wide settings the owner changes at run time (and the one-time setup code)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]]
