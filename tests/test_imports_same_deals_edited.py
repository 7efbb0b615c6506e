"""Through the bot: a file of deals sent again after its deals were repriced and renamed in
the bot adds none of them again: a deal an earlier import made of the same row (client,
title and amount as imported) is that row's deal, whatever it became since; the edits
made in the bot stay as they are (nothing is overwritten by the file's older values)."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from storage.models import Deal
from tests.conftest import OWNER_ID
from tests.test_automation_round_robin import actor, all_of
from tests.test_imports_flow import finished
from tests.test_imports_same_deals import HEADERS
from tests.test_imports_same_deals_flow import send, told


async def test_deals_edited_in_the_bot_since_are_not_added_again(
    app: App, owner_en: SimulatedUser
) -> None:
    _preview, result = await send(owner_en, app, "Preview", "Skip them")
    assert "Deals: 3" in result
    made = {d.title: d for d in await all_of(app, Deal)}
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.deals.set_amount(owner, made["Поставка"].id, 20_000_000)  # repriced
        await crm.deals.set_title(owner, made["Монтаж"].id, "Монтаж окон")  # renamed
    preview, result = await send(owner_en, app, "Preview", "Skip them")
    told(preview, "Deals: 0", "(same title and amount): 3.")
    told(result, "Deals: 0", "Deals their clients already had, not added again: 3")
    now = sorted((d.title, d.amount_minor) for d in await all_of(app, Deal))
    assert now == [("Мария", 0), ("Монтаж окон", 1_000_000), ("Поставка", 20_000_000)]


async def test_a_new_deal_of_the_same_title_and_another_amount_still_goes_in(
    app: App, owner_en: SimulatedUser
) -> None:
    """Another amount in the file is another deal (a second sale), as before."""
    await send(owner_en, app, "Preview", "Skip them")
    data = f"{HEADERS}\r\nИван Петров;89161234567;Поставка;90 000;\r\n"
    await owner_en.send_document("ещё.csv", data=data.encode())
    await owner_en.press("Preview")
    await owner_en.press("Skip them")
    await finished(app)
    assert "Deals: 1" in owner_en.last_message().text
    assert len(await all_of(app, Deal)) == 4
