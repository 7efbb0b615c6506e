"""What a link's change writes besides the link: the event on a card's timeline, and a deal's
amount summed again from its lines when it follows them. And a card's links all removed
before the card is deleted, writing the same (a product deleted leaves no money in a deal).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.cards import (
    Card,
    CardKind,
    CardRef,
    event_refs,
    link_columns,
    link_event_data,
    link_side,
    title_of,
)
from crm.clock import Clock
from crm.errors import ErrorCode, InvalidInput
from crm.event_data import DealChanged
from crm.events import EventKind
from crm.link_views import MAX_AMOUNT_MINOR, line_total
from crm.row_locks import MOVES, TABLES, cards_locked
from storage.models import Client, Deal, Link, Record, User


def link_event(
    session: AsyncSession,
    clock: Clock,
    actor: User,
    kind: str,
    link: Link,
    card: tuple[CardRef, Card],
    other: tuple[CardRef, Card],
) -> None:
    """``kind`` ("link_added", "link_removed") on ``card``'s timeline, naming ``other``."""
    (ref, row), (other_ref, other_row) = card, other
    row.last_activity_at = clock.now()
    events.record(
        session,
        clock,
        kind,
        actor.id,
        **event_refs(ref),
        data=link_event_data(
            link.id,
            other_ref,
            title_of(other_row),
            other_row.type_id if isinstance(other_row, Record) else None,
            link.quantity_milli,
            link.price_minor,
        ),
    )


async def lines_total(session: AsyncSession, deal_id: int) -> int:
    """The total of the deal's lines; InvalidInput when it is more than a deal's amount can be
    (the lines each within bounds: a million pieces at 100 billion each came to 10^20
    kopecks, which the database refused as a number too large, a generic error)."""
    col_a, col_b = link_columns(CardKind.DEAL)
    rows = await session.execute(
        select(Link.quantity_milli, Link.price_minor).where(
            or_(col_a == deal_id, col_b == deal_id),
            Link.quantity_milli.is_not(None),
            Link.price_minor.is_not(None),
        )
    )
    total = sum(line_total(q or 0, p or 0) for q, p in rows)
    if total > MAX_AMOUNT_MINOR:
        raise InvalidInput(ErrorCode.LINES_TOO_LARGE)
    return total


async def follow_lines(
    session: AsyncSession, clock: Clock, actor: User, deal: Deal, *, check: bool = True
) -> None:
    """The deal's amount set to its lines' total if it follows them, and the change on its
    timeline; with ``check``, a total too large is refused even when it does not follow them
    (it would be refused when they are followed)."""
    if not deal.amount_from_lines and not check:
        return
    total = await lines_total(session, deal.id)
    if deal.amount_from_lines and total != deal.amount_minor:
        old, deal.amount_minor = deal.amount_minor, total
        events.record(
            session,
            clock,
            EventKind.DEAL_CHANGED,
            actor.id,
            client_id=deal.client_id,
            deal_id=deal.id,
            data=DealChanged(
                field="amount", old=old, new=total, currency=deal.currency, by_lines=True
            ),
        )


async def unlink_all(session: AsyncSession, clock: Clock, actor: User, ref: CardRef) -> None:
    """Remove the card's links before it is deleted (in the caller's transaction), as
    unlinking each by hand does on the other cards: "link_removed" on each one's timeline,
    and a deal that follows its lines summed again without the card's."""
    links = await _links_locked(session, ref)
    card = await _card(session, ref)
    if card is None or not links:
        return
    for link in links:
        await session.delete(link)
    await session.flush()
    deals: dict[int, Deal] = {}
    for link in links:
        a, b = link_side(link, "a"), link_side(link, "b")
        other_ref = b if a == ref else a
        other = await _card(session, other_ref)
        if other is None:
            continue
        link_event(session, clock, actor, "link_removed", link, (other_ref, other), (ref, card))
        if isinstance(other, Deal) and link.quantity_milli is not None:
            deals[other.id] = other
    for deal in deals.values():
        await follow_lines(session, clock, actor, deal, check=False)


async def _card(session: AsyncSession, ref: CardRef) -> Card | None:
    """The card as locked and read (``cards_locked``), or None if it is gone."""
    row = await session.get(TABLES[ref.kind], ref.id)
    return row if isinstance(row, Client | Deal | Record) else None


async def _links_locked(session: AsyncSession, ref: CardRef) -> list[Link]:
    """The card's links read afresh, the card and every card they join it to locked in
    ``cards_locked``'s one order. A link made after the first reading to a card not locked
    yet lets the locks go (a savepoint rolled back) and takes them again with it; after
    ``MOVES`` such turns the few left are locked as they come."""
    col_a, col_b = link_columns(ref.kind)
    query = (
        select(Link)
        .where(or_(col_a == ref.id, col_b == ref.id))
        .order_by(Link.id)
        .execution_options(populate_existing=True)
    )

    def cards(links: list[Link]) -> set[CardRef]:
        return {ref} | {link_side(link, side) for link in links for side in ("a", "b")}

    wanted = cards(list(await session.scalars(query)))
    for turn_number in range(MOVES):
        async with session.begin_nested() as turn:
            await cards_locked(session, wanted)
            links = list(await session.scalars(query))
            if cards(links) <= wanted or turn_number == MOVES - 1:
                break
            await turn.rollback()
        wanted |= cards(links)
    await cards_locked(session, cards(links) - wanted)
    return links
