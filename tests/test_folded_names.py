"""Names at their longest that grow when folded ("ß" → "ss") are kept whole as search keys.

Folding may lengthen a name up to three times ("ΐ" folds to three characters); the
folded columns held 200, as many as the name itself, so PostgreSQL refused such a
client, deal or record (SQLite ignores a column's length).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.parsing.search_text import fold
from storage.models import Client, Deal, Record
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

LONGEST = "ß" * 199 + "ΐ"  # 200 characters, 401 folded


async def test_the_longest_names_that_fold_longer(app: App) -> None:
    client = await make_client(app, OWNER_ID, LONGEST)
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, client.id, 100, LONGEST)
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        record = await crm.records.create(owner, kind.id, "Альфа")
        await crm.records.rename(owner, record.id, LONGEST)
        await crm.client_edits.edit_text(owner, client.id, "name", LONGEST[::-1])
        await crm.deals.set_title(owner, deal.id, LONGEST[::-1])
    async with app.crm.open() as crm:
        session = crm.clients._session
        keys = [
            await session.scalar(select(Client.name_folded).where(Client.id == client.id)),
            await session.scalar(select(Deal.title_folded).where(Deal.id == deal.id)),
            await session.scalar(select(Record.title_folded).where(Record.id == record.id)),
        ]
        assert keys == [fold(LONGEST[::-1]), fold(LONGEST[::-1]), fold(LONGEST)]
        assert len(fold(LONGEST)) == 401
        found = await crm.client_queries.search(owner, "ΐss")
        assert [c.id for c in found] == [client.id]
        # an import finds the record by its whole name (the same key, not a piece of it)
        table = read_table(f"Название\n{LONGEST}\n".encode(), "x.csv")
        preview = await crm.record_imports.preview(owner, kind.id, table, ["name"])
        assert (preview.existing, preview.new) == (1, 0)
        done = await crm.record_imports.run(owner, kind.id, table, ["name"], "x.csv", Policy.SKIP)
        assert (done.created, done.skipped) == (0, 1)
