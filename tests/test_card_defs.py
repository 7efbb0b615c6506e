"""The cards' field definitions and record types are kept per process (crm.defs_cache).

A card reads its fields and links in one statement and the definitions not at
all while the process's copy is fresh; a definition changed through this
process shows on the next card at once, one changed by another instance once
the copy is older than its max age, and a read begun before a change is not
kept. SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.defs_cache import DefsCache
from crm.parsing.fields import FieldType
from crm.service import Crm, CrmFactory
from storage.engine import create_session_factory
from storage.models import Client, FieldDef, User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_idle_tick import statements

CHOICE, TEXT = FieldType.CHOICE, FieldType.TEXT


def defs_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM field_defs" in s or "FROM record_types" in s]


async def shaped_client(app: App) -> tuple[User, Client, FieldDef, FieldDef, int]:
    """A client with a list field and a text field filled, linked to a supplier."""
    client = await make_client(app, OWNER_ID, "Roga")
    me = await member(app, OWNER_ID)
    ref = CardRef(CardKind.CLIENT, client.id)
    async with app.crm.open() as crm:
        line = await crm.fields.define(me, CardKind.CLIENT, "Line", CHOICE, options=["Ice", "Gas"])
        note = await crm.fields.define(me, CardKind.CLIENT, "Note", TEXT)
        await crm.field_values.set(me, ref, line.id, "Ice")
        await crm.field_values.set(me, ref, note.id, "Loves tea")
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        works = await crm.records.create(me, suppliers.id, "IceWorks")
        await crm.links.link(me, ref, CardRef(CardKind.RECORD, works.id))
    return me, client, line, note, suppliers.id


async def test_a_card_reads_its_fields_and_links_in_one_statement_and_no_definitions(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    await shaped_client(app)
    [card] = await owner_en.send("/find Roga")
    assert "Line: Ice" in card.text and "Note: Loves tea" in card.text
    assert "🔗 Suppliers: 🏭 IceWorks" in card.text
    with statements(app) as seen:
        [again] = await owner_en.send("/find Roga")
    assert again.text == card.text
    assert defs_reads(seen) == []  # kept in the process
    [extras] = [s for s in seen if "FROM field_values" in s]
    assert "FROM links" in extras  # the values and the links: one statement
    assert len([s for s in seen if "FROM links" in s]) == 1


async def test_a_changed_definition_shows_on_the_next_card_at_once(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    me, client, line, note, suppliers = await shaped_client(app)
    [card] = await owner_en.send("/find Roga")
    assert "Line: Ice" in card.text and "Region" not in card.text

    async def shown() -> str:
        [found] = await owner_en.send("/find Roga")
        return found.text

    async with app.crm.open() as crm:
        await crm.fields.rename_option(me, line.id, 1, "Ice cubes")
        assert "Line: Ice cubes" in await shown()
        await crm.fields.rename(me, line.id, "Product line")
        assert "Product line: Ice cubes" in await shown()
        await crm.fields.move(me, note.id, -1)
        text = await shown()
        assert text.index("Note: Loves tea") < text.index("Product line: Ice cubes")
        region = await crm.fields.define(me, CardKind.CLIENT, "Region", TEXT)
        await crm.field_values.set(me, CardRef(CardKind.CLIENT, client.id), region.id, "North")
        assert "Region: North" in await shown()
        await crm.fields.delete(me, note.id)
        assert "Note: Loves tea" not in await shown()  # (the timeline keeps its history)
        await crm.fields.remove_option(me, line.id, 1)
        assert "Product line" not in await shown()  # its only value was that option
        await crm.record_types.rename(me, suppliers, "Vendor", "Vendors")
        assert "🔗 Vendors: 🏭 IceWorks" in await shown()
        await crm.record_types.set_emoji(me, suppliers, "🚢")
        assert "🔗 Vendors: 🚢 IceWorks" in await shown()

    # And from /settings, through the Dispatcher.
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Client fields")
    await owner_en.press("Region")
    await owner_en.press("✏️ Rename")
    await owner_en.send("Area")
    text = await shown()
    assert "Area: North" in text and "Region: North" not in text


async def test_another_instance_sees_a_definition_change_once_its_copy_is_old(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    me, client, line, _note, _suppliers = await shaped_client(app)
    ref = CardRef(CardKind.CLIENT, client.id)
    now = [100.0]
    other = CrmFactory(create_session_factory(app.engine), clock, CrmConfig())
    other.defs_cache = DefsCache(max_age=5.0, monotonic=lambda: now[0])

    async def names_in_other() -> list[str]:
        async with other.open() as crm:
            card = await crm.clients.visible(me, client.id)
            extras = await crm.card_extras.read(me, ref, card)
        return [shown.field.name for shown in extras.values]

    assert await names_in_other() == ["Line", "Note"]  # read and kept
    async with app.crm.open() as crm:
        await crm.fields.rename(me, line.id, "Product line")
    now[0] += 4.0
    with statements(app) as seen:
        assert await names_in_other() == ["Line", "Note"]  # its copy, still young
    assert defs_reads(seen) == []
    now[0] += 1.5
    assert await names_in_other() == ["Product line", "Note"]


async def test_a_read_begun_before_a_change_is_used_once_not_kept(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    me, client, line, _note, _suppliers = await shaped_client(app)
    ref = CardRef(CardKind.CLIENT, client.id)
    app.crm.defs_cache.drop()
    async with app.crm.open() as early:
        card = await early.clients.visible(me, client.id)  # its transaction begins here
        async with app.crm.open() as crm:
            await crm.fields.rename(me, line.id, "Product line")
        # SQLite shows this transaction the database as it began (PostgreSQL the renamed
        # field): either way what it read is not kept for the next card.
        await early.card_extras.read(me, ref, card)
    async with app.crm.open() as crm:
        extras = await crm.card_extras.read(me, ref, await crm.clients.visible(me, client.id))
    assert [shown.field.name for shown in extras.values] == ["Product line", "Note"]


async def test_reads_during_a_change_are_used_once_not_kept(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    me, client, line, _note, _suppliers = await shaped_client(app)
    ref = CardRef(CardKind.CLIENT, client.id)
    cache = app.crm.defs_cache

    async def names(crm: Crm) -> list[str]:
        card = await crm.clients.visible(me, client.id)
        return [shown.field.name for shown in (await crm.card_extras.read(me, ref, card)).values]

    async with create_session_factory(app.engine)() as session, app.crm.open() as early:
        writer = Crm(session, clock, CrmConfig(), defs_cache=cache)
        async with cache.changing(session):
            field = await session.get(FieldDef, line.id)
            assert field is not None
            field.name = "Product line"
            await session.flush()
            assert await names(writer) == ["Product line", "Note"]  # not committed yet
            async with app.crm.open() as crm:
                assert await names(crm) == ["Line", "Note"]
            card = await early.clients.visible(me, client.id)  # begins before the commit
        await early.card_extras.read(me, ref, card)
    async with app.crm.open() as crm:
        extras = await crm.card_extras.read(me, ref, await crm.clients.visible(me, client.id))
    assert [shown.field.name for shown in extras.values] == ["Product line", "Note"]
