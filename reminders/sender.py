"""The one sender that drains the outbox, keeping to Telegram's limits.

Rows are claimed under a lease, so two processes never send the same row.
Per row: sent → marked sent; 429 → everything pauses for ``retry_after`` and
the row waits as long; 403 → the reader blocked the bot: they are marked
unreachable and their pending rows are dropped; network errors and 5xx → retried
with growing back-off, up to ``MAX_ATTEMPTS``; any other refusal → given up.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.utils.i18n import I18n

from crm.service import CrmFactory
from reminders.limits import RateLimits
from reminders.render import UnknownKind, render
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A slot further away than this is not waited for: the row is looked at again later.
MAX_WAIT_SECONDS = 2.0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts, 0) * 5, 600))


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        crm_factory: CrmFactory,
        i18n: I18n,
        limits: RateLimits | None = None,
        batch_size: int = 200,
        concurrency: int = 16,
    ) -> None:
        self._bot = bot
        self._factory = crm_factory
        self._i18n = i18n
        self._limits = limits or RateLimits()
        self._batch_size = batch_size
        self._concurrency = asyncio.Semaphore(concurrency)
        self._draining = asyncio.Lock()

    async def drain_once(self) -> int:
        """Send what is due now; returns how many messages went out."""
        async with self._draining:
            async with self._factory.open() as crm:
                rows = await crm.outbox.claim_due(self._batch_size)
            if not rows:
                return 0
            results = await asyncio.gather(*(self._deliver(row) for row in rows))
            return sum(results)

    async def _deliver(self, row: OutboxMessage) -> bool:
        async with self._concurrency:
            delay = self._limits.chat_ready_in(row.chat_id)
            if delay > MAX_WAIT_SECONDS:
                await self._later(
                    row, timedelta(seconds=delay), "waiting for the chat's rate limit", count=False
                )
                return False
            wait = self._limits.reserve(row.chat_id)
            if wait > 0:
                await asyncio.sleep(wait)
            return await self._send(row)

    async def _send(self, row: OutboxMessage) -> bool:
        try:
            async with self._factory.open() as crm:
                language = await crm.outbox.recipient_language(
                    row.chat_id, self._i18n.default_locale
                )
            with self._i18n.context(), self._i18n.use_locale(language):
                message = render(row.kind, row.payload)
            await self._bot.send_message(
                row.chat_id, **message.text.as_kwargs(), reply_markup=message.reply_markup
            )
        except TelegramRetryAfter as error:
            self._limits.pause(error.retry_after)
            await self._later(row, timedelta(seconds=error.retry_after), str(error), count=False)
            return False
        except TelegramForbiddenError as error:
            log.info("chat %s blocked the bot; its messages are dropped", row.chat_id)
            async with self._factory.open() as crm:
                await crm.outbox.mark_unreachable(row.chat_id)
                await crm.outbox.give_up(row.id, str(error))
            return False
        except (TelegramNetworkError, TelegramServerError) as error:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                await self._give_up(row, str(error))
            else:
                await self._later(row, backoff(row.attempts), str(error))
            return False
        except (TelegramBadRequest, UnknownKind) as error:
            log.warning("outbox row %s cannot be sent: %s", row.id, error)
            await self._give_up(row, str(error))
            return False
        async with self._factory.open() as crm:
            await crm.outbox.mark_sent(row.id)
        return True

    async def _later(
        self, row: OutboxMessage, delay: timedelta, reason: str, count: bool = True
    ) -> None:
        async with self._factory.open() as crm:
            await crm.outbox.retry_later(row.id, delay, reason, count=count)

    async def _give_up(self, row: OutboxMessage, reason: str) -> None:
        async with self._factory.open() as crm:
            await crm.outbox.give_up(row.id, reason)
