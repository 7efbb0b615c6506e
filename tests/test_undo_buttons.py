"""An old "↩️ Undo" takes back only what it was made for. On SQLite an undone event's
id went to the next event written (until migration 0029): the first acknowledgement's
Undo, pressed again, deleted the file sent after it (on another card too), silently."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.cards import CardKind
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.kit.callbacks import UndoCb
from handlers.records.callbacks import Ent, EntCb
from storage.models import Event
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_history_buttons import undo_data
from tests.test_record_card_files import open_record, suppliers_with


async def files_of(app: App) -> list[str]:
    async with app.crm.open() as crm:
        rows = await crm._session.scalars(select(Event).where(Event.kind == "file"))
        return [str(event.data["file_name"]) for event in rows]


async def wrong_then_right(app: App, user: SimulatedUser) -> tuple[str, SentMessage]:
    """wrong.pdf sent and taken back, then right.pdf: the first's Undo, the second's
    acknowledgement."""
    [wrong] = await user.send_document("wrong.pdf", "application/pdf")
    undo = undo_data(wrong)
    [removed] = await user.press("Undo", wrong)
    assert removed.text == "Removed from the card."
    [right] = await user.send_document("right.pdf", "application/pdf")
    assert right.text.startswith("Added to the history of")
    assert await files_of(app) == ["right.pdf"]
    new_id(undo, right)
    return undo, right


def new_id(undo: str, second: SentMessage) -> None:
    """The second event does not take the undone first's id (on SQLite it did until
    migration 0029): what the old button names is gone."""
    assert UndoCb.unpack(undo_data(second)).ref > UndoCb.unpack(undo).ref


async def test_an_old_undo_on_a_record_leaves_the_file_sent_after(
    app: App, owner_en: SimulatedUser
) -> None:
    _type, [acme, other] = await suppliers_with(app, "Acme", "Other")
    await open_record(owner_en, acme.id)
    wrong, right = await wrong_then_right(app, owner_en)
    assert await owner_en.press_data(wrong) == []
    assert owner_en.alert == "That was already removed."
    assert await files_of(app) == ["right.pdf"]
    # an older message's Undo (no check) names its record: another record's event is not
    # its, and one on its record is still taken back
    right_id = UndoCb.unpack(undo_data(right)).ref
    for record_id in (other.id, acme.id):
        old = EntCb(action=Ent.UNDO, kind=CardKind.RECORD.value, card=record_id, item=right_id)
        replies = await owner_en.press_data(old.pack())
        if record_id == other.id:
            assert replies == [] and owner_en.alert == "That was already removed."
            assert await files_of(app) == ["right.pdf"]
    assert [reply.text for reply in replies] == ["Removed from the card."]
    assert await files_of(app) == []


async def test_an_old_undo_on_a_client_leaves_the_file_sent_after(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    wrong, right = await wrong_then_right(app, owner_en)
    assert await owner_en.press_data(wrong) == []
    assert owner_en.alert == "That was already removed."
    assert await files_of(app) == ["right.pdf"]
    # the right file's own Undo still takes it back
    [removed] = await owner_en.press("Undo", right)
    assert removed.text == "Removed from the card."
    assert await files_of(app) == []


async def test_an_old_undo_of_a_comment_leaves_the_note_written_after(
    app: App, owner_en: SimulatedUser
) -> None:
    """A comment, and an older message's Undo (no check): it takes back only an event on
    the client it names."""
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    boris = await make_client(app, OWNER_ID, "Boris Oak")
    await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=anna.id).pack())
    [first] = await owner_en.send("Called, no answer")
    undo = undo_data(first)
    await owner_en.press("Undo", first)
    [second] = await owner_en.send("Called again, agreed")
    new_id(undo, second)
    assert await owner_en.press_data(undo) == []
    assert owner_en.alert == "That was already removed."
    event_id = UndoCb.unpack(undo_data(second)).ref
    old = ClientCb(action=CardAction.UNDO, client_id=boris.id, ref=event_id)
    assert await owner_en.press_data(old.pack()) == []
    assert owner_en.alert == "That was already removed."
    async with app.crm.open() as crm:
        notes = await crm._session.scalars(select(Event.text).where(Event.kind == "comment"))
        assert list(notes) == ["Called again, agreed"]
    old = ClientCb(action=CardAction.UNDO, client_id=anna.id, ref=event_id)
    [removed] = await owner_en.press_data(old.pack())
    assert removed.text == "Removed from the card."
