"""APScheduler only ticks: what is due lives in the database, never in its job store."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from crm.backups import NightsDone
from crm.digest_days import DigestsDone
from crm.service import CrmFactory
from reminders.sender import OutboxSender

log = logging.getLogger(__name__)


class Ticker:
    """One tick: write the open cards kept since the last one (``crm/open_cards.py``),
    claim what fell due (reminders, nudges, digests, the nightly backup) into the
    outbox, then send what the outbox holds.

    A tick with nothing due only reads (a handful of indexed queries) and opens
    no write transaction: each claim looks before it writes, and the digests
    already queued today are remembered here, not offered again every second.
    """

    def __init__(
        self, crm_factory: CrmFactory, sender: OutboxSender, claim_limit: int = 1000
    ) -> None:
        self._factory = crm_factory
        self._sender = sender
        self._claim_limit = claim_limit
        self._digests_done = DigestsDone()  # which days' digests this process has queued
        self._backups_done = NightsDone()  # the night decided, the minute its owner was read
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def tick(self) -> int:
        """Claim, then send; returns how many messages went out."""
        self._running += 1
        self._idle.clear()
        try:
            return await self._tick()
        finally:
            self._running -= 1
            if not self._running:
                self._idle.set()

    async def idle(self) -> None:
        """Return once no tick is under way.

        APScheduler's shutdown cancels a running tick, and a message sent but not
        yet marked would go again after the restart. So: pause the scheduler,
        await this, then shut it down.
        """
        await self._idle.wait()

    async def _tick(self) -> int:
        # The open cards members opened since the last tick (nothing to do when none).
        await self._factory.member_cache.open_cards.write()
        claimed = fired = 0
        async with self._factory.open(background=True) as crm:
            due = await crm.clock_work.due()  # one read says which jobs have work
            if due.reminders:
                claimed += await crm.reminders.claim_due(self._claim_limit, checked=True)
            claimed += await crm.digests.claim_due(self._digests_done)
            if due.group_overdue:
                claimed += await crm.groups.claim_overdue(checked=True)
            claimed += await crm.backups.claim_due(self._backups_done)
            if due.automation:
                fired = await crm.automation.tick()
        if claimed or fired:
            log.info("claimed %d due reminders, did %d rule firings", claimed, fired)
        if self._sender.busy:
            return 0  # the drain under way takes what was just claimed too
        if not (due.outbox or claimed or fired):
            return 0
        return await self._sender.drain_once()


def build_scheduler(ticker: Ticker, poll_seconds: float) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        ticker.tick,
        "interval",
        seconds=poll_seconds,
        id="tick",
        # While one tick drains a long backlog, the next ones still claim what falls due
        # (and return at once), instead of being skipped with a warning every interval.
        max_instances=2,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler
