"""What a link's change writes besides the link: the event on a card's timeline, and a deal's
amount summed again from its lines when it follows them. And a card's links all removed
before the card is deleted, writing the same (a product deleted leaves no money in a deal).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
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
from crm.row_locks import CHUNK, MOVES, TABLES, cards_locked
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


Lock = Callable[[set[CardRef]], Awaitable[object]]  # locks the cards given (and what else)
Gone = Callable[[], Awaitable[set[CardRef]]]  # the cards about to be deleted, read now


@dataclass(frozen=True)
class Unlinking:
    """The cards about to be deleted and their links, all locked (``links_locked``)."""

    gone: set[CardRef]
    links: list[Link]


async def unlink_all(session: AsyncSession, clock: Clock, actor: User, ref: CardRef) -> None:
    """Remove the card's links before it is deleted (in the caller's transaction): ``unlink``
    of what ``links_locked`` finds."""

    async def gone() -> set[CardRef]:
        return {ref}

    await unlink(session, clock, actor, await links_locked(session, gone))


def client_and_deals(session: AsyncSession, client_id: int) -> Gone:
    """A client about to be deleted and its deals, which go with it."""

    async def gone() -> set[CardRef]:
        deals = await session.scalars(select(Deal.id).where(Deal.client_id == client_id))
        return {CardRef(CardKind.CLIENT, client_id)} | {CardRef(CardKind.DEAL, i) for i in deals}

    return gone


async def unlink(session: AsyncSession, clock: Clock, actor: User, found: Unlinking) -> None:
    """Remove the links of cards about to be deleted, as unlinking each by hand does on the
    cards that stay: "link_removed" on each one's timeline naming the card that goes, and a
    deal that follows its lines summed again without the card's. Links between two cards
    that both go (a client and its own deal) go with no line."""
    if not found.links:
        return
    for part in _chunks([link.id for link in found.links]):
        await session.execute(delete(Link).where(Link.id.in_(part)))
    deals: dict[int, Deal] = {}
    for link in found.links:
        a, b = link_side(link, "a"), link_side(link, "b")
        if a in found.gone and b in found.gone:
            continue
        ref, other_ref = (a, b) if a in found.gone else (b, a)
        card, other = await _card(session, ref), await _card(session, other_ref)
        if card is None or other is None:
            continue
        link_event(session, clock, actor, "link_removed", link, (other_ref, other), (ref, card))
        if isinstance(other, Deal) and link.quantity_milli is not None:
            deals[other.id] = other
    for deal in deals.values():
        await follow_lines(session, clock, actor, deal, check=False)


async def _card(session: AsyncSession, ref: CardRef) -> Card | None:
    """The card as locked and read (``links_locked``), or None if it is gone."""
    row = await session.get(TABLES[ref.kind], ref.id)
    return row if isinstance(row, Client | Deal | Record) else None


async def links_locked(session: AsyncSession, gone: Gone, lock: Lock | None = None) -> Unlinking:
    """The cards ``gone`` names and their links read afresh, those cards and every card their
    links join them to locked by ``lock`` (``cards_locked``'s one order by default; a deal's
    deletion locks its client first, ``deals_locked``). A link made (or a client's deal)
    after the first reading to a card not locked yet lets the locks go (a savepoint rolled
    back) and takes them again with it; after ``MOVES`` such turns the few left are locked as
    they come."""

    async def by_default(refs: set[CardRef]) -> object:
        return await cards_locked(session, refs)

    take = lock or by_default

    async def read() -> Unlinking:
        cards, links = await gone(), dict[int, Link]()
        for kind, ids in _ids(cards):
            for part in _chunks(ids):
                of_part = or_(*(column.in_(part) for column in link_columns(kind)))
                query = select(Link).where(of_part).execution_options(populate_existing=True)
                links.update((link.id, link) for link in await session.scalars(query))
        return Unlinking(cards, [links[i] for i in sorted(links)])

    def cards(found: Unlinking) -> set[CardRef]:
        sides = {link_side(link, side) for link in found.links for side in ("a", "b")}
        return found.gone | sides

    found = await read()
    wanted = cards(found)
    for turn_number in range(MOVES):
        async with session.begin_nested() as turn:
            await take(wanted)
            found = await read()
            if cards(found) <= wanted or turn_number == MOVES - 1:
                break
            await turn.rollback()
        wanted |= cards(found)
    if cards(found) - wanted:
        await take(cards(found) - wanted)
    return found


def _ids(refs: set[CardRef]) -> list[tuple[CardKind, list[int]]]:
    return [
        (kind, ids) for kind in CardKind if (ids := sorted(r.id for r in refs if r.kind == kind))
    ]


def _chunks(ids: list[int]) -> list[list[int]]:
    """``ids`` in parts of ``CHUNK`` (a client's thousands of deals, in bound parameters)."""
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
