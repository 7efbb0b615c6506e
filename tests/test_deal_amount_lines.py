"""An amount typed for a deal whose amount follows its product lines: it stopped following
nothing, so the next line changed wrote over what the member typed, while 🔗 Links still
said "Amount follows lines: on". The typed amount now turns following off, and says so."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.deals.callbacks import DealCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_deal_lines_limits import priced


async def test_an_amount_typed_by_hand_stops_following_the_lines(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.record_types.take_starter(me, "products")
        salt = await priced(crm, me, "Salt", "100")
        deal = await crm.deals.create(me, client.id, 0, "Salt order")
        await crm.links.set_amount_follows_lines(me, deal.id, True)
        ref, salt_ref = CardRef(CardKind.DEAL, deal.id), CardRef(CardKind.RECORD, salt.id)
        line = await crm.links.link(me, ref, salt_ref, quantity_milli=2000)
        assert (await crm.deals.visible(me, deal.id)).amount_minor == 20_000

    edit = DealCb(action="edit_field", deal_id=deal.id, field="amount").pack()
    [question] = await owner_en.press_data(edit)
    assert question.text.endswith(
        "It follows its product lines now: an amount typed here turns that off."
    )
    [note, card] = await owner_en.send("500")
    assert note.text == (
        "Saved. The amount no longer follows the product lines; 🔗 Links → 🧮 turns that back on."
    )
    assert "Amount: 500\u00a0₽" in card.text
    async with app.crm.open() as crm:
        await crm.links.set_line(me, line.id, 3000, None)  # the next line changed
        typed = await crm.deals.visible(me, deal.id)
        assert (typed.amount_minor, typed.amount_from_lines) == (50_000, False)
    [question] = await owner_en.press_data(edit)  # not following: nothing said of lines
    assert "product lines" not in question.text
    [card] = await owner_en.send("600")
    assert "Amount: 600\u00a0₽" in card.text
