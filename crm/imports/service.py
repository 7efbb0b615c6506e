"""Imports as a use case: preview a table under a mapping, run it as one batch, list batches.

A run is background work that gives way to members (``crm.imports.paced``):
it writes in short chunks, each its own write transaction, so the bot keeps
answering (and SQLite's single writer is not held for the whole file); the
batch row records every card it created or updated, which is what undo reads.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.access import is_staff
from crm.cards import CardKind
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import NotAllowed, NotFound
from crm.field_defs import FieldDefs, required_fields
from crm.imports import fields, lookup, same_deals, writer
from crm.imports.batch_row import closing, opened, rows_read, sweep
from crm.imports.fields import Batch
from crm.imports.linker import Linker, check_link_types, link_rows
from crm.imports.outcome import Outcome
from crm.imports.paced import Progress, in_chunks, planned
from crm.imports.plan import (
    Plan,
    Policy,
    merge_repeats,
    plan,
    reject_lacking,
    reject_unknown_stages,
    root,
)
from crm.imports.preview import SAMPLE_ROWS, Preview
from crm.imports.reading import Table
from crm.imports.required import Required, RequiredChoice
from crm.imports.rows import RowDraft
from crm.pace import Pace
from crm.pipeline import Pipelines
from crm.team_settings import TeamSettings
from storage.models import Client, ImportBatch, User


class Imports:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        settings: TeamSettings,
        pipelines: Pipelines,
        fields: FieldDefs,
        pace: Pace | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._settings = settings
        self._pipelines = pipelines
        self._fields = fields
        self._pace = pace or Pace()

    async def plan(self, table: Table, mapping: list[str], *, paced: bool = False) -> Plan:
        """Every row read and checked while the bot keeps answering: for a member's
        preview in a worker thread, for a run in steps that give way to members."""
        region = self._config.default_phone_region
        await check_link_types(self._session, mapping)
        found = await fields.card_fields(self._session)
        parse = fields.parser(found, region)
        deal_ids = fields.deal_ids(found)
        if paced:
            return await planned(self._pace, table, mapping, region, parse, deal_ids)
        return await asyncio.to_thread(plan, table, mapping, region, parse, deal_ids)

    async def required(self) -> Required:
        return Required(
            await required_fields(self._session, CardKind.CLIENT),
            await required_fields(self._session, CardKind.DEAL),
        )

    async def preview(
        self,
        actor: User,
        table: Table,
        mapping: list[str],
        choice: RequiredChoice | None = None,
    ) -> Preview:
        """``choice``: what to do with rows lacking a required value, once the member chose."""
        _require_member(actor)
        work = await self.plan(table, mapping)
        stages = await lookup.stage_names(
            self._session, await self._pipelines.default_pipeline_id()
        )
        reject_unknown_stages(work, stages)
        required = await self.required()
        lacking = sum(1 for d in work.drafts if required.lacking(d))
        if choice == RequiredChoice.REJECT:
            reject_lacking(work, required)
        merge_repeats(work)  # as "Skip" and "Fill" do: a repeat's phones are its first row's
        known = await lookup.known(self._session, work.drafts)
        firsts = {i: known.match(d) for i, d in enumerate(work.drafts) if i not in work.repeats}
        matches = [firsts[root(work.repeats, i)] for i in range(len(work.drafts))]
        seen = visibility.visible_clients(actor, await self._settings.managers_see_all())
        unseen = await lookup.unseen(self._session, Client.id, seen, filter(None, matches))
        hidden = {i for i, match in enumerate(matches) if match in unseen}
        existing = sum(1 for match in matches if match is not None) - len(hidden)
        repeats = sum(1 for i in work.repeats if matches[i] is None)
        there = await same_deals.in_base(self._session, work, matches, hidden)
        return Preview(
            rows=work.rows,
            new=len(work.drafts) - existing - len(hidden) - repeats,
            existing=existing,
            updated=len({m for i, m in enumerate(matches) if m is not None and i not in hidden}),
            hidden=len(hidden),
            in_file=repeats,
            rejected=len(work.rejected),
            refused=work.rejected,
            deals=sum(1 for i, d in enumerate(work.drafts) if d.has_deal and i not in hidden)
            - there,
            deals_there=there,
            sample=work.drafts[:SAMPLE_ROWS],
            unmapped=required.unmapped(mapping, any(d.has_deal for d in work.drafts)),
            lacking=lacking,
        )

    async def run(
        self,
        actor: User,
        table: Table,
        mapping: list[str],
        file_name: str,
        policy: Policy,
        progress: Progress | None = None,
        choice: RequiredChoice = RequiredChoice.EMPTY,
    ) -> Outcome:
        """``choice``: rows lacking a required value are rejected, or imported with the
        field empty (the card's "imported" event names what it lacks)."""
        _require_member(actor)
        file_name = file_name[:255]
        async with (
            opened(self._session, self._clock, actor.id, file_name, policy) as batch_id,
            fields.new_fields(
                self._fields, actor, table.headers, mapping, Batch(self._session, batch_id)
            ) as (mapping, _made),
        ):
            work = await self.plan(table, mapping, paced=True)
            ctx = await self._context(actor, file_name, batch_id)
            reject_unknown_stages(work, ctx.stages)
            if choice == RequiredChoice.REJECT:
                reject_lacking(work, ctx.required)
            await rows_read(self._session, batch_id, mapping, len(work.rejected))
            if policy != Policy.CREATE:  # the file's rows of one card make one card
                merge_repeats(work)
            table.keep_only({r.number for r in work.rejected})  # the rest live on as drafts
            outcome = Outcome(batch_id=ctx.batch_id, rejected=work.rejected)
            client_of: dict[int, int | None] = {}
            total = len(work.drafts)
            see_all = visibility.sees_all_clients(actor, await self._settings.managers_see_all())

            async def write(indexes: range) -> None:
                ctx.now = self._clock.now()
                await self._chunk(ctx, work, indexes, policy, see_all, client_of, outcome)

            linker = Linker(self._session, actor, see_all, self._clock, ctx.batch_id)
            outcome.links = linker.result
            async with closing(self._session, ctx.batch_id, outcome.counts, self._clock) as beat:
                await in_chunks(self._session, self._pace, total, beat.guarded(write), progress)
                await linker.run(self._pace, outcome.linkable, beat.guarded)
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
        filled: list[int] = []
        repeated: list[int] = []  # their client is their first row's, maybe created below
        for index in indexes:
            draft = work.drafts[index]
            existing = known.match(draft)
            if index in work.repeats and policy != Policy.CREATE:
                repeated.append(index)
                outcome.repeat(work, index)
            elif existing is not None and policy != Policy.CREATE:
                visible = see_all or owners.get(existing) in (None, ctx.actor_id)
                client_of[index] = existing if visible else None
                if policy == Policy.FILL and visible:
                    fill.append((existing, draft))
                    filled.append(index)
                else:
                    outcome.skip(work, index)
            else:
                create.append(index)
        ids = await writer.create_clients(self._session, ctx, [work.drafts[i] for i in create])
        client_of.update(zip(create, ids, strict=True))
        client_of.update((i, client_of.get(root(work.repeats, i))) for i in repeated)
        outcome.linkable += link_rows(
            (d.number, cid, d.links)
            for i in (*create, *filled)
            if (cid := client_of.get(i)) is not None and (d := work.drafts[i]).links
        )
        outcome.created += len(ids)
        if fill:  # a client two chunks fill in is one updated client
            await writer.fill_clients(self._session, ctx, fill)
            outcome.filled.update(client_id for client_id, _ in fill)
            outcome.updated = len(outcome.filled)
        deals = [
            (cid, work.drafts[i], owners.get(cid) or ctx.manager_for(work.drafts[i]))
            for i in indexes
            if work.drafts[i].has_deal and (cid := client_of.get(i)) is not None
        ]
        new = await same_deals.new_ones(self._session, ctx.batch_id, deals)
        outcome.deals_there += len(deals) - len(new)
        outcome.deals += len(await writer.create_deals(self._session, ctx, new))

    async def _context(self, actor: User, file_name: str, batch_id: int) -> writer.Context:
        pipeline_id = await self._pipelines.default_pipeline_id()
        stages = await lookup.stage_names(self._session, pipeline_id)
        first = next(s for s in await self._pipelines.stages(pipeline_id) if s.kind == "open")
        statuses = lookup.status_names((s.code, s.name) for s in await self._settings.statuses())
        members = await lookup.member_names(self._session)
        now = self._clock.now()
        return writer.Context(
            batch_id=batch_id,
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
            zone=ZoneInfo(actor.timezone),
            required=await self.required(),
        )

    async def batches(self, actor: User, limit: int = 20, offset: int = 0) -> list[ImportBatch]:
        """The imports, newest first, from ``offset``: all of them for owners and admins, a
        manager's own for a manager. Those whose bot stopped under them are closed first
        (``batch_row.sweep``)."""
        _require_member(actor)
        await sweep(self._session, self._clock.now())
        query = select(ImportBatch).where(_visible(actor))
        query = query.order_by(ImportBatch.id.desc()).limit(limit).offset(offset)
        return list(await self._session.scalars(query))

    async def batch_count(self, actor: User) -> int:
        """How many imports ``batches`` pages through."""
        _require_member(actor)
        count = await self._session.scalar(
            select(func.count(ImportBatch.id)).where(_visible(actor))
        )
        return int(count or 0)

    async def batch(self, actor: User, batch_id: int) -> ImportBatch:
        """One of the imports ``batches`` shows, however old; NotFound for any other."""
        _require_member(actor)
        await sweep(self._session, self._clock.now())
        query = select(ImportBatch).where(ImportBatch.id == batch_id, _visible(actor))
        batch = await self._session.scalar(query)
        if batch is None:
            raise NotFound()
        return batch


def _visible(actor: User) -> ColumnElement[bool]:
    return true() if is_staff(actor) else ImportBatch.created_by == actor.id


def _require_member(actor: User) -> None:
    if not actor.active:
        raise NotAllowed()
