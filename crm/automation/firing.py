"""One firing: its rule's actions done on its card, then its mark and its 🤖 timeline line.

The runner (``crm.automation.runner``) takes the due firings in batches and calls ``act``
for each, inside the batch's transaction; ``finish`` marks a firing done once the
batch is flushed (its new tasks have their ids) and returns its event's row.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, placeholders
from crm.automation import custom_fields, field_match, moved_on, skips, triggers
from crm.automation.actions import Actions, Skipped
from crm.automation.batch_reads import BatchReads
from crm.automation.conditions import Record, load_record
from crm.clock import Clock
from crm.config import TeamReading
from crm.field_plain import Reading
from storage.models import AutomationFiring, AutomationRule

WORKER = f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass
class Fired:
    """A firing whose actions are done; its event and mark follow once the batch is flushed."""

    firing: AutomationFiring
    rule: AutomationRule
    record: Record
    actions: Actions
    done: list[dict[str, Any]]


async def act(
    session: AsyncSession,
    clock: Clock,
    language: str,
    reads: BatchReads,
    task_ids: Callable[[], int | None],
    firing: AutomationFiring,
    reading: TeamReading,
) -> Fired:
    """Do the firing's actions (``Skipped`` when none can be done: rule or card gone)."""
    rule = await session.get(AutomationRule, firing.rule_id)
    if rule is None:
        raise Skipped("rule gone")
    if rule.paused_at is not None:
        raise Skipped("rule paused")
    record = await load_record(
        session,
        client_id=firing.client_id,
        deal_id=firing.deal_id,
        record_id=firing.record_id,
        tags=reads.tags,
    )
    if record is None:
        raise Skipped("record gone")
    tz = str(rule.state.get("tz") or triggers.DEFAULT_TIMEZONE)
    values = await placeholders.record_values(
        session,
        client=record.client,
        deal=record.deal,
        language=str(rule.state.get("lang") or language),
        timezone=tz,
        now=clock.now(),
        phones=reads.phones,
    )
    values |= await custom_values(session, rule, record, reading, language)
    region = field_match.region_of(rule)
    moved = moved_on.before_the_batch(firing, reads.staged)
    actions = Actions(
        session,
        clock,
        rule,
        firing,
        record,
        values,
        region,
        task_ids,
        reading=reading,
        moved_before=moved,
    )
    token = triggers.CHAIN.set((*firing.chain, rule.id))
    try:
        done = await skips.do_each(actions, rule)
    finally:
        triggers.CHAIN.reset(token)
    return Fired(firing, rule, record, actions, done)


async def custom_values(
    session: AsyncSession,
    rule: AutomationRule,
    record: Record,
    reading: TeamReading,
    language: str,
) -> dict[str, str | None]:
    """``{custom.N}`` of the rule's task titles and messages, as a template shows them (in
    the rule's language); read only when one of them names a custom field."""
    names = [
        name
        for action in rule.actions
        for key in ("title", "text")
        for name in placeholders.find(str(action.get(key) or ""))
    ]
    if record.client is None or not any(n.startswith(placeholders.CUSTOM_PREFIX) for n in names):
        return {}
    fields = await custom_fields.card_fields(session)
    deal_id = record.deal.id if record.deal is not None else None
    language = str(rule.state.get("lang") or language)
    shown = Reading(language, reading.currency, reading.words)
    return await custom_fields.custom_values(session, fields, record.client.id, deal_id, shown)


def finish(clock: Clock, fired: Fired) -> dict[str, Any]:
    """The firing marked done; returns its event for the record's timeline."""
    now = clock.now()
    for task, entry in fired.actions.created:
        entry["task_id"] = task.id
    rule, record, firing = fired.rule, fired.record, fired.firing
    rule.fired_count += 1
    rule.last_fired_at = now
    skips.note(rule, fired.done, now)
    event = events.row(
        now,
        "automation",
        None,
        client_id=record.client_id,
        deal_id=record.deal.id if record.deal else None,
        record_id=record.team.id if record.team else None,
        task_id=fired.actions.created[0][0].id if fired.actions.created else None,
        # ``chain``: the rules that led to what it made (a clock scan of its tasks reads it)
        data={"rule_id": rule.id, "rule": rule.name, "done": fired.done}
        | {"chain": [*firing.chain, rule.id]},
    )
    firing.claimed_by, firing.attempts = WORKER, firing.attempts + 1
    firing.done_at, firing.outcome, firing.detail = now, "done", fired.done
    return event
