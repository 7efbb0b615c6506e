"""Turning a change into firings, inside the change's own transaction.

Use cases call ``on_event`` right after they record an event: each active rule
whose trigger and conditions match gets one firing row under a unique key
(rule, event), due when the rule's delay says (in the team's time zone, kept
on the rule). Nothing acts here; the clock does (``crm.automation.runner``).
A change made by a rule carries the chain of rules that led to it (a context
variable set by the runner): those rules do not fire again from it, and a
chain stops at ``MAX_DEPTH``. A rule that fires more than its hourly limit is
paused and the owners are told.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import outbox
from crm.automation import field_match
from crm.automation.conditions import (
    Record,
    load_custom,
    load_record,
    matches,
    needs_custom,
    needs_tags,
)
from crm.automation.rules import due_after
from crm.clock import Clock
from crm.field_plain import value_text
from storage.insert_or_nothing import insert_or_nothing
from storage.models import AutomationFiring, AutomationRule, Event, FieldDef, Role, User

MAX_DEPTH = 3
DEFAULT_PER_HOUR = 200
DEFAULT_TIMEZONE = "Europe/Moscow"
HOUR = timedelta(hours=1)
# Rules that led to the change being made now (empty: a person made it).
CHAIN: ContextVar[tuple[int, ...]] = ContextVar("automation_chain", default=())


def triggers_of(event: Event) -> list[str]:
    """The rule triggers an event may set off."""
    kind = event.kind
    if kind == "client_created":
        return ["client_created"]
    if kind == "record_created":
        return ["record_created"]
    if kind in ("deal_created", "stage_changed", "deal_reopened"):
        return ["deal_entered_stage"]
    if kind in ("deal_won", "deal_lost"):
        return ["deal_entered_stage", kind]
    if kind in ("deal_changed", "field_changed", "status_changed", "custom_field_changed"):
        return ["field_changed"]
    return []


def _params_match(
    rule: AutomationRule, event: Event, record: Record, changed_field: FieldDef | None
) -> bool:
    """Whether the trigger's parameters fit the event; ``changed_field``: the custom field
    whose change the event is (None for any other change)."""
    params = rule.trigger_params
    if rule.trigger == "client_created" and params.get("source"):
        source = record.client.source if record.client is not None else None
        return (source or "").casefold() == str(params["source"]).casefold()
    if rule.trigger == "record_created":
        return record.team is not None and record.team.type_id == params.get("type_id")
    if rule.trigger == "deal_entered_stage":
        return bool(event.data.get("to") == params.get("stage_id"))
    if rule.trigger == "field_changed":
        field = str(params.get("field", ""))
        changed = "client.status" if event.kind == "status_changed" else None
        if event.kind == "custom_field_changed":
            changed = f"custom.{event.data.get('field_id')}"
        if changed is None:
            prefix = "deal." if event.kind == "deal_changed" else "client."
            changed = prefix + str(event.data.get("field", ""))
        if changed != field:
            return False
        wanted, new = params.get("value"), event.data.get("new")
        if wanted is None:
            return True
        if changed_field is not None:
            as_text = value_text(changed_field, new)
            return field_match.same(changed_field, as_text, wanted, field_match.region_of(rule))
        return _plain_text(new).casefold() == str(wanted).casefold()
    return True


def _plain_text(value: object) -> str:
    """A changed value as text to compare with the rule's: a list (several options) joined."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


async def on_event(session: AsyncSession, clock: Clock, event: Event) -> int:
    """Queue the firings ``event`` sets off; returns how many."""
    kinds = triggers_of(event)
    rules = await rules_for(session, kinds) if kinds else []
    if not rules:
        return 0
    team_id = event.record_id if event.client_id is None and event.deal_id is None else None
    record = await load_record(
        session,
        client_id=event.client_id,
        deal_id=event.deal_id,
        record_id=team_id,
        read_tags=any(needs_tags(rule.conditions) for rule in rules),
    )
    if record is None:
        return 0
    if any(needs_custom(rule.conditions) for rule in rules):
        await load_custom(session, record)
    changed_field = None
    if event.kind == "custom_field_changed" and isinstance(event.data.get("field_id"), int):
        changed_field = await session.get(FieldDef, event.data["field_id"])  # the writer's own
    await session.flush()  # the event's id is part of the key
    queued = 0
    for rule in rules:
        if not _params_match(rule, event, record, changed_field):
            continue
        if not matches(rule.conditions, record, field_match.region_of(rule)):
            continue
        queued += await queue(
            session,
            clock.now(),
            rule,
            key=f"{rule.id}:e{event.id}",
            client_id=record.client_id,
            deal_id=record.deal.id if record.deal else None,
            record_id=record.team.id if record.team else None,
            actor_id=event.actor_id,
        )
    return queued


