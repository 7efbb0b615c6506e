"""A record's card has what a client's has: files sent while it is open join its history
and come back on request; its responsible member is changed from the card; its list says
which page it shows; its history reads right in Russian whatever the type's gender."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from handlers.kit.entity_timeline import record_event_text
from handlers.records.callbacks import Ent, EntCb, RecordManagerCb
from storage.models import Event, Record
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner


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


async def test_files_sent_with_a_record_open_join_its_history(
    app: App, owner_en: SimulatedUser
) -> None:
    """A document and a photo sent with a supplier's card open went to the client whose
    card was open before (or were refused: "Open a client's card first"); they are now on
    the supplier's timeline, and "📎 Files on this page" sends each back as it was."""
    client = await make_client(app, OWNER_ID, "Egor Lis")
    _type, [acme] = await suppliers_with(app, "Acme")
    await owner_en.send(f"/find {client.name}")  # a client's card open first
    card_text = await open_record(owner_en, acme.id)
    assert card_text.endswith("✍️ What you send now goes into this card's history.")
    [ack] = await owner_en.send_document("contract.pdf", "application/pdf", caption="Signed")
    assert ack.text == "Added to the history of Acme."
    [ack] = await owner_en.send_photo()
    assert ack.text == "Added to the history of Acme."
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        client_card = await crm.client_queries.card(me, client.id)
    assert not [e for e in client_card.events if e.kind == "file"]
    [card] = await owner_en.press("📁 Open card", ack)
    assert "📎 file contract.pdf: Signed" in card.text and "📎 photo" in card.text
    [files] = await owner_en.press("📎 Files on this page", card)
    assert files.text == "Tap a file to get it here."
    await owner_en.press("contract.pdf", files)
    sent = owner_en.last_message()
    assert (sent.method, sent.text) == ("SendDocument", "Signed")
    await owner_en.press("photo", files)
    sent = owner_en.last_message()
    assert sent.method == "SendPhoto" and sent.file is not None
    files_kept = await events_of(app, acme.id, "file")
    [photo] = [event for event in files_kept if event.data["file_kind"] == "photo"]
    assert photo.data["file_id"] == sent.file  # the largest size, sent back by its id
    [back] = await owner_en.press("Back to the card", files)
    assert back.text.startswith("🏭 Supplier: Acme")


