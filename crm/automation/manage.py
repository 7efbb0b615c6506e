"""The owner's rules: adding (or a starter), listing, pausing, testing on one record."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import placeholders
from crm.access import is_staff
from crm.automation import custom_fields, field_match, parts
from crm.automation.preview import RuleTesting
from crm.automation.rules import check_rule
from crm.automation.runner import Runner, due_firings
from crm.automation.scan import Scanner, active_clock_rules
from crm.automation.starters import OFFER_CODES, OFFER_WORDS, STARTERS
from crm.clock import Before, Clock
from crm.config import CrmConfig
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.pace import Pace
from storage.engine import write_transaction
from storage.models import (
    AutomationFiring,
    AutomationRule,
    FieldDef,
    RecordType,
    Role,
    Stage,
    Template,
    User,
)

MAX_RULES = 100
QUIET_BATCH = 20
"""Firings per transaction while no member is about."""
BUSY_BATCH = 5
"""Firings per transaction on SQLite while a member is being answered or was in the
last couple of seconds (``Pace.recently_busy``): a member's write waits for the batch's
own writes, which a batch does not interrupt, so they are kept short. (On PostgreSQL
a member's write waits only for the rows the batch holds: the batches stay whole.)"""
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class RuleSummary:
    """A rule with how often it fired this week, the kinds of part it names that were
    deleted (``parts.PART_KINDS``), the custom fields it names (by id), and what the parts
    and members it names are called now (``named``: read once for every rule listed)."""

    rule: AutomationRule
    this_week: int
    missing: tuple[str, ...] = ()
    fields: Mapping[int, FieldDef] = field(default_factory=dict)
    named: parts.Parts = field(default_factory=parts.Parts)


def _require_owner(actor: User) -> None:
    if not (is_staff(actor) and actor.role == Role.OWNER):
        raise NotAllowed()


class Automation(RuleTesting):
    def __init__(
        self, session: AsyncSession, clock: Clock, config: CrmConfig, pace: Pace | None = None
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._pace = pace or Pace()
        language = config.default_language
        self.runner = Runner(session, clock, language, self._pace, reading=config.reading)
        self.scanner = Scanner(session, clock)

    def due_now(self, at: Before) -> ColumnElement[bool]:
        """Whether the clock has work here: a clock-triggered rule to scan, or a firing due."""
        clock_rules = select(AutomationRule.id).where(*active_clock_rules())
        firings = select(AutomationFiring.id).where(*due_firings(at(timedelta(0))))
        return or_(exists(clock_rules), exists(firings))

    async def tick(self, batch: int | None = None, budget: float = 2.0) -> int:
        """Find clock triggers, then do due firings in batches for about ``budget`` seconds.

        A long backlog (an import's thousand new clients) is worked off over
        several ticks. Members go first (``Pace``): a batch ends early when a
        member's update comes in (see ``Runner.run_due``), and the next one waits
        until it is answered, so a reply waits for at most a batch's rollback or
        one firing, never for the backlog; and on SQLite, while members are
        about, the batches are small (``BUSY_BATCH``), so that a reply that comes
        in during a batch's writes waits for few. ``batch``: a fixed size instead.
        """
        await self.scanner.scan()
        started = time.monotonic()
        done, more = 0, False
        while True:
            await self._pace.give_way()
            small = self.runner.one_writer() and self._pace.recently_busy
            size = batch if batch is not None else BUSY_BATCH if small else QUIET_BATCH
            settled, more = await self.runner.run_due(size, more)
            done += settled
            if not more or time.monotonic() - started >= budget:
                return done

    async def add(
        self,
        actor: User,
        name: str,
        trigger: str,
        params: dict[str, Any],
        actions: list[dict[str, Any]],
        *,
        conditions: list[dict[str, Any]] | None = None,
        delay: dict[str, Any] | None = None,
        starter: str | None = None,
    ) -> AutomationRule:
        _require_owner(actor)
        conditions = conditions or []
        delay = delay or {"kind": "now"}
        clean = check_rule(name, trigger, params, conditions, actions, delay)
        keys = [str(field.id) for field in await custom_fields.card_fields(self._session)]
        for action in actions:  # {custom.N} as a template takes it: a field there is now
            for text in (action.get("title"), action.get("text")):
                if isinstance(text, str):
                    placeholders.check(text, keys)
        async with write_transaction(self._session):
            await self._room()
            # What the builder offered may have been deleted since it was chosen: refused
            # by name, never saved as a rule that cannot work.
            type_id = params.get("type_id")
            if trigger == "record_created" and await self._session.get(RecordType, type_id) is None:
                raise Conflict(ErrorCode.RECORD_TYPE_GONE)
            region = self._config.default_phone_region
            params, conditions = await custom_fields.check(
                self._session, trigger, params, actions, region, conditions
            )
            for stage_id in [params.get("stage_id")] + [a.get("stage_id") for a in actions]:
                if stage_id is not None and await self._session.get(Stage, stage_id) is None:
                    raise Conflict(ErrorCode.STAGE_GONE)
            for action in actions:
                template_id = action.get("template_id")
                if action.get("type") == "prepare_template" and (
                    await self._session.get(Template, template_id) is None
                ):
                    raise Conflict(ErrorCode.TEMPLATE_GONE)
            now = self._clock.now()
            rule = AutomationRule(
                name=clean,
                starter=starter,
                trigger=trigger,
                trigger_params=params,
                conditions=conditions,
                actions=actions,
                delay=delay,
                state={
                    # the owner's (/settings): "10:00 the next working day" is theirs
                    "tz": actor.timezone or self._config.default_timezone,
                    "lang": self._config.default_language,
                    "per_hour": self._config.automation_per_hour,
                    "region": self._config.default_phone_region,
                },
                created_by=actor.id,
                created_at=now,
                scanned_until=now,
                fired_count=0,
                hour_count=0,
            )
            self._session.add(rule)
            await self._session.flush()
            return rule

    async def room_for_one(self, actor: User) -> None:
        """Refused (the owner's only; ``TOO_MANY_RULES``) unless a rule can be added: asked
        when the owner starts building one, not once it is built."""
        _require_owner(actor)
        await self._room()

    async def _room(self) -> None:
        count = await self._session.scalar(select(func.count(AutomationRule.id)))
        if (count or 0) >= MAX_RULES:
            raise InvalidInput(ErrorCode.TOO_MANY_RULES, limit=MAX_RULES)

    async def rule_value(self, field: str, text: str) -> str:
        """``text`` as a rule keeps the value of custom field ``field`` ("custom.<id>"), in the
        field's own form; refused as the field's editor refuses it (nothing is written)."""
        found = await custom_fields.named_field(self._session, field)
        return field_match.canonical(found, text, self._config.default_phone_region)

    async def add_starter(self, actor: User, code: str, name: str, text: str) -> AutomationRule:
        """A starter rule; ``name`` and the task title or message ``text`` in the owner's words."""
        starter = STARTERS.get(code)
        if starter is None:
            raise InvalidInput(ErrorCode.BAD_RULE, part="starter")
        params = dict(starter.params)
        if starter.needs_offer_stage:
            params["stage_id"] = await self._offer_stage()
        actions = [dict(action) for action in starter.actions]
        actions[0]["title" if "title" in actions[0] else "text"] = text
        return await self.add(
            actor, name, starter.trigger, params, actions, delay=starter.delay, starter=code
        )

    async def _offer_stage(self) -> int:
        stages = list(
            await self._session.scalars(
                select(Stage).where(Stage.kind == "open").order_by(Stage.position)
            )
        )
        for stage in stages:
            name = (stage.name or "").casefold()
            if stage.code in OFFER_CODES or any(word in name for word in OFFER_WORDS):
                return stage.id
        if not stages:
            raise Conflict(ErrorCode.STAGE_GONE)
        return stages[len(stages) // 2].id

    async def rules(self, actor: User) -> list[RuleSummary]:
        _require_owner(actor)
        since = self._clock.now() - WEEK
        result = await self._session.execute(
            select(AutomationFiring.rule_id, func.count(AutomationFiring.id))
            .where(AutomationFiring.done_at >= since, AutomationFiring.outcome == "done")
            .group_by(AutomationFiring.rule_id)
        )
        counts = {int(rule_id): int(count) for rule_id, count in result}
        rows = list(await self._session.scalars(select(AutomationRule).order_by(AutomationRule.id)))
        found = await parts.existing(self._session, rows)
        return [
            RuleSummary(
                rule, counts.get(rule.id, 0), found.missing(rule), found.fields_of(rule), found
            )
            for rule in rows
        ]

    async def using(self, actor: User, kind: str, item_id: int) -> list[str]:
        """The names of the rules that name this stage, field or template (``kind``: one of
        ``parts.PART_KINDS``): asked before it is deleted."""
        _require_owner(actor)
        rows = await self._session.scalars(select(AutomationRule).order_by(AutomationRule.id))
        return [rule.name for rule in rows if item_id in parts.named(rule)[kind]]

    async def entering(self, actor: User, stage_id: int) -> list[str]:
        """The names of the active rules set off by a deal entering this stage; the deals a
        stage's deletion moves there set off none of them (``Pipelines.delete_stage``)."""
        _require_owner(actor)
        rows = await self._session.scalars(
            select(AutomationRule)
            .where(
                AutomationRule.trigger == "deal_entered_stage", AutomationRule.paused_at.is_(None)
            )
            .order_by(AutomationRule.id)
        )
        return [rule.name for rule in rows if rule.trigger_params.get("stage_id") == stage_id]

    async def get(self, actor: User, rule_id: int) -> AutomationRule:
        _require_owner(actor)
        rule = await self._session.get(AutomationRule, rule_id)
        if rule is None:
            raise NotFound()
        return rule

    async def set_paused(self, actor: User, rule_id: int, paused: bool) -> AutomationRule:
        async with write_transaction(self._session):
            rule = await self.get(actor, rule_id)
            if paused and rule.paused_at is None:
                rule.paused_at, rule.paused_reason = self._clock.now(), "owner"
            elif not paused and rule.paused_at is not None:
                rule.paused_at, rule.paused_reason = None, None
                rule.hour_started_at, rule.hour_count = None, 0
                # What became stale or overdue while paused is not made up for.
                rule.scanned_until = self._clock.now()
            return rule

    async def delete(self, actor: User, rule_id: int) -> None:
        async with write_transaction(self._session):
            rule = await self.get(actor, rule_id)
            await self._session.delete(rule)
