"""A card cut to Telegram's limit says which events it shows, and "Старше ▶️" starts
right after the last one shown: the history's heading said "1–10" of a page whose last
events were left out to fit 4096 units, and the next page began at the 11th, so the
events left out were shown on no page."""

from __future__ import annotations

import re

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_record_screens_fit import TELEGRAM_LIMIT, long_field, supplier, units

HEADING = re.compile(r"История \((\d+)–(\d+) из (\d+)\)")


def heading(text: str) -> tuple[int, int, int]:
    found = HEADING.search(text)
    assert found, text[-600:]
    first, last, total = (int(n) for n in found.groups())
    return first, last, total


def notes_shown(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"Заметка (\d\d) ", text)]


async def test_a_cut_record_card_pages_on_from_the_last_event_shown(
    app: App, owner: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        type_id, ref = await supplier(crm, "ООО " + "Д" * 196)
        for n in range(12):
            await long_field(crm, ref, f"Поле {n:02}", "текст " * 100, type_id)
        for n in range(10):
            await crm.records.comment(me, ref.id, f"Заметка {n:02} " + "ж" * 286)
    data = EntCb(action=Ent.RECORD, kind="record", card=ref.id).pack()
    [card] = await owner.press_data(data)
    assert units(card.text) <= TELEGRAM_LIMIT
    first, last, total = heading(card.text)
    shown = notes_shown(card.text)
    assert first == 1 and last == len(shown) < 10, (first, last, shown)  # the page was cut
    [older] = await owner.press("Старше ▶️", card)
    assert heading(older.text)[0] == last + 1 and heading(older.text)[2] == total
    # the notes left out of the first page open the second, newest first
    assert notes_shown(older.text)[0] == shown[-1] - 1, notes_shown(older.text)
    [newer] = await owner.press("◀️ Новее", older)
    assert heading(newer.text)[0] == 1
    # an older message's button names a page of ten: it still opens the 11th event on
    old = EntCb(action=Ent.RECORD, kind="record", card=ref.id, page=1).pack()
    [paged] = await owner.press_data(old)
    assert heading(paged.text)[0] == 11, paged.text[-300:]


async def test_cut_client_and_deal_cards_page_on_from_the_last_event_shown(
    app: App, owner: SimulatedUser
) -> None:
    from handlers.clients.callbacks import CardAction, ClientCb
    from handlers.deals.callbacks import DealAction, DealCb
    from tests.client_helpers import make_client

    client = await make_client(app, OWNER_ID, "Анна " + "я" * 150)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        deal = await crm.deals.create(me, client.id, 0, "Поставка " + "д" * 150)
        for ref in (CardRef(CardKind.CLIENT, client.id), CardRef(CardKind.DEAL, deal.id)):
            for n in range(12):
                await long_field(crm, ref, f"Поле {n:02} {ref.kind}", "текст " * 100)
        for n in range(10):  # the client's notes, older than the deal's (on both cards)
            await crm.timeline.comment(me, client.id, f"Заметка {n:02} " + "ж" * 490)
        for n in range(10, 20):
            await crm.deals.comment(me, deal.id, f"Заметка {n:02} " + "ж" * 490)
    cards = (
        ClientCb(action=CardAction.OPEN, client_id=client.id).pack(),
        DealCb(action=DealAction.OPEN, deal_id=deal.id).pack(),
    )
    for data in cards:
        [card] = await owner.press_data(data)
        assert units(card.text) <= TELEGRAM_LIMIT
        first, last, total = heading(card.text)
        shown = notes_shown(card.text)
        assert first == 1 and last == len(shown) < 10, (data, first, last, shown)
        [older] = await owner.press("Старше ▶️", card)
        assert heading(older.text)[0] == last + 1 and heading(older.text)[2] == total
        assert notes_shown(older.text)[0] == shown[-1] - 1, (data, notes_shown(older.text))
        [newer] = await owner.press("◀️ Новее", older)
        assert heading(newer.text)[0] == 1
    # an older message's "Старше ▶️" named a page of ten: it still opens the 11th event on
    for old in (
        ClientCb(action=CardAction.PAGE, client_id=client.id, page=1).pack(),
        DealCb(action=DealAction.PAGE, deal_id=deal.id, page=1).pack(),
    ):
        [paged] = await owner.press_data(old)
        assert heading(paged.text)[0] == 11, paged.text[-300:]