async def queue(
    session: AsyncSession,
    now: datetime,
    rule: AutomationRule,
    *,
    key: str,
    client_id: int | None = None,
    deal_id: int | None = None,
    task_id: int | None = None,
    record_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """One firing of ``rule`` under ``key`` (once ever); 0 when known or the rule ran away."""
    if not await _within_limit(session, now, rule):
        return 0
    values = _firing(
        now,
        rule,
        key=key,
        client_id=client_id,
        deal_id=deal_id,
        task_id=task_id,
        record_id=record_id,
        actor_id=actor_id,
    )
    result = await session.execute(
        insert_or_nothing(session, AutomationFiring, "key").values(**values)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def rules_for(session: AsyncSession, kinds: list[str]) -> list[AutomationRule]:
    """The active rules with one of ``kinds`` for triggers that may fire now (the chain)."""
    chain = CHAIN.get()
    if len(chain) >= MAX_DEPTH:
        return []
    rules = await session.scalars(
        select(AutomationRule)
        .where(AutomationRule.trigger.in_(kinds), AutomationRule.paused_at.is_(None))
        .order_by(AutomationRule.id)
    )
    return [rule for rule in rules if rule.id not in chain]


async def queue_many(
    session: AsyncSession,
    now: datetime,
    rules: list[AutomationRule],
    changes: list[tuple[Event, Record]],
) -> int:
    """Queue, in one INSERT, what each of many new events sets off among ``rules``.

    For changes written set-based (a batch of form leads): each event has its id and its
    record read (tags only where a rule looks at them); what ``on_event`` does one by one.
    """
    if any(needs_custom(rule.conditions) for rule in rules):
        for _event, record in changes:
            await load_custom(session, record)
    rows: list[dict[str, Any]] = []
    for event, record in changes:
        kinds = triggers_of(event)
        for rule in rules:
            if rule.trigger not in kinds or not _params_match(rule, event, record, None):
                continue
            if not matches(rule.conditions, record, field_match.region_of(rule)):
                continue
            if not await _within_limit(session, now, rule):
                continue
            rows.append(
                _firing(
                    now,
                    rule,
                    key=f"{rule.id}:e{event.id}",
                    client_id=record.client_id,
                    deal_id=record.deal.id if record.deal else None,
                    actor_id=event.actor_id,
                )
            )
    if rows:
        await session.execute(insert_or_nothing(session, AutomationFiring, "key"), rows)
    return len(rows)


def _firing(now: datetime, rule: AutomationRule, *, key: str, **ids: int | None) -> dict[str, Any]:
    """A firing row of ``rule`` under ``key`` for the card ``ids`` name, due by its delay."""
    chain = CHAIN.get()
    return {
        "client_id": None,
        "deal_id": None,
        "task_id": None,
        "record_id": None,
        "actor_id": None,
        **ids,
        "key": key,
        "rule_id": rule.id,
        "depth": len(chain),
        "chain": list(chain),
        "created_at": now,
        "due_at": due_after(rule.delay, now, str(rule.state.get("tz") or DEFAULT_TIMEZONE)),
        "attempts": 0,
        "detail": [],
    }


async def _within_limit(session: AsyncSession, now: datetime, rule: AutomationRule) -> bool:
    """Count the firing against the rule's hour; past the limit, pause it and tell the owners."""
    limit = int(rule.state.get("per_hour") or DEFAULT_PER_HOUR)
    if rule.hour_started_at is None or now - rule.hour_started_at >= HOUR:
        rule.hour_started_at, rule.hour_count = now, 0
    rule.hour_count += 1
    if rule.hour_count <= limit:
        return True
    rule.paused_at, rule.paused_reason = now, "runaway"
    owners = await session.scalars(
        select(User.id).where(User.role == Role.OWNER, User.active.is_(True))
    )
    for owner_id in owners:
        await outbox.enqueue(
            session,
            chat_id=owner_id,
            kind=outbox.OutboxKind.AUTOMATION_PAUSED,
            payload={"rule_id": rule.id, "rule": rule.name, "limit": limit},
            dedupe_key=f"automation:paused:{rule.id}:{now.isoformat()}",
            now=now,
        )
    return False
