"""links once: two cards linked twice, before linking locked the cards, keep one link

Two members linking the same two cards at once (PostgreSQL, several instances), or an
import linking them while a member did, each made a link, so the cards listed each
other twice; linking now locks the cards first, but the links made twice before stay.
Here each pair of cards keeps one link (either way round: a to b and b to a are the
same two cards): its oldest line (a link with a quantity and a price) if it has one,
so a deal's line is never dropped for a plain link made beside it, else its oldest
link; with that link's own quantity and price, nothing summed. The others are removed. A deal whose amount follows its lines gets the amount of the lines
that stay. The events written when the links were made stay, as all history does; an
import's undo finds its removed link gone, as if a member had unlinked it.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BATCH = 500
KINDS = ("client", "deal", "record")
DEAL = KINDS.index("deal")
PAIR = ("k1", "i1", "k2", "i2")

LINKS = sa.table(
    "links",
    sa.column("id", sa.Integer),
    *(sa.column(f"{side}_{kind}_id", sa.Integer) for side in "ab" for kind in KINDS),
    sa.column("quantity_milli", sa.BigInteger),
    sa.column("price_minor", sa.BigInteger),
    sa.column("created_at", sa.DateTime),
)
DEALS = sa.table(
    "deals",
    sa.column("id", sa.Integer),
    sa.column("amount_minor", sa.BigInteger),
    sa.column("amount_from_lines", sa.Boolean),
)


def _side(side: str) -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    """The card on ``side`` of a link (one of its three columns is set): its kind, as an
    index into KINDS, and its id."""
    columns = [LINKS.c[f"{side}_{kind}_id"] for kind in KINDS]
    kind = sa.case(*((c.is_not(None), n) for n, c in enumerate(columns[:-1])), else_=2)
    return kind, sa.func.coalesce(*columns)


def _pairs() -> sa.Subquery:
    """Each link as its two cards in one order whichever side each is on (k1, i1, k2, i2)."""
    (ka, ia), (kb, ib) = _side("a"), _side("b")
    a_first = sa.or_(ka < kb, sa.and_(ka == kb, ia < ib))
    first = [sa.case((a_first, ka), else_=kb), sa.case((a_first, ia), else_=ib)]
    second = [sa.case((a_first, kb), else_=ka), sa.case((a_first, ib), else_=ia)]
    return sa.select(
        LINKS.c.id,
        LINKS.c.created_at,
        LINKS.c.quantity_milli,
        sa.case(
            (sa.and_(LINKS.c.quantity_milli.is_not(None), LINKS.c.price_minor.is_not(None)), 0),
            else_=1,
        ).label("plain"),
        *(c.label(n) for c, n in zip([*first, *second], PAIR, strict=True)),
    ).subquery()


def _line_total(quantity_milli: int, price_minor: int) -> int:
    """crm.link_views.line_total as of this revision (a migration imports nothing of ours)."""
    return (quantity_milli * price_minor + 500) // 1000


def _amount(bind: sa.Connection, deal_id: int) -> int:
    """The total of the deal's lines: its links with a quantity and a price."""
    lines = bind.execute(
        sa.select(LINKS.c.quantity_milli, LINKS.c.price_minor).where(
            sa.or_(LINKS.c.a_deal_id == deal_id, LINKS.c.b_deal_id == deal_id),
            LINKS.c.quantity_milli.is_not(None),
            LINKS.c.price_minor.is_not(None),
        )
    )
    return sum(_line_total(q, p) for q, p in lines)


def upgrade() -> None:
    bind = op.get_bind()
    links = _pairs()
    pair = [links.c[n] for n in PAIR]
    twice = sa.select(*pair).group_by(*pair).having(sa.func.count() > 1).subquery()
    rows = bind.execute(
        sa.select(links.c.id, links.c.quantity_milli, *pair)
        .join(twice, sa.and_(*(c == twice.c[c.name] for c in pair)))
        .order_by(*pair, links.c.plain, links.c.created_at, links.c.id)
    ).all()
    kept: set[tuple[int, ...]] = set()
    removed: list[int] = []
    deals: set[int] = set()  # deals that lose a line
    for link_id, quantity, *cards in rows:
        if tuple(cards) not in kept:  # the pair's oldest line, else its oldest link
            kept.add(tuple(cards))
            continue
        removed.append(link_id)
        if quantity is not None:
            deals.update(i for k, i in (cards[:2], cards[2:]) if k == DEAL)
    for start in range(0, len(removed), BATCH):
        bind.execute(LINKS.delete().where(LINKS.c.id.in_(removed[start : start + BATCH])))
    for deal_id in sorted(deals):
        bind.execute(
            DEALS.update()
            .where(DEALS.c.id == deal_id, DEALS.c.amount_from_lines.is_(True))
            .values(amount_minor=_amount(bind, deal_id))
        )


def downgrade() -> None:
    """The removed links are not made again: each was the same two cards as one kept."""
