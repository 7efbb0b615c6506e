"""The clock's side of automation: find clock triggers, then do the firings that are due.

A firing is done exactly once. Its row is locked for the transaction that does
its actions and sets ``done_at`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
a second process skips rows the first has taken; SQLite lets one writer in at a
time), and only rows still without ``done_at`` are taken. On PostgreSQL the
cards the due firings act on are locked before them, as a member's writes lock
cards (``batch_reads.lock_cards``): a second process that read the same due
firings waits for the first's cards, then finds the firings done. A crash before the commit undoes
the actions and the mark together, and the next tick does it again; after the
commit it is never taken again. What fell due while the bot was down is done
on the first tick after it comes back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.automation import skips
from crm.automation.actions import Skipped
from crm.automation.batch_reads import CARDS, BatchReads, Due, lock_cards, read_batch
from crm.automation.firing import WORKER, Fired, act, finish
from crm.clock import Clock
from crm.config import TeamReading
from crm.errors import Conflict, ErrorCode
from crm.pace import Pace
from storage.engine import write_transaction
from storage.ids import sqlite_tops
from storage.models import (
    AutomationFiring,
    AutomationRule,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)


class _Careful(Exception):
    """The fast pass met a failing action: do the batch again, one savepoint per firing."""


class _GiveWay(Exception):
    """A member's update came in: the batch is undone (or not begun), its firings stay due."""


def due_firings(now: datetime | ColumnElement[datetime]) -> tuple[ColumnElement[bool], ...]:
    """The firings to do now: not done, due."""
    return (AutomationFiring.done_at.is_(None), AutomationFiring.due_at <= now)


