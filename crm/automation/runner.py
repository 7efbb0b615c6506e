"""The clock's side of automation: find clock triggers, then do the firings that are due.

A firing is done exactly once. Its row is locked for the transaction that does
its actions and sets ``done_at`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
a second process takes other rows; SQLite lets one writer in at a time), and
only rows still without ``done_at`` are taken. A crash before the commit undoes
the actions and the mark together, and the next tick does it again; after the
commit it is never taken again. What fell due while the bot was down is done
on the first tick after it comes back.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, placeholders
from crm.automation import triggers
from crm.automation.actions import Actions, Skipped
from crm.automation.conditions import load_record, matches
from crm.clock import Clock
from storage.engine import write_transaction
from storage.models import AutomationFiring, AutomationRule, Deal, Stage, Task

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)
WORKER = f"{socket.gethostname()}:{os.getpid()}"[:64]


class Runner:
    def __init__(self, session: AsyncSession, clock: Clock, language: str) -> None:
        self._session = session
        self._clock = clock
        self._language = language

    async def run_due(self, limit: int = 200) -> int:
        """Do up to ``limit`` due firings in one transaction; returns how many were settled."""
        now = self._clock.now()
        async with write_transaction(self._session):
            firings = list(
                await self._session.scalars(
                    select(AutomationFiring)
                    .where(AutomationFiring.done_at.is_(None), AutomationFiring.due_at <= now)
                    .order_by(AutomationFiring.due_at, AutomationFiring.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for firing in firings:
                await self._run_one(firing)
            return len(firings)

    async def _run_one(self, firing: AutomationFiring) -> None:
        now = self._clock.now()
        firing.claimed_by, firing.attempts = WORKER, firing.attempts + 1
        try:
            async with self._session.begin_nested():
                done = await self._act(firing)
        except Skipped as reason:
            firing.done_at, firing.outcome, firing.detail = now, "skipped", [str(reason)]
        except Exception as exc:  # a bug or the database: try again later, a few times
            log.exception("automation firing %s failed", firing.id)
            firing.detail = [repr(exc)[:500]]
            if firing.attempts >= MAX_ATTEMPTS:
                firing.done_at, firing.outcome = now, "failed"
            else:
                firing.due_at = now + RETRY_AFTER * firing.attempts
        else:
            firing.done_at, firing.outcome, firing.detail = now, "done", done

    async def _act(self, firing: AutomationFiring) -> list[dict[str, Any]]:
        rule = await self._session.get(AutomationRule, firing.rule_id)
        if rule is None:
            raise Skipped("rule gone")
        if rule.paused_at is not None:
            raise Skipped("rule paused")
        record = await load_record(
            self._session, client_id=firing.client_id, deal_id=firing.deal_id
        )
        if record is None:
            raise Skipped("record gone")
        tz = str(rule.state.get("tz") or triggers.DEFAULT_TIMEZONE)
        values = await placeholders.record_values(
            self._session,
            client=record.client,
            deal=record.deal,
            language=str(rule.state.get("lang") or self._language),
            timezone=tz,
            now=self._clock.now(),
        )
        actions = Actions(self._session, self._clock, rule, firing, record, values)
        token = triggers.CHAIN.set((*firing.chain, rule.id))
        try:
            done = [await actions.do(action, n) for n, action in enumerate(rule.actions)]
        finally:
            triggers.CHAIN.reset(token)
        rule.fired_count += 1
        rule.last_fired_at = self._clock.now()
        events.record(
            self._session,
            self._clock,
            "automation",
            None,
            client_id=record.client.id,
            deal_id=record.deal.id if record.deal else None,
            task_id=actions.task_id,
            data={"rule_id": rule.id, "rule": rule.name, "done": done},
        )
        return done

    # --- triggers the clock finds ----------------------------------------------------

    async def scan(self) -> int:
        """Queue firings for deals that became stale and tasks that became overdue."""
        now = self._clock.now()
        queued = 0
        async with write_transaction(self._session):
            rules = await self._session.scalars(
                select(AutomationRule).where(
                    AutomationRule.trigger.in_(("deal_stale", "task_overdue")),
                    AutomationRule.paused_at.is_(None),
                )
            )
            for rule in list(rules):
                since = rule.scanned_until or rule.created_at
                if rule.trigger == "deal_stale":
                    queued += await self._stale(rule, since, now)
                else:
                    queued += await self._overdue(rule, since, now)
                rule.scanned_until = now
        return queued

    async def _stale(self, rule: AutomationRule, since: Any, now: Any) -> int:
        """Deals whose ``days`` in their stage ran out between the last scan and now."""
        days = timedelta(days=int(rule.trigger_params["days"]))
        query = (
            select(Deal)
            .join(Stage, Stage.id == Deal.stage_id)
            .where(
                Stage.kind == "open",
                Deal.stage_changed_at > since - days,
                Deal.stage_changed_at <= now - days,
            )
        )
        stage_id = rule.trigger_params.get("stage_id")
        if stage_id is not None:
            query = query.where(Deal.stage_id == int(stage_id))
        queued = 0
        for deal in await self._session.scalars(query):
            record = await load_record(self._session, deal_id=deal.id)
            if record is None or not matches(rule.conditions, record):
                continue
            moment = deal.stage_changed_at.strftime("%Y%m%dT%H%M%S")
            queued += await triggers.queue(
                self._session,
                now,
                rule,
                key=f"{rule.id}:stale:{deal.id}:{moment}",
                client_id=deal.client_id,
                deal_id=deal.id,
            )
        return queued

    async def _overdue(self, rule: AutomationRule, since: Any, now: Any) -> int:
        """Open tasks whose ``hours`` past due ran out between the last scan and now."""
        hours = timedelta(hours=int(rule.trigger_params["hours"]))
        tasks = await self._session.scalars(
            select(Task).where(
                Task.done_at.is_(None),
                Task.due_at > since - hours,
                Task.due_at <= now - hours,
            )
        )
        queued = 0
        for task in list(tasks):
            record = await load_record(
                self._session, client_id=task.client_id, deal_id=task.deal_id
            )
            if record is None or not matches(rule.conditions, record):
                continue
            moment = task.due_at.strftime("%Y%m%dT%H%M%S")
            queued += await triggers.queue(
                self._session,
                now,
                rule,
                key=f"{rule.id}:overdue:{task.id}:{moment}",
                client_id=record.client.id,
                deal_id=record.deal.id if record.deal else None,
                task_id=task.id,
            )
        return queued
