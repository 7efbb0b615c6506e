"""Lead sources: the website forms that post to ``/leads/<token>``, set up by the owner.

The token is shown once and kept only as a hash; replacing it stops the old
URL at once (the next request with it finds nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.clock import Clock
from crm.errors import ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.intake.issued import IssuedTokens
from crm.parsing.search_text import one_line
from crm.row_locks import locked
from crm.team_settings import can_change_settings
from crm.tokens import new_token, token_hash
from storage.engine import write_transaction
from storage.models import LeadSource, User

ASSIGN_MODES = ("member", "round_robin", "queue")
MAX_SOURCE_NAME = 100
MAX_SOURCES = 50
# Longer than any token ``new_token`` makes: such a URL is never a source's.
MAX_TOKEN = 128


@dataclass(frozen=True)
class IssuedToken:
    """A source and its secret token, which is never shown again."""

    source: LeadSource
    token: str


def clean_source_name(text: str) -> str:
    name = one_line(text)
    if not name:
        raise InvalidInput(ErrorCode.EMPTY, field="source")
    if len(name) > MAX_SOURCE_NAME:
        raise InvalidInput(ErrorCode.TOO_LONG, field="source", limit=MAX_SOURCE_NAME)
    return name


class LeadSources:
    def __init__(
        self, session: AsyncSession, clock: Clock, issued: IssuedTokens | None = None
    ) -> None:
        self._session = session
        self._clock = clock
        self._issued = issued if issued is not None else IssuedTokens()  # nobody listening

    async def all(self, actor: User) -> list[LeadSource]:
        _require_owner(actor)
        rows = await self._session.scalars(
            select(LeadSource).where(LeadSource.active.is_(True)).order_by(LeadSource.id)
        )
        return list(rows)

    async def get(self, actor: User, source_id: int) -> LeadSource:
        _require_owner(actor)
        source = await self._session.get(LeadSource, source_id)
        if source is None or not source.active:
            raise NotFound()
        return source

    async def _locked(self, actor: User, source_id: int) -> LeadSource:
        """The source, read afresh and locked until the transaction ends: two presses at
        once (two owners, two members put in turn) take turns instead of one undoing the
        other."""
        await self.get(actor, source_id)
        source = await locked(self._session, LeadSource, source_id)
        if source is None or not source.active:
            raise NotFound()
        return source

    async def by_token(self, token: str) -> LeadSource | None:
        """The active source behind a URL's token; None for an unknown or replaced one."""
        if not token or len(token) > MAX_TOKEN:
            return None
        source = await self._session.scalar(
            select(LeadSource).where(LeadSource.token_hash == token_hash(token))
        )
        return source if source is not None and source.active else None

    async def token_hashes(self) -> frozenset[str]:
        """The token hashes of the active sources (at most ``MAX_SOURCES``)."""
        rows = await self._session.scalars(select(LeadSource.token_hash).where(LeadSource.active))
        return frozenset(rows)

    async def create(
        self,
        actor: User,
        name: str,
        assign: str = "queue",
        member_ids: tuple[int, ...] = (),
        open_deal: bool = False,
    ) -> IssuedToken:
        _require_owner(actor)
        clean = clean_source_name(name)
        async with write_transaction(self._session):
            members = await self._check_assignment(assign, member_ids)
            active = await self._session.scalars(
                select(LeadSource.id).where(LeadSource.active.is_(True))
            )
            if len(list(active)) >= MAX_SOURCES:
                raise InvalidInput(ErrorCode.TOO_MANY_SOURCES, limit=MAX_SOURCES)
            token = new_token()
            source = LeadSource(
                name=clean,
                token_hash=token_hash(token),
                assign=assign,
                member_ids=members,
                turn=0,
                open_deal=open_deal,
                active=True,
                created_by=actor.id,
                created_at=self._clock.now(),
            )
            self._session.add(source)
            await self._session.flush()
            self._record(actor, "lead_source_created", source)
        self._issued.tell(token_hash(token))  # committed: this process's route knows it now
        return IssuedToken(source, token)

    async def replace_token(self, actor: User, source_id: int) -> IssuedToken:
        async with write_transaction(self._session):
            source = await self.get(actor, source_id)
            token, replaced = new_token(), source.token_hash
            source.token_hash = token_hash(token)
            source.token_replaced_at = self._clock.now()
            self._record(actor, "lead_source_token_replaced", source)
        self._issued.tell(token_hash(token), replaced)
        return IssuedToken(source, token)

    async def set_assignment(
        self, actor: User, source_id: int, assign: str, member_ids: tuple[int, ...] = ()
    ) -> LeadSource:
        """Who gets the source's leads; as it is already (a second press): left, its turn too."""
        async with write_transaction(self._session):
            source = await self._locked(actor, source_id)
            kept = frozenset(int(m) for m in source.member_ids)
            ids = await self._check_assignment(assign, member_ids, kept)
            if source.assign == assign and [int(m) for m in source.member_ids] == ids:
                return source
            source.member_ids = ids
            source.assign = assign
            source.turn = 0
            self._record(actor, "lead_source_changed", source)
            return source

    async def set_in_turn(
        self, actor: User, source_id: int, member_id: int, on: bool
    ) -> tuple[LeadSource, bool]:
        """``member_id`` takes the source's leads in turn with the others (``on``) or no
        longer (the last one out: the queue gets them); whether that changed anything."""
        async with write_transaction(self._session):
            source = await self._locked(actor, source_id)
            turn = [int(m) for m in source.member_ids] if source.assign == "round_robin" else []
            if (member_id in turn) == on:
                return source, False
            turn = [*turn, member_id] if on else [m for m in turn if m != member_id]
            kept = frozenset(int(m) for m in source.member_ids)
            if turn:  # of those in it, one deactivated since is let go
                turn = await self._check_assignment("round_robin", tuple(turn), kept, True)
            source.member_ids = turn
            source.assign = "round_robin" if turn else "queue"
            source.turn = 0
            self._record(actor, "lead_source_changed", source)
            return source, True

    async def set_open_deal(
        self, actor: User, source_id: int, open_deal: bool
    ) -> tuple[LeadSource, bool]:
        """Whether each lead opens a deal too; whether that changed anything."""
        async with write_transaction(self._session):
            source = await self._locked(actor, source_id)
            if source.open_deal == open_deal:
                return source, False
            source.open_deal = open_deal
            self._record(actor, "lead_source_changed", source)
            return source, True

    async def remove(self, actor: User, source_id: int) -> None:
        """Switch a source off for good: its URL answers 404; its leads and clients stay."""
        async with write_transaction(self._session):
            source = await self.get(actor, source_id)
            source.active = False
            self._record(actor, "lead_source_removed", source)

    async def _check_assignment(
        self,
        assign: str,
        member_ids: tuple[int, ...],
        kept: frozenset[int] = frozenset(),
        none_left_ok: bool = False,
    ) -> list[int]:
        """The members to store: active ones; of those ``kept`` from before, the ones
        deactivated since are let go rather than refused (nobody could remove them);
        with ``none_left_ok``, letting them go may leave nobody."""
        if assign not in ASSIGN_MODES:
            raise InvalidInput(ErrorCode.BAD_ASSIGNMENT)
        if assign == "queue":
            return []
        ids = list(dict.fromkeys(member_ids))
        active = set(
            await self._session.scalars(
                select(User.id).where(User.id.in_(ids), User.active.is_(True))
            )
        )
        ids = [i for i in ids if i in active or i not in kept]
        if not ids and none_left_ok:
            return []
        if not ids or (assign == "member" and len(ids) != 1) or not active.issuperset(ids):
            raise InvalidInput(ErrorCode.BAD_ASSIGNMENT)
        return ids

    def _record(self, actor: User, kind: str, source: LeadSource) -> None:
        events.record(
            self._session,
            self._clock,
            kind,
            actor.id,
            data={
                "source_id": source.id,
                "name": source.name,
                "assign": source.assign,
                "member_ids": list(source.member_ids),
                "open_deal": source.open_deal,
            },
        )


def _require_owner(actor: User) -> None:
    if not can_change_settings(actor):
        raise NotAllowed()
