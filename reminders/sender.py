"""The one sender that drains the outbox, keeping to Telegram's limits.

Rows are claimed under a lease, so two processes never send the same row.
Per row: sent → marked sent; 429 → everything pauses for ``retry_after`` and
the row waits as long; 403 → the reader blocked the bot: they are marked
unreachable and their pending rows are dropped (a group too, and a group that took
the bot's right to write there, a 400: unbound, its binder told); a group made a supergroup → its
binding and pending rows move to the new id; network errors and 5xx → retried
with growing back-off, given up only after a long outage, so that reminders due
while the server cannot reach Telegram go out when it can; any other refusal →
given up; an error nobody foresaw → retried a few times, then given up
(``reminders.settle``).

A drain keeps going until nothing is due, claiming the next batch while the
current one still waits for its slots, so it never idles between batches.
Each row books its slot with the rate limits as soon as it is claimed (in
claim order), is rendered shortly before the slot, from the data as it is
then, and goes out on time; the limits check once more right before it does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendDocument, SendMessage
from aiogram.utils.i18n import I18n

from crm.outbox import Outbox, batches, folded
from crm.service import CrmFactory
from reminders.limits import PACED, RateLimits
from reminders.render import UnknownKind, render
from reminders.render_types import Rendered
from reminders.settle import Settle, group_closed, method_for
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# A slot further away than this is not waited for: the row is looked at again later.
MAX_WAIT_SECONDS = 2.0
# A message is rendered this long before its slot, from the data as it is then.
RENDER_AHEAD_SECONDS = 0.5
# How often a message early for the limits may wait again before it is put off. Several
# held up together (the event loop was busy) wake together and go one at a time, so the
# last of them waits several times; on a test's frozen clock this ends the waiting.
ADMIT_TRIES = 100


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        crm_factory: CrmFactory,
        i18n: I18n,
        limits: RateLimits | None = None,
        batch_size: int = 200,
        concurrency: int = 16,
        holder: str | None = None,
        on_sent: Callable[[OutboxMessage], None] | None = None,
    ) -> None:
        self._bot = bot
        # Named on the rows this sender claims, so that after a restart it takes them back.
        self.holder = holder
        self._on_sent = on_sent
        self._factory = crm_factory
        self._i18n = i18n
        self._limits = limits or RateLimits()
        self._batch_size = batch_size
        # Claim the next batch while this many rows of the current one are still on their way.
        self._refill_at = max(1, batch_size // 4)
        # Database work at once (rendering, settling); waiting for a slot takes none.
        self._concurrency = asyncio.Semaphore(concurrency)
        self._settle = Settle(crm_factory, self._concurrency)
        self._draining = asyncio.Lock()
        # Chats that answered 403, and when (loop time): rows already on their way to
        # them when it came are dropped; the database has failed them meanwhile.
        self._blocked: dict[int, float] = {}
        self._stopping = False  # the bot is stopping (``stop``)
        self._woken: asyncio.Future[None] | None = None  # done once told to stop
        # Per chat, the delivery claimed last: done once it is sent or put off.
        self._turns: dict[int, asyncio.Future[None]] = {}

    def stop(self) -> None:
        """Send no more: the drain claims nothing new and gives back, due now for whoever
        sends next (not held for their lease), the rows it has not rendered yet."""
        self._stopping = True
        if self._woken is not None and not self._woken.done():
            self._woken.set_result(None)

    @property
    def busy(self) -> bool:
        """A drain is running (and will pick up whatever falls due meanwhile)."""
        return self._draining.locked()

    async def drain_once(self) -> int:
        """Send what is due now, and what falls due while sending; returns how many went out.

        Rows are claimed a batch at a time, and the next batch is claimed while
        the last rows of the current one still wait for their slots, so the
        sender never stands idle between batches. It returns once a claim finds
        nothing.
        """
        async with self._draining:
            sent = 0
            running: set[asyncio.Task[bool]] = set()
            more = True  # the last claim was full: more may be due
            try:
                while True:
                    if self._stopping:
                        if not running:
                            return sent
                    elif not running or (more and len(running) <= self._refill_at):
                        async with self._factory.open(background=True) as crm:
                            rows = await crm.outbox.claim_due(self._batch_size, self.holder)
                        more = len(rows) >= self._batch_size
                        for batch in batches(rows):  # started in order, so booked in order
                            running.add(asyncio.create_task(self._deliver(batch)))
                        if not running:
                            return sent
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    sent += sum(task.result() for task in done)
            finally:
                for task in running:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)

    async def _deliver(self, rows: list[OutboxMessage]) -> bool:
        """Send one message for ``rows``: one row, or a group's burst folded into one.

        A chat's messages go in the order they were claimed, however long each takes to
        render: each waits for the one before it to that chat to be sent or put off."""
        row, chat_id = rows[0], rows[0].chat_id
        before = self._turns.get(chat_id)
        mine = self._turns[chat_id] = asyncio.get_running_loop().create_future()
        try:
            return await self._deliver_row(row, rows[1:], before)
        except Exception as error:
            log.exception("outbox row %s failed unexpectedly", row.id)
            # Unrecorded (the database away too), the row keeps its lease and is looked
            # at again when it runs out.
            with suppress(Exception):
                await self._settle.broken(row, error)
            return False
        finally:
            mine.set_result(None)
            if self._turns.get(chat_id) is mine:
                del self._turns[chat_id]

    async def _deliver_row(
        self, row: OutboxMessage, others: list[OutboxMessage], before: asyncio.Future[None] | None
    ) -> bool:
        # Book a slot first (before any await but a group's fold, so rows book in the
        # order they were claimed), render shortly before it, and send on time.
        if others:
            async with self._concurrency, self._factory.open(background=True) as crm:
                # The burst goes out as one message: the others are settled with it.
                await crm.outbox.fold_into(row.id, [other.id for other in others])
            row.payload = folded(row, *others)
        loop = asyncio.get_running_loop()
        started = loop.time()
        # Put off only what its own chat holds back: behind a long queue, a chat that is
        # free in a few seconds costs nothing.
        delay = self._limits.chat_ready_in(row.chat_id)
        if delay > MAX_WAIT_SECONDS + self._limits.backlog():
            await self._later(
                row, timedelta(seconds=delay), "waiting for the chat's rate limit", count=False
            )
            return False
        wait = self._limits.reserve(row.chat_id)
        slot, booked = loop.time() + wait, self._limits.now() + wait
        if not await self._until(slot - RENDER_AHEAD_SECONDS):  # stopping: given back
            await self._later(row, timedelta(0), "the bot stopped before sending it", count=False)
            return False
        message = await self._render(row)
        if message is None:
            return False
        # Built now, so that between the last check of the limits and the request
        # there is as little as possible.
        method = method_for(row, message)
        await _sleep_until(loop, slot)  # rendered (a backup made): it goes, stopping or not
        if before is not None:
            # The chat's message before it: sent or put off (``_deliver``). Shielded: this
            # one cancelled (the bot stopping) leaves it for the one after.
            await asyncio.shield(before)
        if self._blocked.get(row.chat_id, -1.0) >= started:
            return False  # the chat blocked the bot meanwhile: its rows are failed already
        # Booked and rendered, the row waits its turn however often it must (it loses
        # nothing by waiting and its place in the queue by being put off), unless one
        # wait is long: a 429's pause.
        wait, tries = self._limits.admit(row.chat_id, booked), 0
        while wait > 0:
            tries += 1
            if wait > MAX_WAIT_SECONDS or tries > ADMIT_TRIES:
                await self._later(
                    row, timedelta(seconds=wait), "waiting for the rate limits", count=False
                )
                return False
            await asyncio.sleep(wait)
            wait = self._limits.admit(row.chat_id, booked)
        return await self._send(row, method)

    async def _render(self, row: OutboxMessage) -> Rendered | None:
        """The message, from the current data; None (and the row given up) when it is moot."""
        try:
            async with self._concurrency, self._factory.open(background=True) as crm:
                language = await crm.outbox.recipient_language(
                    row.chat_id, self._i18n.default_locale
                )
                with self._i18n.context(), self._i18n.use_locale(language):
                    message = await render(crm, row.kind, row.payload, row.chat_id)
        except UnknownKind as error:
            log.warning("outbox row %s cannot be sent: %s", row.id, error)
            await self._give_up(row, str(error))
            return None
        if message is None:
            await self._give_up(row, "nothing to send any more", row.chat_id)
        return message

    async def _send(self, row: OutboxMessage, method: SendMessage | SendDocument) -> bool:
        paced = PACED.set(True)
        try:
            await self._bot(method)
        except TelegramRetryAfter as error:
            self._limits.pause(error.retry_after)
            await self._later(row, timedelta(seconds=error.retry_after), str(error), count=False)
            return False
        except TelegramMigrateToChat as error:  # a group became a supergroup: it goes there
            async with self._concurrency, self._factory.open(background=True) as crm:
                await crm.groups.migrated(row.chat_id, error.migrate_to_chat_id)
            await self._later(row, timedelta(0), str(error), count=False)
            return False
        except TelegramForbiddenError as error:
            log.info("chat %s blocked the bot; its messages are dropped", row.chat_id)
            self._note_blocked(row.chat_id)
            await self._settle.unreachable(row, str(error))
            return False
        except (TelegramNetworkError, TelegramServerError) as error:
            await self._settle.unsent(row, str(error))
            return False
        except TelegramBadRequest as error:
            log.warning("outbox row %s cannot be sent: %s", row.id, error)
            if group_closed(row, error):  # muted there: unbound, its binder told, as kicked
                self._note_blocked(row.chat_id)
                await self._settle.unreachable(row, str(error))
                return False
            await self._give_up(row, str(error))
            return False
        finally:
            PACED.reset(paced)
        async with self._concurrency, self._factory.open(background=True) as crm:
            await crm.outbox.mark_sent(row.id)
        if self._on_sent is not None:
            self._on_sent(row)
        return True

    async def _until(self, moment: float) -> bool:
        """Wait until ``moment`` (the loop's time); False, at once, when told to stop."""
        loop = asyncio.get_running_loop()
        delay = moment - loop.time()
        if delay > 0 and not self._stopping:
            if self._woken is None or self._woken.get_loop() is not loop:
                self._woken = loop.create_future()
            await asyncio.wait([self._woken], timeout=delay)
        return not self._stopping

    def _note_blocked(self, chat_id: int) -> None:
        now = asyncio.get_running_loop().time()
        if len(self._blocked) > 1000:  # nothing in flight is older than its lease
            lease = 2 * Outbox.LEASE.total_seconds()
            self._blocked = {chat: at for chat, at in self._blocked.items() if at > now - lease}
        self._blocked[chat_id] = now

    async def _later(
        self, row: OutboxMessage, delay: timedelta, reason: str, count: bool = True
    ) -> None:
        await self._settle.later(row, delay, reason, count)

    async def _give_up(self, row: OutboxMessage, reason: str, chat_id: int | None = None) -> None:
        await self._settle.give_up(row, reason, chat_id)


async def _sleep_until(loop: asyncio.AbstractEventLoop, moment: float) -> None:
    delay = moment - loop.time()
    if delay > 0:
        await asyncio.sleep(delay)
