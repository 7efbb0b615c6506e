"""What is typed into the records' dialogs: refused with the right words, kept when right."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


async def test_a_line_s_quantity_is_refused_and_shown_as_typed(
    app: App, owner: SimulatedUser
) -> None:
    """A deal line's quantity of a trillion was refused with "Пришлите количество больше
    нуля." — of a number far greater than zero; the answer now gives the range taken. And
    a quantity was shown with six digits in the e-notation: 999999999 as "1e+09",
    1234,567 as "1234.57"; it is now shown exactly, as numbers are in Russian."""
    client = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        products = await crm.record_types.take_starter(me, "products")
        salt = await crm.records.create(me, products.id, "Соль")
        [price] = [
            f for f in await crm.fields.of(CardKind.RECORD, products.id) if f.type == "money"
        ]
        await crm.field_values.set(me, CardRef(CardKind.RECORD, salt.id), price.id, "2")
        deal = await crm.deals.create(me, client.id, 0, "Сделка")
    await owner.press_data(EntCb(action=Ent.LINKS, kind="deal", card=deal.id).pack())
    await owner.press("🔗 Связать")
    await owner.press("📦 Товары")
    await owner.send("соль")
    await owner.press("Соль")
    for typed in ("1000000000000", "1 000 000 000", "0", "-2"):
        [refused] = await owner.send(typed)
        assert refused.text == "Пришлите количество от 0,001 до 999 999 999.", (typed, refused.text)
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, CardRef(CardKind.DEAL, deal.id)) == []
    [links] = await owner.send("999999999")  # the question stays open until a good answer
    assert "📦 Соль — 999 999 999 ×" in links.text.replace("\u00a0", " "), links.text
    await owner.press("✖️", links)
    await owner.press("🔗 Связать")
    await owner.press("📦 Товары")
    await owner.send("соль")
    await owner.press("Соль")
    [links] = await owner.send("1234,567")
    assert "📦 Соль — 1 234,567 ×" in links.text.replace("\u00a0", " "), links.text
