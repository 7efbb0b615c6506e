"""What becomes of an outbox row that did not go out: looked at again later (a failed
try counted, or not), or given up; and the request that sends one that does.

Network errors and 5xx are retried with growing back-off (at most ten minutes apart)
and given up after ``MAX_ATTEMPTS`` once ``MAX_OUTAGE`` has passed since the row was
queued; an error nobody foresaw (a renderer's bug, a refusal of a kind not handled) is
retried the same way and given up after ``MAX_ATTEMPTS``, its error kept on the row, unless
it fails the whole bot (``BOT_WIDE``: the token refused, the database failing), which is
retried as an outage is.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.methods import SendDocument, SendMessage
from sqlalchemy.exc import SQLAlchemyError

from crm.service import CrmFactory
from reminders.render_types import Rendered
from reminders.too_long import CAPTION_LIMIT, TEXT_LIMIT, within_limit
from storage.models import OutboxMessage

# Failures of every message at once, not of this one: retried as an outage is.
BOT_WIDE: tuple[type[Exception], ...] = (TelegramUnauthorizedError, SQLAlchemyError)
MAX_ATTEMPTS = 8
MAX_OUTAGE = timedelta(hours=24)
"""How long network errors and 5xx are retried, however many tries that takes."""


# Telegram's 400s for a group that took the bot's right to write there (or is gone): the
# group cannot be written to, as one that removed the bot (a 403).
GROUP_CLOSED = ("not enough rights", "have no rights", "chat_write_forbidden", "chat not found")


def group_closed(row: OutboxMessage, error: Exception) -> bool:
    """Whether ``error`` says the row's group chat may not be written to any more."""
    return row.chat_id < 0 and any(words in str(error).lower() for words in GROUP_CLOSED)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts, 0) * 5, 600))


def method_for(row: OutboxMessage, message: Rendered) -> SendMessage | SendDocument:
    """The request sending ``message`` to the row's chat, its text cut to Telegram's limit."""
    if message.document is not None:
        return SendDocument(
            chat_id=row.chat_id,
            document=message.document,
            **within_limit(message.text.as_caption_kwargs(), "caption", CAPTION_LIMIT),
            reply_markup=message.reply_markup,
        )
    return SendMessage(
        chat_id=row.chat_id,
        **within_limit(message.text.as_kwargs(), "text", TEXT_LIMIT),
        reply_markup=message.reply_markup,
    )


class Settle:
    def __init__(self, factory: CrmFactory, concurrency: asyncio.Semaphore) -> None:
        self._factory = factory
        self._concurrency = concurrency  # database work at once, shared with the sender

    async def later(
        self, row: OutboxMessage, delay: timedelta, reason: str, count: bool = True
    ) -> None:
        async with self._concurrency, self._factory.open(background=True) as crm:
            await crm.outbox.retry_later(row.id, delay, reason, count=count)

    async def give_up(self, row: OutboxMessage, reason: str, chat_id: int | None = None) -> None:
        async with self._concurrency, self._factory.open(background=True) as crm:
            await crm.outbox.give_up(row.id, reason, chat_id)

    async def unreachable(self, row: OutboxMessage, reason: str) -> None:
        """The chat blocked the bot: its pending rows are dropped, this one with them."""
        async with self._concurrency, self._factory.open(background=True) as crm:
            await crm.outbox.mark_unreachable(row.chat_id)
            await crm.outbox.give_up(row.id, reason)

    async def unsent(self, row: OutboxMessage, reason: str) -> None:
        """Telegram could not be reached, or failed: tried again, given up after a long outage."""
        queued_for = self._factory.clock.now() - row.created_at
        if row.attempts + 1 >= MAX_ATTEMPTS and queued_for >= MAX_OUTAGE:
            await self.give_up(row, reason)
        else:
            await self.later(row, backoff(row.attempts), reason)

    async def broken(self, row: OutboxMessage, error: Exception) -> None:
        """Something nobody foresaw went wrong: tried again a few times, then given up;
        but a failure of the whole bot (its token refused, the database failing) as an
        outage is, lest every due message be given up in ten minutes."""
        reason = f"{type(error).__name__}: {error}"
        if isinstance(error, BOT_WIDE):
            await self.unsent(row, reason)
        elif row.attempts + 1 >= MAX_ATTEMPTS:
            await self.give_up(row, reason)
        else:
            await self.later(row, backoff(row.attempts), reason)
