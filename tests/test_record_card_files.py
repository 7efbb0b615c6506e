"""A record's list says which page it shows; its history reads right in Russian whatever
the type's gender."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from handlers.kit.entity_timeline import record_event_text
from handlers.records.callbacks import Ent, EntCb
from storage.models import Event, Record
from tests.client_helpers import member
from tests.conftest import OWNER_ID


async def suppliers_with(app: App, *titles: str) -> tuple[int, list[Record]]:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        records = [await crm.records.create(me, suppliers.id, title) for title in titles]
    return suppliers.id, records


async def open_record(user: SimulatedUser, record_id: int) -> str:
    [card] = await user.press_data(
        EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=record_id).pack()
    )
    return card.text


async def events_of(app: App, record_id: int, kind: str) -> list[Event]:
    async with app.crm.open() as crm:
        rows = await crm._session.scalars(
            select(Event).where(Event.record_id == record_id, Event.kind == kind)
        )
        return list(rows)


async def test_a_record_list_says_which_page_it_shows(app: App, owner_en: SimulatedUser) -> None:
    type_id, _records = await suppliers_with(app, *(f"Supplier {n}" for n in range(9)))
    [listing] = await owner_en.press_data(EntCb(action=Ent.LIST, type_id=type_id).pack())
    assert "Page 1 of 2, latest activity first." in listing.text
    [listing] = await owner_en.press("▶️", listing)
    assert "Page 2 of 2, latest activity first." in listing.text


async def test_a_record_s_history_agrees_with_any_type_in_russian(
    app: App, owner: SimulatedUser
) -> None:
    """ "✨ создана" stood beside "🗄 перенесён в архив" on one record's history: a
    supplier (m.) is not "создана", a document (m.) or an invoice (f.) not both. The
    history now speaks of the record ("запись"), whatever the type's name."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        documents = await crm.record_types.take_starter(me, "documents")
        contract = await crm.records.create(me, documents.id, "Договор 7")
        await crm.records.set_archived(me, contract.id, True)
        await crm.records.set_archived(me, contract.id, False)
    card = await open_record(owner, contract.id)
    for line in (
        "✨ запись создана",
        "🗄 запись перенесена в архив",
        "♻️ запись возвращена из архива",
    ):
        assert line in card, card


@pytest.mark.parametrize(
    ("kind", "data", "ru", "en"),
    [
        ("record_created", {}, "✨ запись создана", "✨ created"),
        ("archived", {}, "🗄 запись перенесена в архив", "🗄 moved to the archive"),
        ("unarchived", {}, "♻️ запись возвращена из архива", "♻️ restored from the archive"),
        (
            "imported",
            {"file": "a.csv"},
            "📥 запись импортирована из a.csv",
            "📥 imported from a.csv",
        ),
    ],
)
def test_a_record_s_events_read_whatever_its_type(
    app: App, kind: str, data: dict[str, object], ru: str, en: str
) -> None:
    for language, expected in (("ru", ru), ("en", en)):
        with app.i18n.context(), app.i18n.use_locale(language):
            assert record_event_text(kind, data, None) == expected
