"""Imports as a use case: preview a table under a mapping, run it as one batch, list batches.

A run writes in chunks, each its own short write transaction, so the bot keeps
answering (and SQLite's single writer is not held for the whole file); the
batch row records every card it created or updated, which is what undo reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.access import is_staff
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import NotAllowed
from crm.field_defs import FieldDefs
from crm.imports import fields, lookup, writer
from crm.imports.plan import Plan, Policy, merge_into, plan
from crm.imports.reading import Table
from crm.imports.rows import Rejected, RowDraft
from crm.parsing.search_text import fold
from crm.pipeline import Pipelines
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import Client, Event, ImportBatch, User

CHUNK_ROWS = 2000
SAMPLE_ROWS = 3
Progress = Callable[[int, int], Awaitable[None]]


@dataclass
class Preview:
    rows: int
    new: int
    existing: int  # rows matching a client already in the base
    in_file: int  # rows repeating an earlier row's phone or e-mail
    rejected: int
    deals: int
    sample: list[RowDraft] = field(default_factory=list)


@dataclass
class Outcome:
    batch_id: int
    created: int = 0
    updated: int = 0
    skipped: int = 0
    deals: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "deals": self.deals,
            "rejected": len(self.rejected),
        }


class Imports:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        settings: TeamSettings,
        pipelines: Pipelines,
        fields: FieldDefs,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._settings = settings
        self._pipelines = pipelines
        self._fields = fields

    async def plan(self, table: Table, mapping: list[str]) -> Plan:
        """Every row read and checked, in a worker thread: the bot keeps answering meanwhile."""
        region = self._config.default_phone_region
        found = await fields.client_fields(self._session)
        return await asyncio.to_thread(plan, table, mapping, region, fields.parser(found, region))

    async def preview(self, actor: User, table: Table, mapping: list[str]) -> Preview:
        _require_member(actor)
        work = await self.plan(table, mapping)
        stages = await lookup.stage_names(
            self._session, await self._pipelines.default_pipeline_id()
        )
        _reject_unknown_stages(work, stages)
        known = await lookup.known(self._session, work.drafts)
        existing = sum(1 for d in work.drafts if known.match(d) is not None)
        repeats = sum(1 for i in work.repeats if known.match(work.drafts[i]) is None)
        return Preview(
            rows=work.rows,
            new=len(work.drafts) - existing - repeats,
            existing=existing,
            in_file=repeats,
            rejected=len(work.rejected),
            deals=sum(1 for d in work.drafts if d.has_deal),
            sample=work.drafts[:SAMPLE_ROWS],
        )

    async def run(
        self,
        actor: User,
        table: Table,
        mapping: list[str],
        file_name: str,
        policy: Policy,
        progress: Progress | None = None,
    ) -> Outcome:
        _require_member(actor)
        mapping = await fields.define_new(
            self._session, self._fields, actor, table.headers, mapping
        )
        work = await self.plan(table, mapping)
        ctx = await self._context(actor, file_name[:255], policy, mapping)
        _reject_unknown_stages(work, ctx.stages)
        if policy == Policy.FILL:
            for index in sorted(work.repeats):
                merge_into(work.drafts[_root(work.repeats, index)], work.drafts[index])
        outcome = Outcome(batch_id=ctx.batch_id, rejected=work.rejected)
        client_of: dict[int, int | None] = {}
        total = len(work.drafts)
        see_all = visibility.sees_all_clients(actor, await self._settings.managers_see_all())
        for start in range(0, total, CHUNK_ROWS):
            async with write_transaction(self._session):
                ctx.now = self._clock.now()
                await self._chunk(
                    ctx,
                    work,
                    range(start, min(start + CHUNK_ROWS, total)),
                    policy,
                    see_all,
                    client_of,
                    outcome,
                )
            if progress is not None:
                await progress(min(start + CHUNK_ROWS, total), total)
        async with write_transaction(self._session):
            batch = await self._session.get(ImportBatch, ctx.batch_id)
            assert batch is not None
            batch.counts = outcome.counts()
            batch.finished_at = self._clock.now()
            batch.last_event_id = await self._session.scalar(select(func.max(Event.id)))
        return outcome

    async def _chunk(
        self,
        ctx: writer.Context,
        work: Plan,
        indexes: range,
        policy: Policy,
        see_all: bool,
        client_of: dict[int, int | None],
        outcome: Outcome,
    ) -> None:
        drafts = [work.drafts[i] for i in indexes]
        known = await lookup.known(self._session, drafts)
        matched = {cid for d in drafts if (cid := known.match(d)) is not None}
        owners: dict[int, int | None] = {}
        if matched:
            rows = await self._session.execute(
                select(Client.id, Client.manager_id).where(Client.id.in_(matched))
            )
            owners = {client_id: manager_id for client_id, manager_id in rows}
        create: list[int] = []
        fill: list[tuple[int, RowDraft]] = []
        for index in indexes:
            draft = work.drafts[index]
            existing = known.match(draft)
            if index in work.repeats and policy != Policy.CREATE:
                client_of[index] = client_of.get(_root(work.repeats, index))
                outcome.skipped += 1
            elif existing is not None and policy != Policy.CREATE:
                visible = see_all or owners.get(existing) in (None, ctx.actor_id)
                client_of[index] = existing if visible else None
                if policy == Policy.FILL and visible:
                    fill.append((existing, draft))
                else:
                    outcome.skipped += 1
            else:
                create.append(index)
        ids = await writer.create_clients(self._session, ctx, [work.drafts[i] for i in create])
        client_of.update(zip(create, ids, strict=True))
        outcome.created += len(ids)
        outcome.updated += await writer.fill_clients(self._session, ctx, fill) if fill else 0
        deals = [
            (cid, work.drafts[i], owners.get(cid) or ctx.manager_for(work.drafts[i]))
            for i in indexes
            if work.drafts[i].has_deal and (cid := client_of.get(i)) is not None
        ]
        outcome.deals += len(await writer.create_deals(self._session, ctx, deals))

    async def _context(
        self, actor: User, file_name: str, policy: Policy, mapping: list[str]
    ) -> writer.Context:
        pipeline_id = await self._pipelines.default_pipeline_id()
        stages = await lookup.stage_names(self._session, pipeline_id)
        first = next(s for s in await self._pipelines.stages(pipeline_id) if s.kind == "open")
        statuses = lookup.status_names((s.code, s.name) for s in await self._settings.statuses())
        members = await lookup.member_names(self._session)
        now = self._clock.now()
        async with write_transaction(self._session):
            batch = ImportBatch(
                file_name=file_name,
                created_by=actor.id,
                created_at=now,
                policy=policy.value,
                mapping=list(mapping),
                counts={},
            )
            self._session.add(batch)
            await self._session.flush()
        return writer.Context(
            batch_id=batch.id,
            file_name=file_name,
            actor_id=actor.id,
            may_assign=is_staff(actor),
            now=now,
            currency=self._config.currency,
            pipeline_id=pipeline_id,
            first_stage=await self._pipelines.stage(first.id),
            stages=stages,
            members=members,
            statuses=statuses,
        )

    async def batches(self, actor: User, limit: int = 20) -> list[ImportBatch]:
        """The newest imports: all of them for owners and admins, a manager's own for a manager."""
        _require_member(actor)
        query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
        if not is_staff(actor):
            query = query.where(ImportBatch.created_by == actor.id)
        return list(await self._session.scalars(query))


def _require_member(actor: User) -> None:
    if not actor.active:
        raise NotAllowed()


def _root(repeats: dict[int, int], index: int) -> int:
    while index in repeats:
        index = repeats[index]
    return index


def _reject_unknown_stages(work: Plan, stages: Mapping[str, object]) -> None:
    """A deal row naming a stage the pipeline does not have is returned, not guessed."""
    kept: list[RowDraft] = []
    dropped: set[int] = set()
    for index, draft in enumerate(work.drafts):
        if draft.deal_stage and fold(draft.deal_stage) not in stages:
            work.rejected.append(Rejected(draft.number, "unknown_stage", draft.deal_stage))
            dropped.add(index)
        else:
            kept.append(draft)
    if dropped:
        renumber = {
            old: new
            for new, old in enumerate(i for i in range(len(work.drafts)) if i not in dropped)
        }
        work.repeats = {
            renumber[i]: renumber[j]
            for i, j in work.repeats.items()
            if i in renumber and j in renumber
        }
        work.drafts = kept
        work.rejected.sort(key=lambda r: r.number)
