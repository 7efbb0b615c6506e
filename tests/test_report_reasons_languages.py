"""A built-in lost reason is one reason whatever language it was chosen in: a deal lost as
"too expensive" by an English-speaking member and one lost as «дорого» by a Russian-speaking
one were two lines of /report's lost reasons ("too expensive: 1", "дорого: 1")."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.deals.callbacks import DealCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

NBSP = "\u00a0"


async def test_a_built_in_reason_is_one_line_in_either_language(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    vera = await join(5401, "manager", "Vera", language_code="ru")
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.client_edits.set_manager(owner, client.id, None)
        ours = await crm.deals.create(owner, client.id, 100_000_00, "Ours")
        hers = await crm.deals.create(await member(app, 5401), client.id, 50_000_00, "Hers")
    await owner_en.press_data(DealCb(action="open", deal_id=ours.id).pack())
    await owner_en.press("❌ Lost")
    [card] = await owner_en.press("too expensive")
    assert "Lost because: too expensive" in card.text
    await vera.press_data(DealCb(action="open", deal_id=hers.id).pack())
    await vera.press("❌ Проиграна")
    await vera.press("дорого")
    clock.advance(timedelta(minutes=5))
    [card] = await owner_en.press_data(DealCb(action="open", deal_id=hers.id).pack())
    assert "Lost because: too expensive" in card.text  # in the reader's words
    assert f"❌ lost: 50,000{NBSP}₽; reason: too expensive" in card.text  # and its history
    await owner_en.send("/report")
    [report] = await owner_en.press("Today")
    reasons = report.text.split("Lost reasons\n", 1)[1].split("\n\n", 1)[0]
    assert reasons == f"too expensive: 2 · 150,000{NBSP}₽"
    [card] = await vera.press_data(DealCb(action="open", deal_id=ours.id).pack())
    assert "Причина проигрыша: дорого" in card.text
