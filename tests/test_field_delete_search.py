"""Deleting a custom field takes its values out of the search lines of the cards that held
one (clients and records), in the transaction that deletes it; their other values, and a
client's own name, phones and tags, stay searchable. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.errors import Conflict, ErrorCode
from crm.parsing.fields import FieldType
from handlers.records.callbacks import Ent, EntCb
from storage.models import Client, FieldDef, Record
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

TEXT, PHONE = FieldType.TEXT, FieldType.PHONE


async def delete_field(owner: SimulatedUser, whose: str, name: str) -> None:
    """/settings → Fields and record types → whose → the field → 🗑 Delete field → 🗑 Delete."""
    await owner.send("/settings")
    await owner.press("Fields and record types")
    await owner.press(whose)
    await owner.press(name)
    await owner.press("🗑 Delete field")
    [listed] = await owner.press("🗑 Delete")
    assert name not in listed.text


async def test_a_deleted_client_field_s_values_are_no_longer_found(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crm.search_lines.CHUNK", 1)  # the cards rebuilt a chunk at a time
    await owner_en.send("/start")
    me = await member(app, OWNER_ID)
    roga = await make_client(app, OWNER_ID, "Roga", phones=["+7 999 123-45-67"], tags=["ice"])
    kopyta = await make_client(app, OWNER_ID, "Kopyta")
    async with app.crm.open() as crm:
        passport = await crm.fields.define(me, CardKind.CLIENT, "Passport", TEXT)
        note = await crm.fields.define(me, CardKind.CLIENT, "Note", TEXT)
        mobile = await crm.fields.define(me, CardKind.CLIENT, "Mobile", PHONE)
        for client, number in ((roga, "zebracode4510"), (kopyta, "zebracode4511")):
            ref = CardRef(CardKind.CLIENT, client.id)
            await crm.field_values.set(me, ref, passport.id, number)
            await crm.field_values.set(me, ref, note.id, f"Keepword {client.name}")
        await crm.field_values.set(
            me, CardRef(CardKind.CLIENT, roga.id), mobile.id, "+7 912 555-00-11"
        )
    [card] = await owner_en.send("/find zebracode4510")
    assert "Roga" in card.text and "Passport: zebracode4510" in card.text

    await delete_field(owner_en, "Client fields", "Passport")

    [none] = await owner_en.send("/find zebracode4510")
    assert "Roga" not in none.text
    [none] = await owner_en.send("/find zebracode")
    assert "Roga" not in none.text and "Kopyta" not in none.text
    for query, name in (
        ("keepword roga", "Roga"),  # another field's value
        ("9125550011", "Roga"),  # a phone field's value
        ("9991234567", "Roga"),  # the client's own phone
        ("#ice", "Roga"),  # its tag
        ("keepword kopyta", "Kopyta"),
    ):
        [found] = await owner_en.send(f"/find {query}")
        assert name in found.text, query
    async with app.engine.connect() as db:
        lines = dict((await db.execute(select(Client.name, Client.fields_search))).all())
    assert lines == {"Roga": "keepword roga 79125550011 9125550011", "Kopyta": "keepword kopyta"}


async def test_a_deleted_record_field_s_values_are_no_longer_found(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    me = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        passport = await crm.fields.define(
            me, CardKind.RECORD, "Passport", TEXT, record_type_id=suppliers.id
        )
        note = await crm.fields.define(
            me, CardKind.RECORD, "Memo", TEXT, record_type_id=suppliers.id
        )
        works = await crm.records.create(me, suppliers.id, "IceWorks")
        ref = CardRef(CardKind.RECORD, works.id)
        await crm.field_values.set(me, ref, passport.id, "zebracode4510")
        await crm.field_values.set(me, ref, note.id, 'Keepword «Ёж» "q" \\ 🦔')
        plural = suppliers.plural

    async def found(query: str) -> str:
        await owner_en.press_data(EntCb(action=Ent.SEARCH, type_id=suppliers.id).pack())
        [screen] = await owner_en.send(query)
        return screen.text

    assert "Found: 1" in await found("zebracode4510")
    await delete_field(owner_en, f"🏭 {plural}", "Passport")
    assert "Found: 0" in await found("zebracode4510")
    assert "Found: 1" in await found("keepword")
    assert "Found: 1" in await found("iceworks")
    async with app.engine.connect() as db:
        line = await db.scalar(select(Record.search_text).where(Record.id == works.id))
    assert line == 'iceworks keepword «еж» "q" \\ 🦔'  # (through JSON on the way)


async def test_a_value_set_while_its_field_is_deleted_is_told_the_field_is_gone(
    app: App,
) -> None:
    """The deletion locks the field, then its values and cards; a member's value locked the
    card first and read the field unlocked, then waited on the field for its foreign key:
    a foreign key's error (the generic apology), or a deadlock with the deletion when the
    card held a value. The member's value now holds the field first."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("writers take turns on SQLite: no row locks")
    client = await make_client(app, OWNER_ID, "Anna Lee")
    ref = CardRef(CardKind.CLIENT, client.id)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        field = await crm.fields.define(me, CardKind.CLIENT, "Passport", FieldType.TEXT)

    async def typed() -> str:
        async with app.crm.open() as crm:
            try:
                await crm.field_values.set(me, ref, field.id, "4510 123456")
            except Conflict as refused:
                return refused.code
        return "set"

    async with app.engine.connect() as deletion:  # the owner's deletion, under way
        await deletion.execute(select(FieldDef.id).where(FieldDef.id == field.id).with_for_update())
        working = asyncio.create_task(typed())
        await asyncio.sleep(0.3)
        assert not working.done()  # it waits for the deletion
        await deletion.execute(delete(FieldDef).where(FieldDef.id == field.id))
        await deletion.commit()
    assert await working == ErrorCode.FIELD_GONE
