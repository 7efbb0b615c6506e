"""Testing a rule on one record ("what would happen"), and the records offered for it.

Nothing here writes: the owner sees the trigger, each condition, the delay and the
actions with their texts filled, before the rule ever acts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import placeholders
from crm.automation.conditions import check_one, load_custom, load_record
from crm.automation.field_match import region_of
from crm.automation.firing import custom_values
from crm.automation.rules import due_after
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import NotFound
from storage.models import AutomationRule, Client, Deal, User
from storage.models import Record as TeamRecord


@dataclass(frozen=True)
class Preview:
    """What a rule would do to one record now, without doing it."""

    trigger_matches: bool | None  # None: the trigger is not about this record's kind
    conditions: list[tuple[dict[str, Any], bool]]
    due_at: datetime
    actions: list[dict[str, Any]]  # each with its texts filled
    missing: list[str]  # placeholders with no value on this record

    @property
    def would_fire(self) -> bool:
        return self.trigger_matches is not False and all(ok for _, ok in self.conditions)


class RuleTesting(ABC):
    """What ``Automation`` offers for testing its rules; it provides the session, the
    clock, the config and ``get`` (a rule the actor may manage)."""

    _session: AsyncSession
    _clock: Clock
    _config: CrmConfig

    @abstractmethod
    async def get(self, actor: User, rule_id: int) -> AutomationRule:
        """The rule, for its owner."""

    async def samples(self, actor: User, rule_id: int, limit: int = 8) -> list[tuple[int, str]]:
        """Recent records to test the rule on: deals for a deal's trigger, else clients."""
        rule = await self.get(actor, rule_id)
        if rule.trigger == "record_created":
            records = await self._session.execute(
                select(TeamRecord.id, TeamRecord.title)
                .where(TeamRecord.type_id == rule.trigger_params.get("type_id"))
                .order_by(TeamRecord.id.desc())
                .limit(limit)
            )
            return [(int(i), str(t)) for i, t in records]
        if _trigger_fits(rule, has_deal=False) is False:
            deals = await self._session.execute(
                select(Deal.id, Deal.title).order_by(Deal.id.desc()).limit(limit)
            )
            return [(int(i), str(t)) for i, t in deals]
        clients = await self._session.execute(
            select(Client.id, Client.name)
            .where(Client.archived_at.is_(None))
            .order_by(Client.id.desc())
            .limit(limit)
        )
        return [(int(i), str(n)) for i, n in clients]

    def about_deals(self, rule: AutomationRule) -> bool:
        """Whether the rule is tested on deals (else on clients)."""
        return _trigger_fits(rule, has_deal=False) is False

    async def test(
        self,
        actor: User,
        rule_id: int,
        *,
        client_id: int | None = None,
        deal_id: int | None = None,
        record_id: int | None = None,
    ) -> Preview:
        """What the rule would do on this record now: nothing is written."""
        rule = await self.get(actor, rule_id)
        record = await load_record(
            self._session, client_id=client_id, deal_id=deal_id, record_id=record_id
        )
        if record is None:
            raise NotFound()
        await load_custom(self._session, record)
        now = self._clock.now()
        values = await placeholders.record_values(
            self._session,
            client=record.client,
            deal=record.deal,
            language=str(rule.state.get("lang") or self._config.default_language),
            timezone=str(rule.state.get("tz") or self._config.default_timezone),
            now=now,
        )
        language = self._config.default_language  # as a firing fills {custom.N}
        values |= await custom_values(self._session, rule, record, self._config.reading, language)
        filled, missing = [], []
        for action in rule.actions:
            shown = dict(action)
            for key in ("title", "text"):
                if isinstance(action.get(key), str):
                    shown[key] = placeholders.fill(action[key], values)
                    missing += placeholders.missing(placeholders.find(action[key]), values)
            filled.append(shown)
        return Preview(
            trigger_matches=_trigger_fits(rule, record.deal is not None),
            conditions=[(c, check_one(c, record, region_of(rule))) for c in rule.conditions],
            due_at=due_after(rule.delay, now, str(rule.state.get("tz") or "UTC")),
            actions=filled,
            missing=list(dict.fromkeys(missing)),
        )


def _trigger_fits(rule: AutomationRule, has_deal: bool) -> bool | None:
    """Whether the rule's trigger is about this kind of record (a deal or a client)."""
    if rule.trigger in ("deal_entered_stage", "deal_won", "deal_lost", "deal_stale"):
        return has_deal
    if rule.trigger == "client_created":
        return True
    return None
