"""Team group chats bound to the CRM, and what each wants to hear about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class GroupChat(Base):
    __tablename__ = "group_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(256), default="")
    subscriptions: Mapped[list[Any]] = mapped_column(default=list)
    bound_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    bound_at: Mapped[datetime]
