"""A record's search line keeps every value put on it by writers at the same time.

On PostgreSQL with several instances, a member setting a record's value (or an import
filling the record) rebuilt the record's search line from the values it had read; a
value another member was setting, not committed yet, was not among them, and the later
commit wrote over the earlier: search no longer found the record by that value. The
other member is played by a second connection that has put its value on and into the
search line without committing; on SQLite the writer simply waits for the write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import insert, select, update

from bot.app import App
from crm.cards import CardKind, CardRef
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.parsing.fields import FieldType
from crm.service import Crm
from storage.models import FieldValue, Record
from tests.at_once import once_other_commits
from tests.client_helpers import member
from tests.conftest import OWNER_ID


async def while_another_sets_a_value(
    app: App, work: Callable[[Crm, Record, int], Awaitable[object]]
) -> str:
    """``work`` (given the CRM, the record "ЛедЗавод" and its "Район" field) while another
    connection puts "Север" in its "Склад" field; the record's search line after both."""
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        store, area = [
            await crm.fields.define(
                owner, CardKind.RECORD, name, FieldType.TEXT, record_type_id=kind.id
            )
            for name in ("Склад", "Район")
        ]
        record = await crm.records.create(owner, kind.id, "ЛедЗавод")
    async with app.engine.connect() as other:
        value = {"field_id": store.id, "record_id": record.id, "text_value": "Север"}
        await other.execute(insert(FieldValue).values(value))
        await other.execute(
            update(Record)
            .where(Record.id == record.id)
            .values(search_text=Record.search_text + " север")
        )

        async def run() -> object:
            async with app.crm.open() as crm:
                return await work(crm, record, area.id)

        await once_other_commits(other, run())
    async with app.engine.connect() as db:
        line = await db.scalar(select(Record.search_text).where(Record.id == record.id))
    assert line is not None
    return line


async def test_two_values_set_on_a_record_at_once_are_both_in_its_search_line(
    app: App,
) -> None:
    owner = await member(app, OWNER_ID)

    async def set_area(crm: Crm, record: Record, area_id: int) -> object:
        ref = CardRef(CardKind.RECORD, record.id)
        return await crm.field_values.set(owner, ref, area_id, "Заречье")

    line = await while_another_sets_a_value(app, set_area)
    assert "север" in line and "заречье" in line


async def test_an_import_filling_a_record_another_is_changing_keeps_the_others_value(
    app: App,
) -> None:
    owner = await member(app, OWNER_ID)

    async def fill(crm: Crm, record: Record, area_id: int) -> object:
        table = read_table("Название;Район\nЛедЗавод;Заречье\n".encode(), "x.csv")
        mapping = ["name", f"field_{area_id}"]
        return await crm.record_imports.run(
            owner, record.type_id, table, mapping, "x.csv", Policy.FILL
        )

    line = await while_another_sets_a_value(app, fill)
    assert "север" in line and "заречье" in line
