"""A date with a time of day after it, as pasted from another system or a phone, typed into
a date field on a card: the card shows the date (the time let go), while anything else
after a date is still refused."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from handlers.clients.callbacks import ClientCb
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_entities_flow import member


async def test_a_date_typed_with_its_time_is_kept_as_the_date(
    app: App, owner: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        await crm.fields.define(await member(app), CardKind.CLIENT, "Договор от", FieldType.DATE)
    client = await make_client(app, OWNER_ID, "Рога и Копыта")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner.press("🧩 Поля")
    await owner.press("✏️ Договор от")
    [refused] = await owner.send("31.12.2026 abc")
    assert refused.text == (
        "Договор от: Это не дата. Пришлите её так: 31.12.2026 или 31 декабря 2026."
    )
    [fields] = await owner.send("1 мая 2025, 14:30")  # the question stays open until then
    assert "Договор от: 01.05.2025" in fields.text
    await owner.press("✏️ Договор от", fields)
    [fields] = await owner.send("2026-12-31T14:30:00")
    assert "Договор от: 31.12.2026" in fields.text
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    assert "Договор от: 31.12.2026" in card.text
    assert "Договор от: 01.05.2025 → 31.12.2026" in card.text  # its history: dates alone
