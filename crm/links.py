"""Links between any two cards, and a deal's product lines (links with quantity and price).

A member links only cards they can see, and sees a card's links only to cards
they can see. Making or removing a link writes one event on each card's
timeline. A deal may let its amount follow its lines' total.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, visibility
from crm.access import can_change_deal
from crm.cards import (
    Card,
    CardKind,
    CardRef,
    Cards,
    link_columns,
    link_side,
    title_of,
)
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed
from crm.link_views import (
    LinkView,
    card_params,
    check_line,
    link_views,
    links_query,
)
from crm.link_writes import follow_lines, link_event
from crm.row_locks import cards_locked, locked
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import Deal, FieldDef, FieldValue, Link, Record, User


class Links:
    def __init__(
        self, session: AsyncSession, clock: Clock, settings: TeamSettings, cards: Cards
    ) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings
        self._cards = cards

    async def link(
        self,
        actor: User,
        a: CardRef,
        b: CardRef,
        quantity_milli: int | None = None,
        price_minor: int | None = None,
    ) -> Link:
        if a == b:
            raise InvalidInput(ErrorCode.LINK_TO_ITSELF)
        check_line(quantity_milli, price_minor)
        async with write_transaction(self._session):
            # Two linking them at once (members, an import): one link. On PostgreSQL both
            # found no link and each made one; now the second waits and finds the first's.
            await cards_locked(self._session, (a, b))
            card_a = await self._cards.visible(actor, a)
            card_b = await self._cards.visible(actor, b)
            if await self._find(a, b) is not None:
                raise Conflict(ErrorCode.ALREADY_LINKED)
            deal = _deal_side(card_a, card_b)
            if quantity_milli is not None:
                if deal is None or not (isinstance(card_a, Record) or isinstance(card_b, Record)):
                    raise InvalidInput(ErrorCode.LINES_ARE_DEAL_AND_RECORD)
                if not can_change_deal(actor, deal):  # a line is part of the deal's amount
                    raise NotAllowed()
                if price_minor is None:
                    record = card_b if isinstance(card_b, Record) else card_a
                    price_minor = await self._record_price(record.id)
                    check_line(quantity_milli, price_minor)
            link = Link(
                **{f"a_{a.kind.value}_id": a.id, f"b_{b.kind.value}_id": b.id},
                quantity_milli=quantity_milli,
                price_minor=price_minor if quantity_milli is not None else None,
                created_by=actor.id,
                created_at=self._clock.now(),
            )
            self._session.add(link)
            await self._session.flush()
            self._both_events(actor, "link_added", link, a, card_a, b, card_b)
            if deal is not None and quantity_milli is not None:
                await self._follow_lines(actor, deal)
            return link

    async def refuse_if_linked(self, a: CardRef, b: CardRef) -> None:
        """Refused before a deal line's quantity is asked, not after it is typed: the cards
        are linked already (``link`` checks again, under the lock)."""
        if await self._find(a, b) is not None:
            raise Conflict(ErrorCode.ALREADY_LINKED)

    async def unlink(self, actor: User, link_id: int) -> None:
        async with write_transaction(self._session):
            link, a, b = await self._link_locked(link_id)
            card_a = await self._cards.visible(actor, a)
            card_b = await self._cards.visible(actor, b)
            was_line = link.quantity_milli is not None
            deal = _deal_side(card_a, card_b)
            if deal is not None and was_line and not can_change_deal(actor, deal):
                raise NotAllowed()
            await self._session.delete(link)
            await self._session.flush()
            self._both_events(actor, "link_removed", link, a, card_a, b, card_b)
            if deal is not None and was_line:
                await self._follow_lines(actor, deal, check=False)  # a total only lower

    async def set_line(
        self, actor: User, link_id: int, quantity_milli: int, price_minor: int
    ) -> Link:
        """Change a deal line's quantity and price (the deal's amount follows if asked)."""
        check_line(quantity_milli, price_minor)
        async with write_transaction(self._session):
            link, a, b = await self._link_locked(link_id)
            card_a = await self._cards.visible(actor, a)
            card_b = await self._cards.visible(actor, b)
            deal = _deal_side(card_a, card_b)
            if deal is None or not (isinstance(card_a, Record) or isinstance(card_b, Record)):
                raise InvalidInput(ErrorCode.LINES_ARE_DEAL_AND_RECORD)
            if not can_change_deal(actor, deal):
                raise NotAllowed()
            old = {"quantity": link.quantity_milli, "price": link.price_minor}
            link.quantity_milli, link.price_minor = quantity_milli, price_minor
            other = card_b if isinstance(card_b, Record) else card_a
            events.record(
                self._session,
                self._clock,
                "line_changed",
                actor.id,
                deal_id=deal.id,
                client_id=deal.client_id,
                data={
                    "link_id": link.id,
                    "title": title_of(other),
                    "old": old,
                    "new": {"quantity": quantity_milli, "price": price_minor},
                },
            )
            await self._follow_lines(actor, deal)
            return link

    async def set_amount_follows_lines(self, actor: User, deal_id: int, on: bool) -> Deal:
        async with write_transaction(self._session):
            await cards_locked(self._session, [CardRef(CardKind.DEAL, deal_id)])  # (_link_locked)
            deal = await self._cards.visible(actor, CardRef(CardKind.DEAL, deal_id))
            assert isinstance(deal, Deal)
            if not can_change_deal(actor, deal):
                raise NotAllowed()
            deal.amount_from_lines = on
            if on:
                await self._follow_lines(actor, deal)
            return deal

    # --- reading ---------------------------------------------------------------------

    async def of_card(self, actor: User, ref: CardRef) -> list[LinkView]:
        """The card's links to cards ``actor`` can see (checks the card itself first)."""
        await self._cards.visible(actor, ref)
        return await self.read(actor, ref)

    async def read(self, actor: User, ref: CardRef) -> list[LinkView]:
        """``of_card`` without checking the card itself (the caller did): one statement."""
        sees_all = visibility.sees_all_clients(actor, await self._settings.managers_see_all())
        query = links_query(ref.kind, sees_all)
        return link_views(await self._session.execute(query, card_params(actor, ref)))

    async def lines(self, actor: User, deal_id: int) -> tuple[list[LinkView], int]:
        """A deal's product lines and their total."""
        views = await self.of_card(actor, CardRef(CardKind.DEAL, deal_id))
        lines = [view for view in views if view.line_total is not None]
        return lines, sum(view.line_total or 0 for view in lines)

    # --- helpers ---------------------------------------------------------------------

    async def _link_locked(self, link_id: int) -> tuple[Link, CardRef, CardRef]:
        """The link and its two cards, the cards locked first as linking locks them
        (crm.row_locks), then the link read afresh. A deal's lines then change in turns: on
        PostgreSQL a line changed or removed while another was added or changed summed the
        lines it had read, and the deal's amount left the other's out."""
        link = await self._session.get(Link, link_id)
        if link is None:
            raise Conflict(ErrorCode.LINK_GONE)
        a, b = link_side(link, "a"), link_side(link, "b")
        await cards_locked(self._session, (a, b))
        if await locked(self._session, Link, link_id) is None:  # removed meanwhile
            raise Conflict(ErrorCode.LINK_GONE)
        return link, a, b

    async def _find(self, a: CardRef, b: CardRef) -> Link | None:
        a_a, a_b = link_columns(a.kind)
        b_a, b_b = link_columns(b.kind)
        return await self._session.scalar(
            select(Link)
            .where(or_(and_(a_a == a.id, b_b == b.id), and_(b_a == b.id, a_b == a.id)))
            .limit(1)
        )

    async def _record_price(self, record_id: int) -> int | None:
        """The record's first money field (a product's price), to price a new line."""
        return await self._session.scalar(
            select(FieldValue.int_value)
            .join(FieldDef, FieldDef.id == FieldValue.field_id)
            .where(FieldValue.record_id == record_id, FieldDef.type == "money")
            .order_by(FieldDef.position, FieldDef.id)
            .limit(1)
        )

    async def _follow_lines(self, actor: User, deal: Deal, check: bool = True) -> None:
        await follow_lines(self._session, self._clock, actor, deal, check=check)

    def _both_events(
        self, actor: User, kind: str, link: Link, a: CardRef, card_a: Card, b: CardRef, card_b: Card
    ) -> None:
        for card, other in (((a, card_a), (b, card_b)), ((b, card_b), (a, card_a))):
            link_event(self._session, self._clock, actor, kind, link, card, other)


def _deal_side(card_a: Card, card_b: Card) -> Deal | None:
    if isinstance(card_a, Deal):
        return card_a
    return card_b if isinstance(card_b, Deal) else None
