"""Finding a card of any kind by a few words, to link it (the actor's visibility applies)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.cards import CardKind, CardRef
from crm.client_index import searched_terms
from crm.client_queries import ClientQueries
from crm.record_queries import RecordFilter, RecordQueries
from crm.team_settings import TeamSettings
from storage.models import Client, Deal, User

LIMIT = 8


class CardSearch:
    def __init__(
        self,
        session: AsyncSession,
        settings: TeamSettings,
        clients: ClientQueries,
        records: RecordQueries,
    ) -> None:
        self._session = session
        self._settings = settings
        self._clients = clients
        self._records = records

    async def find(
        self, actor: User, kind: CardKind, text: str, type_id: int | None = None
    ) -> list[tuple[CardRef, str]]:
        """Up to 8 cards of ``kind`` (of one record type for records) matching ``text``;
        none for a text of nothing but punctuation (no term left: it matched every card)."""
        terms = searched_terms(text)
        if not terms:
            return []
        if kind == CardKind.CLIENT:
            found = await self._clients.search(actor, text, limit=LIMIT)
            return [(CardRef(kind, c.id), c.name) for c in found]
        if kind == CardKind.RECORD:
            assert type_id is not None
            page = await self._records.page(actor, type_id, RecordFilter(search=text), 0, LIMIT)
            return [(CardRef(kind, r.id), r.title) for r in page.records]
        see_all = await self._settings.managers_see_all()
        query = (
            select(Deal.id, Deal.title, Client.name)
            .join(Client, Client.id == Deal.client_id)
            .where(visibility.visible_clients(actor, see_all))
            .order_by(Deal.last_activity_at.desc())
            .limit(LIMIT)
        )
        # The folded title, as the terms are: SQLite's LIKE ignores the case of ASCII
        # letters only, so "монтаж" never met the title "Монтаж".
        for term in terms:
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(
                (Deal.title_folded + " " + Client.name_folded).like(f"%{escaped}%", escape="\\")
            )
        rows = await self._session.execute(query)
        return [(CardRef(kind, deal_id), f"{title} · {name}") for deal_id, title, name in rows]
