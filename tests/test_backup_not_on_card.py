"""A backup sent back to the bot with a card open went into that card's history: the whole
base (every client, deal and member of the team) filed on one client's or record's card,
where each member who sees that card could download it. A file named as /backup names
its archives is never filed on a card; the sender is told where a backup is restored."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.records.callbacks import Ent, EntCb
from storage.models import Event
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


async def files_on_cards(app: App) -> list[str]:
    async with app.crm.open() as crm:
        rows = await crm.clients._session.scalars(select(Event))
        return [str(e.data) for e in rows if "kartoteka-" in str(e.data)]


async def test_a_backup_sent_with_a_clients_card_open_is_not_filed(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    [backup] = await owner_en.send("/backup")
    assert backup.data is not None and backup.file is not None
    await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    [answer] = await owner_en.send_document(backup.file, "application/zip", data=backup.data)
    assert answer.text == (
        "This looks like a Kartoteka backup. A backup is not restored through the chat: "
        "run python -m bot restore FILE on the server."
    )
    assert await files_on_cards(app) == []
    [ack] = await owner_en.send_document("offer.pdf", "application/pdf")  # the card is open
    assert ack.text.startswith("Added to the history of")


async def test_a_backup_sent_with_a_records_card_open_is_not_filed(
    app: App, owner: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        kind = await crm.record_types.create(me, "Поставщик", "Поставщики")
        acme = await crm.records.create(me, kind.id, "Acme")
    [backup] = await owner.send("/backup")
    assert backup.data is not None and backup.file is not None
    await owner.press_data(
        EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=acme.id).pack()
    )
    [answer] = await owner.send_document(backup.file, "application/zip", data=backup.data)
    assert answer.text.startswith("Похоже, это резервная копия Картотеки.")
    assert await files_on_cards(app) == []
