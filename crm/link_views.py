"""A link as a card shows it, the query that reads a card's links, and a deal line's
arithmetic. Pure: it builds the query, the caller runs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from crm import visibility
from crm.cards import CardKind, CardRef, link_columns
from crm.errors import ErrorCode, InvalidInput
from crm.parsing.amounts import MAX_UNITS
from storage.models import Client, Deal, Link, Record, User

MAX_QUANTITY_MILLI = 10**12
MAX_PRICE_MINOR = 10**14
# The largest amount a deal holds: what an amount typed can be (``parsing.amounts``). A
# line's total and the sum of a deal's lines are kept within it too.
MAX_AMOUNT_MINOR = int(MAX_UNITS) * 100 - 1
MAX_LINKS_SHOWN = 200
CARD, ACTOR = "card", "actor"  # the bound parameters of the queries built once
# Made once: a new alias per card costs more Python than the rest of the query.
_OTHER_CLIENT = aliased(Client, name="other_client")
_DEAL_CLIENT = aliased(Client, name="deal_client")


@dataclass(frozen=True)
class LinkView:
    link_id: int
    quantity_milli: int | None  # a deal line's quantity and price (None: a plain link)
    price_minor: int | None
    other: CardRef
    title: str
    type_id: int | None  # the record type of the other card, for grouping
    archived: bool = False

    @property
    def line_total(self) -> int | None:
        if self.quantity_milli is None or self.price_minor is None:
            return None
        return line_total(self.quantity_milli, self.price_minor)


def card_params(actor: User, ref: CardRef) -> dict[str, int]:
    """The values of the bound parameters of ``links_query`` (and ``values_query``)."""
    return {CARD: ref.id, ACTOR: actor.id}


@cache
def links_query(kind: CardKind, sees_all: bool) -> Select[*tuple[Any, ...]]:
    """The first ``MAX_LINKS_SHOWN`` links of a card of ``kind`` with the other card's
    title joined if the reader may see it (``link_views`` leaves out the others): one
    statement. ``sees_all``: ``visibility.sees_all_clients`` for the reader; else they
    see the unassigned cards and their own. Built once per kind and reader (building
    it costs more than running it); run it with ``card_params``."""
    card: BindParameter[int] = bindparam(CARD, type_=Integer)
    reader: BindParameter[int] = bindparam(ACTOR, type_=BigInteger)
    col_a, col_b = link_columns(kind)
    on_b = col_a == card  # the other card is on side b, else on side a

    def other(of: CardKind) -> ColumnElement[int | None]:
        side_a, side_b = link_columns(of)
        return case((on_b, side_b), else_=side_a)

    def seen(manager_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
        return true() if sees_all else visibility.managed_by(manager_id, reader)

    client, owner = _OTHER_CLIENT, _DEAL_CLIENT
    other_client, other_deal, other_record = (other(of) for of in CardKind)
    return (
        select(
            Link.id.label("link_id"),
            Link.quantity_milli,
            Link.price_minor,
            other_client.label("other_client_id"),
            other_deal.label("other_deal_id"),
            other_record.label("other_record_id"),
            client.name.label("client_name"),
            client.archived_at.label("client_archived_at"),
            Deal.title.label("deal_title"),
            owner.id.label("deal_client_id"),
            Record.title.label("record_title"),
            Record.type_id.label("record_type_id"),
            Record.archived_at.label("record_archived_at"),
        )
        .outerjoin(client, and_(client.id == other_client, seen(client.manager_id)))
        .outerjoin(Deal, Deal.id == other_deal)
        .outerjoin(owner, and_(owner.id == Deal.client_id, seen(owner.manager_id)))
        .outerjoin(Record, and_(Record.id == other_record, seen(Record.manager_id)))
        .where(or_(col_a == card, col_b == card))
        .order_by(Link.id)
        .limit(MAX_LINKS_SHOWN)
    )


def link_views(rows: Iterable[Sequence[Any]]) -> list[LinkView]:
    """The rows of ``links_query`` as the card shows them, without the hidden cards."""
    views = []
    for row in rows:
        link_id, quantity, price, client_id, deal_id, record_id = row[:6]
        name, client_archived, deal, deal_seen, title, type_id, record_archived = row[6:13]
        if client_id is not None and name is not None:
            other = CardRef(CardKind.CLIENT, client_id)
            views.append(
                LinkView(link_id, quantity, price, other, name, None, client_archived is not None)
            )
        elif deal_id is not None and deal_seen is not None:
            other = CardRef(CardKind.DEAL, deal_id)
            views.append(LinkView(link_id, quantity, price, other, deal, None))
        elif record_id is not None and title is not None:
            other = CardRef(CardKind.RECORD, record_id)
            archived = record_archived is not None
            views.append(LinkView(link_id, quantity, price, other, title, type_id, archived))
    return views


def line_total(quantity_milli: int, price_minor: int) -> int:
    return (quantity_milli * price_minor + 500) // 1000


def quantity_milli(quantity: Decimal) -> int:
    """A deal line's quantity in the thousandths it is kept in; one finer is refused, never
    rounded (0.0004 was rounded to 0 and refused as no quantity, 0.0015 taken as 0.002)."""
    milli = quantity * 1000
    if milli != milli.to_integral_value():
        raise InvalidInput(ErrorCode.QUANTITY_TOO_PRECISE)
    return int(milli)


def check_line(quantity_milli: int | None, price_minor: int | None) -> None:
    if quantity_milli is not None and not 0 < quantity_milli < MAX_QUANTITY_MILLI:
        raise InvalidInput(ErrorCode.BAD_QUANTITY)
    if price_minor is not None and not 0 <= price_minor < MAX_PRICE_MINOR:
        raise InvalidInput(ErrorCode.BAD_PRICE)
    if quantity_milli is None or price_minor is None:
        return
    if line_total(quantity_milli, price_minor) > MAX_AMOUNT_MINOR:
        raise InvalidInput(ErrorCode.LINE_TOO_LARGE)