class Runner:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        language: str,
        pace: Pace | None = None,
        *,
        reading: TeamReading,
    ) -> None:
        self._session = session
        self._reading = reading  # a prepared template's values read in it
        self._pace = pace or Pace()
        self._clock = clock
        self._language = language
        self._reads = BatchReads()
        self._last_task_id: int | None = None
        self._gave_way = False  # the last batch was undone for a member: the next one commits

    async def run_due(self, limit: int = 100, more: bool = False) -> tuple[int, bool]:
        """Do up to ``limit`` due firings in one transaction.

        Returns how many were settled and whether more may be due. The fast
        pass does them without savepoints; if any action fails (or is skipped),
        the batch is undone and done again carefully, each firing in a
        savepoint of its own, so one bad firing spoils no other. When a member's
        update comes in (``Pace.busy``) on SQLite, the batch gives way at once:
        it is rolled back (its firings stay due), so the member's write waits for
        a rollback, not for the batch's writes. So that a busy team cannot starve
        the firings, a batch after one that gave way (and any batch on
        PostgreSQL, where a member's write waits only for the rows the batch
        holds) stops at the firing at hand and commits what it did instead. The
        flag lives on this runner, made for each tick's session. The batch's tasks and
        events go in as one statement each. ``more``: the last batch said more may be
        due, so the write lock is taken without looking first.
        """
        if not more:
            due = await self._session.scalar(
                select(AutomationFiring.id).where(*due_firings(self._clock.now())).limit(1)
            )
            if due is None:  # the usual tick: no write lock taken for nothing
                return 0, False
        try:
            done = await self._run_batch(limit, careful=False)
        except _GiveWay:
            self._gave_way = True
            await self._session.commit()  # the read of ``due``: no old snapshot kept waiting
            return 0, True
        except _Careful:
            done = await self._run_batch(limit, careful=True)
        except Conflict as error:
            if error.code is not ErrorCode.DEAL_MOVING:
                raise
            # A deal moved to another client again and again while its locks were taken:
            # the batch was rolled back, its firings stay due for the next tick.
            log.warning("rule firings wait for the next tick: a deal kept changing clients")
            return 0, False
        self._gave_way = False
        return done

    async def _run_batch(self, limit: int, careful: bool) -> tuple[int, bool]:
        now = self._clock.now()
        # On SQLite (one writer) a member's write waits for this batch: give way unless
        # careful or given way last time (so the firings go on however busy the team).
        may_give_way = self.one_writer() and not careful and not self._gave_way
        if may_give_way and self._pace.busy:
            raise _GiveWay()  # before taking the write lock at all
        async with write_transaction(self._session):
            order = (AutomationFiring.due_at, AutomationFiring.id)
            due = await self._session.execute(
                select(*CARDS).where(*due_firings(now)).order_by(*order).limit(limit)
            )
            cards: list[Due] = [
                (f, client, deal, record, rule) for f, client, deal, record, rule in due
            ]
            if not self.one_writer():  # their cards and rules first (``lock_cards``)
                await lock_cards(self._session, cards)
            firings = list(
                await self._session.scalars(
                    select(AutomationFiring)
                    .where(AutomationFiring.id.in_([card[0] for card in cards]), *due_firings(now))
                    .order_by(*order)
                    .with_for_update(skip_locked=True)
                    .execution_options(populate_existing=True)
                )
            )
            if not firings:  # done by the last batch after all, or taken by another process:
                return 0, False  # the rest waits for the next tick, not read again at once
            if may_give_way and self._pace.busy:
                raise _GiveWay()
            reads = await read_batch(
                self._session, firings, lambda: not may_give_way or not self._pace.busy
            )
            if reads is None:
                raise _GiveWay()
            self._reads = reads
            await self._number_tasks()
            fired: list[Fired] = []
            for firing in firings:
                if careful:
                    await self._run_one(firing)
                    continue
                busy = self._pace.busy
                if busy and may_give_way:
                    raise _GiveWay()  # rolling back is quicker than writing what is done
                if fired and busy:
                    break  # PostgreSQL, or gave way last time: commit what is done
                try:
                    fired.append(await self._act(firing))
                except Exception as exc:
                    raise _Careful() from exc
            await self._session.flush()  # the new tasks and what changed, a few statements
            await events.insert_rows(self._session, [self._finish(one) for one in fired])
            settled = len(firings) if careful else len(fired)
            return settled, settled < len(firings) or len(cards) == limit

    def one_writer(self) -> bool:
        """SQLite: one writer at a time, so a member's write waits for a whole batch."""
        bind = self._session.bind
        return bind is not None and bind.dialect.name == "sqlite"

    async def _number_tasks(self) -> None:
        """On SQLite, number the batch's new tasks after the highest id given, as SQLite would.

        The ORM inserts rows whose ids it must read back one statement each on
        SQLite; with their ids given, a batch's tasks go in as one statement.
        Safe under the write lock the batch holds: nobody else inserts meanwhile.
        """
        if not self.one_writer():
            self._last_task_id = None
            return
        self._last_task_id = (await sqlite_tops(self._session, ["tasks"]))["tasks"]

    def _task_id(self) -> int | None:
        if self._last_task_id is None:
            return None  # PostgreSQL: its sequence, in a batch of its own
        self._last_task_id += 1
        return self._last_task_id

    async def _run_one(self, firing: AutomationFiring) -> None:
        now = self._clock.now()
        # The batch's tags as they were: a firing undone must not leave its tag "added".
        tags = {client_id: list(found) for client_id, found in self._reads.tags.items()}
        try:
            async with self._session.begin_nested():
                fired = await self._act(firing)
                await self._session.flush()
                await events.insert_rows(self._session, [self._finish(fired)])
        except Skipped as reason:
            self._restore_tags(tags)
            firing.claimed_by, firing.attempts = WORKER, firing.attempts + 1
            detail = reason.done if isinstance(reason, skips.AllSkipped) else [str(reason)]
            firing.done_at, firing.outcome, firing.detail = now, "skipped", detail
            rule = await self._session.get(AutomationRule, firing.rule_id)
            if rule is not None and isinstance(reason, skips.AllSkipped):
                skips.note(rule, reason.done, now)
        except Exception as exc:  # a bug or the database: try again later, a few times
            self._restore_tags(tags)
            log.exception("automation firing %s failed", firing.id)
            firing.claimed_by, firing.attempts = WORKER, firing.attempts + 1
            firing.detail = [repr(exc)[:500]]
            if firing.attempts >= MAX_ATTEMPTS:
                firing.done_at, firing.outcome = now, "failed"
            else:
                firing.due_at = now + RETRY_AFTER * firing.attempts

    def _restore_tags(self, tags: dict[int, list[str]]) -> None:
        for client_id, found in tags.items():
            self._reads.tags[client_id][:] = found

    async def _act(self, firing: AutomationFiring) -> Fired:
        language, reads = self._language, self._reads
        return await act(
            self._session,
            self._clock,
            language,
            reads,
            self._task_id,
            firing,
            self._reading,
        )

    def _finish(self, fired: Fired) -> dict[str, Any]:
        return finish(self._clock, fired)
