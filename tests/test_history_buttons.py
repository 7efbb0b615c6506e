"""A card cut to Telegram's limit offers buttons only for the events it shows: "📎 Files
on this page" listed the files of all ten events read for the page, and "📖 Read whole"
named notes, including those the card had left out (they are on the next page)."""

from __future__ import annotations

import re

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.cards import CardKind, CardRef
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_record_screens_fit import TELEGRAM_LIMIT, long_field, units

NEWEST = 6  # short notes, newest: the page has room for a long one or two after them
HEADING = re.compile(r"History \((\d+)–(\d+) of (\d+)\)")


def shown_range(text: str) -> tuple[int, int]:
    found = HEADING.search(text)
    assert found, text[-600:]
    return int(found[1]), int(found[2])


async def test_files_on_a_cut_page_are_those_it_shows(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Anna " + "я" * 150)
    ref = CardRef(CardKind.CLIENT, client.id)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n in range(12):
            await long_field(crm, ref, f"Field {n:02}", "text " * 120)
        for n in range(10):
            caption = f"Caption {n:02} " + "ж" * 300
            await crm.timeline.attach(me, client.id, "document", f"F{n}", f"f{n:02}.pdf", caption)
    from handlers.clients.callbacks import CardAction, ClientCb

    [card] = await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    assert units(card.text) <= TELEGRAM_LIMIT
    first, last = shown_range(card.text)
    on_card = re.findall(r"f\d\d\.pdf", card.text)
    assert first == 1 and last == len(on_card) < 10, (last, on_card)  # the page was cut
    [files] = await owner_en.press("Files on this page", card)
    listed = [
        name for text, _data, _url in files.buttons for name in re.findall(r"f\d\d\.pdf", text)
    ]
    assert listed == on_card
    # an older message's button (no count) still lists the files of the page's ten
    old = ClientCb(action=CardAction.FILES, client_id=client.id).pack()
    [files] = await owner_en.press_data(old)
    assert len([text for text, _data, _url in files.buttons if ".pdf" in text]) == 10


async def test_read_whole_names_only_notes_a_cut_page_shows(
    app: App, owner_en: SimulatedUser
) -> None:
    from handlers.deals.callbacks import DealAction, DealCb

    client = await make_client(app, OWNER_ID, "Boris")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        deal = await crm.deals.create(me, client.id, 0, "Supply " + "д" * 150)
        for n in range(12):
            await long_field(crm, CardRef(CardKind.DEAL, deal.id), f"Field {n:02}", "text " * 120)
        for n in range(8):  # long notes, cut on the timeline: each has its "Read whole"
            await crm.deals.comment(me, deal.id, f"Long {n:02} " + "ж" * 300)
        for n in range(NEWEST):
            await crm.deals.comment(me, deal.id, f"Short {n:02} " + "ш" * 190)
    [card] = await owner_en.press_data(DealCb(action=DealAction.OPEN, deal_id=deal.id).pack())
    assert units(card.text) <= TELEGRAM_LIMIT
    first, last = shown_range(card.text)
    longs = re.findall(r"Long \d\d", card.text)
    assert first == 1 and last < 10 and 0 < len(longs) < 3, (last, longs)  # cut, longs left out
    named = re.findall(r"Read whole: (Long \d\d)", str(card.buttons))
    assert named == longs


async def test_read_whole_of_an_undone_note_opens_no_other(
    app: App, owner_en: SimulatedUser
) -> None:
    """On SQLite an undone comment's id went to the next event written (until migration
    0029): the "Read whole" button of the card shown before the undo named the new note
    by that id."""
    from handlers.clients.callbacks import CardAction, ClientCb

    client = await make_client(app, OWNER_ID, "Vera")
    await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    [ack] = await owner_en.send("First note " + "a" * 300)
    undo = undo_data(ack)
    [card] = await owner_en.press("Open card", ack)
    read_first = button_data(card, "Read whole: First note")
    [removed] = await owner_en.press_data(undo)
    assert removed.text == "Removed from the card."
    [second] = await owner_en.send("Second note " + "b" * 300)
    from handlers.kit.callbacks import UndoCb

    # not the undone note's id (on SQLite it was, until migration 0029)
    assert UndoCb.unpack(undo_data(second)).ref > UndoCb.unpack(undo).ref
    assert await owner_en.press_data(read_first) == []  # the card shown before the undo
    assert owner_en.alert == "This note is no longer there."
    # the card as it is now reads the second note whole
    [card] = await owner_en.press("Open card", second)
    [whole] = await owner_en.press("Read whole", card)
    assert whole.text == "Second note " + "b" * 300
    # a button with another check (forged) opens nothing; an older message's, without one,
    # still opens the note its id names
    from handlers.opencard.callbacks import OpenCardAction, OpenCardCb, WholeNoteCb

    ref = WholeNoteCb.unpack(button_data(card, "Read whole")).ref
    assert await owner_en.press_data(WholeNoteCb(ref=ref, check="0").pack()) == []
    assert owner_en.alert == "This note is no longer there."
    [whole] = await owner_en.press_data(OpenCardCb(action=OpenCardAction.FULL_TEXT, ref=ref).pack())
    assert whole.text == "Second note " + "b" * 300


def button_data(message: SentMessage, label: str) -> str:
    return next(data for text, data, _url in message.buttons if label in text and data)


def undo_data(ack: SentMessage) -> str:
    return button_data(ack, "Undo")


async def test_a_records_files_on_a_cut_page_are_those_it_shows(
    app: App, owner_en: SimulatedUser
) -> None:
    from handlers.records.callbacks import Ent, EntCb

    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        acme = await crm.records.create(me, suppliers.id, "Acme " + "я" * 150)
        ref = CardRef(CardKind.RECORD, acme.id)
        for n in range(16):
            await long_field(crm, ref, f"Field {n:02}", "text " * 120, suppliers.id)
        for n in range(10):
            caption = f"Caption {n:02} " + "ж" * 300
            await crm.records.attach(me, acme.id, "document", f"F{n}", f"f{n:02}.pdf", caption)
    opening = EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=acme.id)
    [card] = await owner_en.press_data(opening.pack())
    assert units(card.text) <= TELEGRAM_LIMIT
    on_card = re.findall(r"f\d\d\.pdf", card.text)
    assert 0 < len(on_card) < 10, on_card  # the page was cut
    [files] = await owner_en.press("Files on this page", card)
    listed = [
        name for text, _data, _url in files.buttons for name in re.findall(r"f\d\d\.pdf", text)
    ]
    assert listed == on_card
