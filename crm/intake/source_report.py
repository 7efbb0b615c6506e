"""Per source: new clients, deals opened and won, conversion, won amount, for a period.

A client's source is the one written on its card (a form source's name,
"Telegram", or what a member typed). ``conversion`` is the share of the
period's new clients from that source who have a won deal (at any time), so
it reads "of the leads it brought, how many bought". A manager's figures are about
their own work, as the rest of their /report: the new clients they are responsible for
(and how many of those bought), the deals they hold opened and won (not the deals of
others on their clients). A deal thrown out as spam is not counted as opened
(crm.lost_reasons.not_spam), nor a card a spam lead made, archived by Spam, as a new
client (``not_spam_card``): a spammer inflated the one and lowered the other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.lost_reasons import not_spam, not_spam_card
from storage.models import Client, Deal, Stage, User


@dataclass(frozen=True)
class SourceFigures:
    source: str | None
    new_clients: int
    deals_opened: int
    deals_won: int
    won_amount: int
    conversion: float | None  # None when the source brought no new clients


async def figures_by_source(
    session: AsyncSession, actor: User, start: datetime, end: datetime
) -> list[SourceFigures]:
    staff = is_staff(actor)
    mine: ColumnElement[bool] = true() if staff else Client.manager_id == actor.id
    my_deals: ColumnElement[bool] = true() if staff else Deal.manager_id == actor.id
    new = dict(
        (
            await session.execute(
                select(Client.source, func.count())
                .where(mine, Client.created_at >= start, Client.created_at < end, not_spam_card())
                .group_by(Client.source)
            )
        ).all()
    )
    converted = dict(
        (
            await session.execute(
                select(Client.source, func.count(func.distinct(Client.id)))
                .join(Deal, Deal.client_id == Client.id)
                .join(Stage, Stage.id == Deal.stage_id)
                .where(
                    mine,
                    Client.created_at >= start,
                    Client.created_at < end,
                    not_spam_card(),
                    Stage.kind == "won",
                )
                .group_by(Client.source)
            )
        ).all()
    )
    opened = dict(
        (
            await session.execute(
                select(Client.source, func.count())
                .select_from(Deal)
                .join(Client, Client.id == Deal.client_id)
                .where(my_deals, Deal.created_at >= start, Deal.created_at < end, not_spam())
                .group_by(Client.source)
            )
        ).all()
    )
    won_rows = await session.execute(
        select(Client.source, func.count(), func.coalesce(func.sum(Deal.amount_minor), 0))
        .select_from(Deal)
        .join(Client, Client.id == Deal.client_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(my_deals, Stage.kind == "won", Deal.closed_at >= start, Deal.closed_at < end)
        .group_by(Client.source)
    )
    won: dict[str | None, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for source, count, amount in won_rows.all():
        won[source] = (int(count), int(amount))
    sources = set(new) | set(opened) | set(won)
    result = [
        SourceFigures(
            source=source,
            new_clients=int(new.get(source, 0)),
            deals_opened=int(opened.get(source, 0)),
            deals_won=won[source][0],
            won_amount=won[source][1],
            conversion=(int(converted.get(source, 0)) / int(new[source]))
            if new.get(source)
            else None,
        )
        for source in sources
    ]
    return sorted(result, key=lambda f: (-f.won_amount, -f.new_clients, f.source or "\uffff"))
