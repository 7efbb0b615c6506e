"""An export from a list filtered by custom fields holds what the list shows: a record
list's export its filtered records; a client list's export, once a filtered field is
deleted, the clients the list shows without that filter."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.imports.reading import read_table
from crm.parsing.fields import FieldType
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_exports_flow import export_from
from tests.test_field_filters_flow import client_fields, fill, owner_of


async def test_a_record_list_filtered_by_a_field_exports_its_records(
    app: App, owner_en: SimulatedUser
) -> None:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        products = await crm.record_types.take_starter(me, "products")
        kind = await crm.fields.define(
            me,
            CardKind.RECORD,
            "Kind",
            FieldType.CHOICE,
            record_type_id=products.id,
            options=["Frozen", "Hot"],
        )
        for title, sort in (("Ice", "Frozen"), ("Steam", "Hot"), ("Snow", "Frozen")):
            await crm.records.create(me, products.id, title, {kind.id: sort})
    await owner_en.send("/records")
    await owner_en.press("Products")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Kind")
    await owner_en.press("Hot")
    rows = await export_from(owner_en, "Excel (.xlsx)")
    assert [row[1] for row in rows[1:]] == ["Steam"]


async def test_a_client_list_export_drops_a_deleted_fields_filter(
    app: App, owner_en: SimulatedUser
) -> None:
    fields = await client_fields(app)
    anna = await make_client(app, OWNER_ID, "Anna")
    await make_client(app, OWNER_ID, "Boris")
    await fill(app, anna.id, fields, Line="Ice")
    await owner_en.send("/clients")
    await owner_en.press("🔎 Filters")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Line")
    await owner_en.press("Ice")
    async with app.crm.open() as crm:
        await crm.fields.delete(await owner_of(app), fields["Line"].id)
    rows = await export_from(owner_en, "Excel (.xlsx)")
    assert sorted(str(row[1]) for row in rows[1:]) == ["Anna", "Boris"]


async def test_a_deal_list_export_drops_a_deleted_fields_filter(
    app: App, owner_en: SimulatedUser
) -> None:
    me = await owner_of(app)
    client = await make_client(app, OWNER_ID, "Roga")
    async with app.crm.open() as crm:
        product = await crm.fields.define(
            me, CardKind.DEAL, "Product", FieldType.CHOICE, options=["Ice", "Steam"]
        )
        for title, line in (("Cubes", "Ice"), ("Sauna", "Steam")):
            deal = await crm.deals.create(me, client.id, 0, title)
            await crm.field_values.set(me, CardRef(CardKind.DEAL, deal.id), product.id, line)
    await owner_en.send("/deals")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Product")
    [overview] = await owner_en.press("Ice")
    assert "Open: 1" in overview.text
    async with app.crm.open() as crm:
        await crm.fields.delete(me, product.id)
    rows = await export_from(owner_en, "Excel (.xlsx)")
    titles = {str(cell) for row in rows[1:] for cell in row}
    assert {"Cubes", "Sauna"} <= titles, rows


@pytest.mark.parametrize(
    ("language", "button", "said"),
    [
        ("en", "Clients · CSV", "yes"),
        ("en", "Clients · XLSX", "yes"),
        ("ru", "Клиенты · CSV", "да"),
    ],
)
async def test_a_yes_no_field_goes_out_in_the_readers_words(
    app: App, owner: SimulatedUser, language: str, button: str, said: str
) -> None:
    """A yes/no field went out as «да»/«нет» whatever the reader's language: an English
    reader's file said «да» under his own English column titles."""
    me = await owner_of(app)
    async with app.crm.open() as crm:
        await crm.members.set_language(me, language)
        paid = await crm.fields.define(me, CardKind.CLIENT, "Paid", FieldType.YES_NO)
    ivan = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        await crm.field_values.set(me, CardRef(CardKind.CLIENT, ivan.id), paid.id, "yes")
    await owner.send("/export")
    [sent] = await owner.press(button)
    table = read_table(sent.data or b"")
    assert table.rows[0][table.headers.index("Paid")] == said
