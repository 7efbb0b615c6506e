"""Importing records of one of the team's types: a name column and the type's fields.

The name is the natural key: a row named like a record of the type already in
the base (folded, not archived, exactly one such record) is a duplicate, and so
is a row repeating an earlier row's name; the member's policy decides (skip,
fill in the empty fields, create anyway), as for clients. Written in chunks of
bulk statements like clients (see ``crm.imports.record_writer``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.cards import CardKind, visible_records
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed
from crm.field_defs import FieldDefs, required_fields
from crm.imports import fields, record_writer
from crm.imports import mapping as columns
from crm.imports.batch_row import closing, opened, rows_read
from crm.imports.fields import Batch, new_fields
from crm.imports.link_targets import is_link, link_to
from crm.imports.linker import Linker, check_link_types, link_rows
from crm.imports.lookup import unseen as unseen_of
from crm.imports.mapping import Target, field_id, header_key
from crm.imports.outcome import Outcome
from crm.imports.paced import Progress, in_chunks, planned
from crm.imports.plan import Plan, Policy, merge_repeats, plan, reject_lacking
from crm.imports.preview import SAMPLE_ROWS, Preview
from crm.imports.reading import Table
from crm.imports.required import Required, RequiredChoice
from crm.imports.rows import RowDraft
from crm.pace import Pace
from crm.parsing.search_text import fold
from crm.team_settings import TeamSettings
from storage.models import FieldDef, Record, RecordType, User

CHUNK = 500
BUILT_IN = frozenset({Target.SKIP.value, Target.NAME.value, Target.NEW_FIELD.value})


def check(mapping: list[str], own: Iterable[int]) -> list[str]:
    """A records' mapping: their name, the type's own fields, a new one, links, or nothing."""
    allowed = set(own)
    for target in mapping:
        number = field_id(target)
        if target in BUILT_IN or (number in allowed) or link_to(target) is not None:
            continue
        raise InvalidInput(ErrorCode.IMPORT_BAD_TARGET, target=target[:40])
    if Target.NAME not in mapping:
        raise InvalidInput(ErrorCode.IMPORT_NO_TITLE)
    return mapping


async def known_titles(session: AsyncSession, type_id: int, titles: list[str]) -> dict[str, int]:
    """Records of the type by folded title; a title two records share matches none."""
    found: dict[str, int | None] = {}
    for start in range(0, len(titles), CHUNK):
        rows = await session.execute(
            select(Record.title_folded, Record.id).where(
                Record.type_id == type_id,
                Record.archived_at.is_(None),
                Record.title_folded.in_(titles[start : start + CHUNK]),
            )
        )
        for title, record_id in rows:
            found[title] = None if title in found else record_id
    return {title: rid for title, rid in found.items() if rid is not None}


class RecordImports:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        settings: TeamSettings,
        fields: FieldDefs,
        pace: Pace | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._settings = settings
        self._fields = fields
        self._pace = pace or Pace()

    async def record_type(self, type_id: int) -> RecordType:
        found = await self._session.get(RecordType, type_id)
        if found is None or found.archived_at is not None:
            raise Conflict(ErrorCode.RECORD_TYPE_ARCHIVED)
        return found

    async def _type_fields(self, type_id: int) -> dict[int, FieldDef]:
        return {f.id: f for f in await self._fields.of(CardKind.RECORD, type_id)}

    async def required(self, type_id: int) -> Required:
        return Required(await required_fields(self._session, CardKind.RECORD, type_id), {})

    async def plan(
        self, type_id: int, table: Table, mapping: list[str], *, paced: bool = False
    ) -> Plan:
        await self.record_type(type_id)
        found = await self._type_fields(type_id)
        check(mapping, found)
        await check_link_types(self._session, mapping)
        region = self._config.default_phone_region
        parse = fields.parser(found, region)
        if paced:  # a run: in steps that give way to members
            return await planned(self._pace, table, mapping, region, parse, (), True)
        return await asyncio.to_thread(plan, table, mapping, region, parse, (), True)

    async def preview(
        self,
        actor: User,
        type_id: int,
        table: Table,
        mapping: list[str],
        choice: RequiredChoice | None = None,
    ) -> Preview:
        if not actor.active:
            raise NotAllowed()
        work = await self.plan(type_id, table, mapping)
        required = await self.required(type_id)
        lacking = sum(1 for d in work.drafts if required.lacking(d))
        if choice == RequiredChoice.REJECT:
            reject_lacking(work, required)
        titles = sorted({fold(d.name) for d in work.drafts})
        known = await known_titles(self._session, type_id, titles)
        matches = [known.get(fold(d.name)) for d in work.drafts]
        seen = visible_records(actor, await self._settings.managers_see_all())
        unseen = await unseen_of(self._session, Record.id, seen, known.values())
        hidden = sum(1 for match in matches if match in unseen)
        existing = sum(1 for match in matches if match is not None) - hidden
        repeats = sum(1 for i in work.repeats if matches[i] is None)
        return Preview(
            rows=work.rows,
            new=len(work.drafts) - existing - hidden - repeats,
            existing=existing,
            updated=len({m for m in matches if m is not None and m not in unseen}),
            hidden=hidden,
            in_file=repeats,
            rejected=len(work.rejected),
            refused=work.rejected,
            deals=0,
            sample=work.drafts[:SAMPLE_ROWS],
            unmapped=required.unmapped(mapping, False),
            lacking=lacking,
        )

    async def run(
        self,
        actor: User,
        type_id: int,
        table: Table,
        mapping: list[str],
        file_name: str,
        policy: Policy,
        progress: Progress | None = None,
        choice: RequiredChoice = RequiredChoice.EMPTY,
    ) -> Outcome:
        if not actor.active:
            raise NotAllowed()
        await self.record_type(type_id)
        kind, file_name = (CardKind.RECORD, type_id), file_name[:255]
        async with (
            opened(self._session, self._clock, actor.id, file_name, policy) as batch_id,
            new_fields(
                self._fields, actor, table.headers, mapping, Batch(self._session, batch_id), kind
            ) as (mapping, _made),
        ):
            work = await self.plan(type_id, table, mapping, paced=True)
            ctx = record_writer.Context(
                batch_id=batch_id,
                file_name=file_name,
                actor_id=actor.id,
                now=self._clock.now(),
                type_id=type_id,
                required=await self.required(type_id),
            )
            if choice == RequiredChoice.REJECT:
                reject_lacking(work, ctx.required)
            await rows_read(self._session, batch_id, mapping, len(work.rejected))
            if policy != Policy.CREATE:  # the file's rows of one card make one card
                merge_repeats(work)
            table.keep_only({r.number for r in work.rejected})  # the rest live on as drafts
            outcome = Outcome(batch_id=ctx.batch_id, rejected=work.rejected)
            see_all = visibility.sees_all_clients(actor, await self._settings.managers_see_all())
            total = len(work.drafts)

            async def write(indexes: range) -> None:
                ctx.now = self._clock.now()
                await self._chunk(ctx, work, indexes, policy, see_all, outcome)

            linker = Linker(self._session, actor, see_all, self._clock, ctx.batch_id, type_id)
            outcome.links = linker.result
            async with closing(self._session, ctx.batch_id, outcome.counts, self._clock) as beat:
                await in_chunks(self._session, self._pace, total, beat.guarded(write), progress)
                await linker.run(self._pace, outcome.linkable, beat.guarded)
            return outcome

    async def _chunk(
        self,
        ctx: record_writer.Context,
        work: Plan,
        indexes: range,
        policy: Policy,
        see_all: bool,
        outcome: Outcome,
    ) -> None:
        titles = sorted({fold(work.drafts[i].name) for i in indexes})
        known = await known_titles(self._session, ctx.type_id, titles)
        owners: dict[int, int | None] = {}
        if known and not see_all:
            rows = await self._session.execute(
                select(Record.id, Record.manager_id).where(Record.id.in_(list(known.values())))
            )
            owners = {record_id: manager_id for record_id, manager_id in rows}
        create: list[RowDraft] = []
        fill: list[tuple[int, RowDraft]] = []
        for index in indexes:
            draft = work.drafts[index]
            existing = known.get(fold(draft.name))
            if index in work.repeats and policy != Policy.CREATE:
                outcome.repeat(work, index)
            elif existing is not None and policy != Policy.CREATE:
                visible = see_all or owners.get(existing) in (None, ctx.actor_id)
                if policy == Policy.FILL and visible:
                    fill.append((existing, draft))
                else:
                    outcome.skip(work, index)
            else:
                create.append(draft)
        ids = await record_writer.create_records(self._session, ctx, create)
        outcome.created += len(ids)
        if fill:  # a record two chunks fill in is one updated record
            await record_writer.fill_records(self._session, ctx, fill)
            outcome.filled.update(record_id for record_id, _ in fill)
            outcome.updated = len(outcome.filled)
        outcome.linkable += link_rows(
            (draft.number, record_id, draft.links)
            for record_id, draft in [*zip(ids, create, strict=True), *fill]
        )


TITLE_WORDS = frozenset({"название", "наименование", "title", "name", "имя", "наим"})


def propose(
    headers: list[str], own: Mapping[str, int], links: Mapping[str, str] | None = None
) -> list[str]:
    """Where each column of a records' file goes: the type's fields by their names, links by
    theirs (``link_targets.link_headers``), the name by its usual headers (else the first
    column nobody took), the rest skipped."""
    found = [
        t if t == Target.NAME or field_id(t) is not None or is_link(t) else Target.SKIP.value
        for t in columns.propose(headers, own, links)
    ]
    if Target.NAME not in found:
        titled = [i for i, h in enumerate(headers) if header_key(h) in TITLE_WORDS]
        free = [i for i, t in enumerate(found) if t == Target.SKIP]
        for index in [*titled, *free][:1]:
            if found[index] == Target.SKIP:
                found[index] = Target.NAME.value
    return found
