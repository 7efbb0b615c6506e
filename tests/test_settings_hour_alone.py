"""/settings' "what time?" prompts take an hour alone ("9" is 9:00); 24 is still no time."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.settings.callbacks import DayPartAction, DayPartCb


async def test_the_summary_time_as_an_hour_alone(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Daily summary at 09:00")
    [screen] = await owner_en.send("7")
    assert "Daily summary at 07:00" in str(screen.buttons)
    await owner_en.press("Daily summary at 07:00")
    [reply] = await owner_en.send("24")
    assert reply.text == "“24” is not a time. Send it like 9:00 or 18:30."
    [screen] = await owner_en.send("0")
    assert "Daily summary at 00:00" in str(screen.buttons)
    async with app.crm.open() as crm:
        assert (await crm.digests.digest_time()).strftime("%H:%M") == "00:00"


async def test_a_part_of_the_day_as_an_hour_alone(app: App, owner: SimulatedUser) -> None:
    await owner.press_data(DayPartCb(action=DayPartAction.ASK, part="evening").pack())
    [reply] = await owner.send("25")
    assert reply.text == "«25» — не время. Пришлите, например, 9:00 или 18:30."
    await owner.send("19")
    async with app.crm.open() as crm:
        assert (await crm.settings.day_parts())["evening"] == (19, 0)