async def test_a_file_for_a_record_archived_deleted_or_given_away_is_refused(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Sent after the open record was archived, deleted (which closes it), or handed to
    another manager meanwhile, a file is refused with words, and nothing is written."""
    _type, [acme, frost] = await suppliers_with(app, "Acme", "Frost")
    await open_record(owner_en, acme.id)
    async with app.crm.open() as crm:  # from another device
        await crm.records.set_archived(await member(app, OWNER_ID), acme.id, True)
    [refused] = await owner_en.send_document("price.pdf")
    assert refused.text == "This card is in the archive: restore it to add files."
    assert "What you send" not in await open_record(owner_en, acme.id)
    assert await events_of(app, acme.id, "file") == []

    await open_record(owner_en, frost.id)
    async with app.crm.open() as crm:
        await crm.records.delete(await member(app, OWNER_ID), frost.id)
    [refused] = await owner_en.send_photo()  # its card closed, as a deleted client's is
    assert refused.text.startswith("Open a card first (a client's, a deal's or a record's)")

    mila = await join(5301, "manager", "Mila", language_code="en")
    await join(5302, "manager", "Mark", language_code="en")
    async with app.crm.open() as crm:
        mine = await crm.records.create(await member(app, 5301), _type, "Mila's supplier")
    await open_record(mila, mine.id)
    async with app.crm.open() as crm:
        await crm.records.set_manager(await member(app, OWNER_ID), mine.id, 5302)
    [refused] = await mila.send_document("scan.pdf")
    assert refused.text == "This record no longer exists."
    assert await events_of(app, mine.id, "file") == []


async def test_the_open_record_is_written_with_several_instances(several: App) -> None:
    """With several instances the open card is written at once: a record's too, read
    back by the next update (maybe on another instance)."""
    owner = SimulatedUser(several.dispatcher, several.bot, OWNER_ID, first_name="Olga")
    await owner.send("/start")
    _type, [acme] = await suppliers_with(several, "Acme")
    await open_record(owner, acme.id)
    async with several.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT open_client_id, open_record_id FROM users WHERE id = :id"),
            {"id": OWNER_ID},
        )
        assert tuple(row.one()) == (None, acme.id)
    [ack] = await owner.send_document("price.pdf")
    assert ack.text == "Добавлено в историю: Acme."


async def test_the_responsible_of_a_record_is_changed_from_its_card(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Owners and admins change who is responsible, as on a client's card; a manager
    neither sees the button nor gets anything from a forged press; a double press
    writes one change."""
    mila = await join(5301, "manager", "Mila", language_code="en")
    _type, [acme] = await suppliers_with(app, "Acme")
    card = await open_record(owner_en, acme.id)
    assert "Responsible: Olga Owner" in card
    [question] = await owner_en.press("👤 Responsible")
    assert question.text == "Who is responsible for Acme?"
    assert [text for text, _d, _u in question.buttons][-2:] == ["Nobody", "◀️ Back to the card"]
    assert "✅ Olga Owner" in [text for text, _d, _u in question.buttons]
    [card_after] = await owner_en.press("Mila", question)
    assert owner_en.alert == "Responsible changed."
    assert "Responsible: Mila" in card_after.text
    assert "👤 responsible: Olga Owner → Mila" in card_after.text
    await owner_en.press_data(RecordManagerCb(record_id=acme.id, member_id=5301).pack())
    assert len(await events_of(app, acme.id, "manager_changed")) == 1  # the double press

    card = await open_record(mila, acme.id)
    assert "Responsible: Mila" in card
    assert "👤 Responsible" not in str(mila.last_message().buttons)
    ref = CardRef(CardKind.RECORD, acme.id)
    await mila.press_data(EntCb(action=Ent.MANAGER, kind=ref.kind.value, card=ref.id).pack())
    assert mila.alert == "You don't have access to this."
    await mila.press_data(RecordManagerCb(record_id=acme.id, member_id=0).pack())
    assert mila.alert == "You don't have access to this."
    async with app.crm.open() as crm:
        assert (await crm.records.visible(await member(app, OWNER_ID), acme.id)).manager_id == 5301
    assert len(await events_of(app, acme.id, "manager_changed")) == 1


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


async def test_a_file_sent_to_a_record_is_taken_back_with_undo(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """As on a client's card: "↩️ Undo" under the acknowledgement removes the file, once;
    after an hour it stays."""
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(owner_en, acme.id)
    [ack] = await owner_en.send_document("wrong.pdf")
    [undo] = [data for text, data, _url in ack.buttons if text == "↩️ Undo"]
    [removed] = await owner_en.press("↩️ Undo", ack)
    assert removed.text == "Removed from the card."
    assert await events_of(app, acme.id, "file") == []
    await owner_en.press_data(undo or "", removed)  # pressed twice
    assert owner_en.alert == "That was already removed."
    [ack] = await owner_en.send_document("right.pdf")
    clock.advance(timedelta(hours=2))
    await owner_en.press("↩️ Undo", ack)
    assert owner_en.alert == "It is too late to undo that; it stays in the history."
    assert len(await events_of(app, acme.id, "file")) == 1


async def test_a_command_closes_the_open_record(app: App, owner_en: SimulatedUser) -> None:
    """Going elsewhere (a command, a menu button) closes a record's card as a client's."""
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(owner_en, acme.id)
    await owner_en.send("/help")
    [reply] = await owner_en.send_photo()
    assert reply.text.startswith("Open a card first")
    assert await events_of(app, acme.id, "file") == []
