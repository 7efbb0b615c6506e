"""Triggers the clock finds: deals that became stale, tasks that became overdue.

Each clock rule keeps a watermark (``scanned_until``): a scan looks only at
what crossed its threshold between the last scan and now, and the firing key
(rule, record, the moment the threshold counts from) makes a record fire once
per stay on a stage or per due time, however often the clock looks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.automation import triggers
from crm.automation.conditions import Record, load_custom, load_record, matches, needs_custom
from crm.automation.field_match import region_of
from crm.automation.rules import CLOCK_TRIGGERS
from crm.clock import Clock
from storage.engine import write_transaction
from storage.models import (
    AutomationFiring,
    AutomationRule,
    Deal,
    Event,
    FieldValue,
    Stage,
    Task,
)


async def _matches(session: AsyncSession, rule: AutomationRule, record: Record) -> bool:
    if needs_custom(rule.conditions):
        await load_custom(session, record)
    return matches(rule.conditions, record, region_of(rule))


def active_clock_rules() -> tuple[ColumnElement[bool], ...]:
    """The rules the clock scans: its triggers, not paused."""
    return (AutomationRule.trigger.in_(CLOCK_TRIGGERS), AutomationRule.paused_at.is_(None))


class Scanner:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def scan(self) -> int:
        """Queue firings for deals that became stale and tasks that became overdue."""
        now = self._clock.now()
        queued = 0
        clock_rules = await self._session.scalar(
            select(AutomationRule.id).where(*active_clock_rules()).limit(1)
        )
        if clock_rules is None:
            return 0
        async with write_transaction(self._session):
            rules = await self._session.scalars(select(AutomationRule).where(*active_clock_rules()))
            for rule in list(rules):
                since = rule.scanned_until or rule.created_at
                if rule.trigger == "deal_stale":
                    queued += await self._stale(rule, since, now)
                elif rule.trigger == "date_approaching":
                    queued += await self._dates(rule, now)
                else:
                    queued += await self._overdue(rule, since, now)
                rule.scanned_until = now
        return queued

    async def _stale(self, rule: AutomationRule, since: datetime, now: datetime) -> int:
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
            if record is None or not await _matches(self._session, rule, record):
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

    async def _overdue(self, rule: AutomationRule, since: datetime, now: datetime) -> int:
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
        found = list(tasks)
        made_by = await self._made_by(found)
        for task in found:
            # A task a rule made carries that rule's chain: it never sets the rule off again.
            chain = made_by.get(task.id, ())
            if rule.id in chain or len(chain) >= triggers.MAX_DEPTH:
                continue
            record = await load_record(
                self._session, client_id=task.client_id, deal_id=task.deal_id
            )
            if record is None or not await _matches(self._session, rule, record):
                continue
            moment = task.due_at.strftime("%Y%m%dT%H%M%S")
            token = triggers.CHAIN.set(chain)
            try:
                queued += await triggers.queue(
                    self._session,
                    now,
                    rule,
                    key=f"{rule.id}:overdue:{task.id}:{moment}",
                    client_id=record.client_id,
                    deal_id=record.deal.id if record.deal else None,
                    task_id=task.id,
                )
            finally:
                triggers.CHAIN.reset(token)
        return queued

    async def _made_by(self, tasks: list[Task]) -> dict[int, tuple[int, ...]]:
        """The chain of rules that made each of ``tasks`` a rule made (read from the rules'
        🤖 timeline lines, which name every task they made); a member's tasks are not there."""
        # A task without a client sets nothing off (``load_record`` finds no card for it),
        # so the lines are looked up by client, along the timeline's index.
        made = {task.id for task in tasks if task.created_by is None and task.client_id}
        if not made:
            return {}
        clients = {task.client_id for task in tasks if task.id in made}
        lines = await self._session.scalars(
            select(Event.data).where(Event.client_id.in_(clients), Event.kind == "automation")
        )
        chains: dict[int, tuple[int, ...]] = {}
        for data in lines:
            chain = tuple(int(r) for r in data.get("chain") or [data.get("rule_id")] if r)
            for done in data.get("done") or []:
                if isinstance(done, dict) and done.get("task_id") in made:
                    chains[int(done["task_id"])] = chain
        return chains

    async def _dates(self, rule: AutomationRule, now: datetime) -> int:
        """Cards whose date field falls within ``days`` from today (the team's day), each once
        per card and date: a date set late, already inside the window, fires at once."""
        field_id, days = int(rule.trigger_params["field_id"]), int(rule.trigger_params["days"])
        zone = ZoneInfo(str(rule.state.get("tz") or triggers.DEFAULT_TIMEZONE))
        today = now.astimezone(zone).date()
        values = list(
            await self._session.scalars(
                select(FieldValue).where(
                    FieldValue.field_id == field_id,
                    FieldValue.date_value >= today,
                    FieldValue.date_value <= today + timedelta(days=days),
                    or_(FieldValue.client_id.is_not(None), FieldValue.deal_id.is_not(None)),
                )
            )
        )
        keys = {}
        for value in values:
            card = f"c{value.client_id}" if value.client_id is not None else f"d{value.deal_id}"
            assert value.date_value is not None
            keys[f"{rule.id}:date:{card}:{value.date_value.isoformat()}"] = value
        if not keys:
            return 0
        known = set(
            await self._session.scalars(
                select(AutomationFiring.key).where(AutomationFiring.key.in_(list(keys)))
            )
        )
        queued = 0
        for key, value in keys.items():
            if key in known:
                continue
            record = await load_record(
                self._session, client_id=value.client_id, deal_id=value.deal_id
            )
            if record is None or not await _matches(self._session, rule, record):
                continue
            queued += await triggers.queue(
                self._session,
                now,
                rule,
                key=key,
                client_id=record.client_id,
                deal_id=record.deal.id if record.deal else None,
            )
        return queued
