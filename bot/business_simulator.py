"""A member's Telegram Business account acted out through the real Dispatcher.

Telegram reports a connected Business account to the bot as updates of its
own kinds: ``business_connection`` when the member connects the bot (or
changes its rights, or disconnects it), ``business_message`` for every message
of a chat the bot was given (the customer's and the member's own),
``edited_business_message`` and ``deleted_business_messages``. Each action
here builds the update Telegram would send and feeds it to the Dispatcher.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import (
    BusinessBotRights,
    BusinessConnection,
    BusinessMessagesDeleted,
    Chat,
    Message,
    Update,
    User,
)

from bot.offline import OfflineSession, SentMessage

_update_ids = itertools.count(5_000_000)


def customer(
    user_id: int, first_name: str, last_name: str | None = None, username: str | None = None
) -> User:
    return User(
        id=user_id, is_bot=False, first_name=first_name, last_name=last_name, username=username
    )


class SimulatedBusiness:
    """``account`` is the member's Telegram user; ``connection_id`` the connection's id."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, account: User, connection_id: str = "biz-1"
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.account = account
        self.connection_id = connection_id

    @property
    def session(self) -> OfflineSession:
        assert isinstance(self.bot.session, OfflineSession)
        return self.bot.session

    async def connect(self, *, enabled: bool = True, can_reply: bool = True) -> list[SentMessage]:
        """The member connects the bot (or changes its rights, or with ``enabled=False``
        disconnects it) in Settings → Telegram Business → Chatbots."""
        connection = BusinessConnection(
            id=self.connection_id,
            user=self.account,
            user_chat_id=self.account.id,
            date=datetime.now(UTC),
            is_enabled=enabled,
            rights=BusinessBotRights(can_reply=can_reply or None, can_read_messages=True),
        )
        return await self.feed(Update(update_id=next(_update_ids), business_connection=connection))

    async def writes(
        self, person: User, text: str | None = None, *, mine: bool = False, **fields: Any
    ) -> int:
        """A message in the chat with ``person``: from them, or (``mine``) from the member.
        Returns its message id."""
        message = self.message(person, self.session.next_message_id(), mine, text=text, **fields)
        await self.feed(Update(update_id=next(_update_ids), business_message=message))
        return message.message_id

    async def edits(self, person: User, message_id: int, text: str, *, mine: bool = False) -> None:
        message = self.message(
            person, message_id, mine, text=text, edit_date=int(datetime.now(UTC).timestamp())
        )
        await self.feed(Update(update_id=next(_update_ids), edited_business_message=message))

    async def deletes(self, person: User, *message_ids: int) -> None:
        deleted = BusinessMessagesDeleted(
            business_connection_id=self.connection_id,
            chat=self.chat(person),
            message_ids=list(message_ids),
        )
        await self.feed(Update(update_id=next(_update_ids), deleted_business_messages=deleted))

    async def feed(self, update: Update) -> list[SentMessage]:
        before = len(self.session.requests)
        await self.dispatcher.feed_update(self.bot, update)
        return [sent for sent in self.session.outcomes[before:] if sent is not None]

    def chat(self, person: User) -> Chat:
        return Chat(
            id=person.id,
            type="private",
            first_name=person.first_name,
            last_name=person.last_name,
            username=person.username,
        )

    def message(self, person: User, message_id: int, mine: bool, **fields: Any) -> Message:
        return Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=self.chat(person),
            from_user=self.account if mine else person,
            business_connection_id=self.connection_id,
            **fields,
        )
