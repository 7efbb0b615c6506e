"""“📎 Files on this page” lists the files the card showed. The button carried an offset
into the history: a file sent after the card was drawn moved the window, and the list
named the new file (not on the card) and left out the oldest one the card showed."""

from __future__ import annotations

import re

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.cards import CardKind
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_history_buttons import button_data, undo_data
from tests.test_record_card_files import suppliers_with


def listed(files: SentMessage) -> list[str]:
    return [name for text, _data, _url in files.buttons for name in re.findall(r"f\d\.pdf", text)]


async def file_sent_since(user: SimulatedUser, card: SentMessage, back_label: str) -> None:
    """The card showed f2, f1 and f0; f9 is sent after it was drawn: its files are still
    those three, and back is the card from the newest of them."""
    on_card = re.findall(r"f\d\.pdf", card.text)
    assert on_card == ["f2.pdf", "f1.pdf", "f0.pdf"]
    [ack] = await user.send_document("f9.pdf", "application/pdf")  # written since
    assert ack.text.startswith("Added to the history of")
    [files] = await user.press("Files on this page", card)
    assert listed(files) == on_card
    [back] = await user.press(back_label, files)
    assert re.findall(r"f\d\.pdf", back.text) == on_card


async def test_a_clients_files_are_those_its_card_showed(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n in range(3):
            await crm.timeline.attach(me, client.id, "document", f"F{n}", f"f{n}.pdf", None)
    [card] = await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    await file_sent_since(owner_en, card, "Card")


async def test_a_records_files_are_those_its_card_showed(app: App, owner_en: SimulatedUser) -> None:
    _type, [acme] = await suppliers_with(app, "Acme")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n in range(3):
            await crm.records.attach(me, acme.id, "document", f"F{n}", f"f{n}.pdf", None)
    opening = EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=acme.id)
    [card] = await owner_en.press_data(opening.pack())
    await file_sent_since(owner_en, card, "Back to the card")
    # an older message's button (an offset and a count) lists as it did
    old = EntCb(action=Ent.FILES, kind=CardKind.RECORD.value, card=acme.id, item=3)
    [files] = await owner_en.press_data(old.pack())
    assert listed(files) == ["f9.pdf", "f2.pdf", "f1.pdf"]


async def test_a_file_sent_after_the_newest_shown_was_undone_is_not_listed(
    app: App, owner_en: SimulatedUser
) -> None:
    """The card showed f2, f1 and f0; f2 is taken back and f9 sent: the page's files are
    f1 and f0. On SQLite f9 took f2's id (until migration 0029), and the list, which
    reads the events up to the newest the card showed, named f9."""
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n in range(2):
            await crm.timeline.attach(me, client.id, "document", f"F{n}", f"f{n}.pdf", None)
    opening = ClientCb(action=CardAction.OPEN, client_id=client.id).pack()
    await owner_en.press_data(opening)
    [ack] = await owner_en.send_document("f2.pdf", "application/pdf")
    undo = undo_data(ack)
    [card] = await owner_en.press_data(opening)
    assert re.findall(r"f\d\.pdf", card.text) == ["f2.pdf", "f1.pdf", "f0.pdf"]
    shown_files = button_data(card, "Files on this page")
    [removed] = await owner_en.press_data(undo, ack)
    assert removed.text == "Removed from the card."
    [sent] = await owner_en.send_document("f9.pdf", "application/pdf")
    assert sent.text.startswith("Added to the history of")
    [files] = await owner_en.press_data(shown_files)
    assert listed(files) == ["f1.pdf", "f0.pdf"]
