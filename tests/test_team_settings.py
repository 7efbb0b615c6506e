"""The owner's part of /settings: who sees which clients, and the client statuses."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.team_settings import MAX_STATUSES, Status
from handlers.settings.callbacks import SettingsCb
from tests.conftest import OWNER_ID, Joiner

NO_ACCESS = "You don't have access to this."


async def see_all(app: App) -> bool:
    async with app.crm.open() as crm:
        return await crm.settings.managers_see_all()


async def statuses(app: App) -> list[Status]:
    async with app.crm.open() as crm:
        return await crm.settings.statuses()


async def test_owner_switches_what_managers_see(app: App, owner_en: SimulatedUser) -> None:
    [screen] = await owner_en.send("/settings")
    assert "Managers see all clients: off" in screen.text
    [screen] = await owner_en.press("Managers see all clients: off")
    assert "Managers see all clients: on" in screen.text
    assert owner_en.alert == "Managers now see all clients."
    assert await see_all(app)
    # The same button pressed twice (a stale copy) does not flip it back.
    await owner_en.press_data(SettingsCb(action="see_all", on=True).pack(), screen)
    assert await see_all(app)
    [screen] = await owner_en.press("Managers see all clients: on")
    assert "Managers see all clients: off" in screen.text and not await see_all(app)
    forged = SettingsCb(action="see_all").pack().removesuffix(":0") + ":always"
    await owner_en.press_data(forged, screen)
    assert owner_en.alert == "This button is no longer active."


async def test_managers_and_admins_cannot_change_team_settings(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    for person in (
        await join(5001, "manager", "Mark", language_code="en"),
        await join(5002, "admin", "Alla", language_code="en"),
    ):
        [screen] = await person.send("/settings")
        assert "Managers see all" not in screen.text
        buttons = [text for text, _d, _u in screen.buttons]
        assert buttons[:2] == ["🌐 Русский", "🕒 Change time zone"]
        assert not any(
            owner_only in text
            for text in buttons
            for owner_only in ("Managers see all", "statuses", "Pipeline", "Daily summary")
        )
        for data in (
            SettingsCb(action="see_all", on=True),
            SettingsCb(action="statuses"),
            SettingsCb(action="rename", status="hot"),
            SettingsCb(action="add"),
        ):
            assert await person.press_data(data.pack(), screen) == []
            assert person.alert == NO_ACCESS
        # Nothing was asked, so text is not taken as a status name.
        await person.send("Partner")
    assert not await see_all(app)
    assert len(await statuses(app)) == 6


async def test_owner_renames_a_status_with_a_second_chance(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/settings")
    [screen] = await owner_en.press("Client statuses")
    assert screen.text.startswith("Client statuses\nTap a status to rename it.")
    [prompt] = await owner_en.press("🔥 hot")
    assert prompt.text.startswith("Send the new name for the status 🔥 hot, 1 to 32 characters")
    [reply] = await owner_en.send("x" * 33)
    assert reply.text == "A status name is 1 to 32 characters."
    [screen] = await owner_en.send("  Ready   to buy ")
    assert screen.text.startswith("Client statuses\nRenamed: 🔥 Ready to buy.")
    assert Status("hot", "Ready to buy") in await statuses(app)
    # The new name is used everywhere, the client list's filters too.
    await owner_en.send("/clients")
    await owner_en.press("Filters")
    [picker] = await owner_en.press("Status")
    assert "🔥 Ready to buy" in [text for text, _d, _u in picker.buttons]


async def test_owner_adds_statuses_up_to_the_limit(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Client statuses")
    await owner_en.press("Add a status")
    [reply] = await owner_en.send("   ")
    assert reply.text == "A status name is 1 to 32 characters."
    [screen] = await owner_en.send("Partner")
    assert "Added: • Partner." in screen.text
    assert (await statuses(app))[-1] == Status("s1", "Partner")

    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for n in range(MAX_STATUSES - 8):
            await crm.settings.add_status(owner, f"Extra {n}")
    await owner_en.send("/settings")
    [screen] = await owner_en.press("Client statuses")
    await owner_en.press("Add a status", screen)
    [screen] = await owner_en.send("The last one")
    assert len(await statuses(app)) == MAX_STATUSES
    assert "Add a status" not in str(screen.buttons)
    await owner_en.press_data(SettingsCb(action="add").pack(), screen)
    [reply] = await owner_en.send("One too many")
    assert reply.text == f"There can be at most {MAX_STATUSES} statuses."
    assert len(await statuses(app)) == MAX_STATUSES


async def test_leaving_the_name_prompt(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Client statuses")
    await owner_en.press("❄️ cold")
    [screen] = await owner_en.press("◀️ Statuses")
    assert screen.text.startswith("Client statuses")
    [reply] = await owner_en.send("Frosty")  # no longer a name: a search
    assert reply.text == "Nothing found for “Frosty”."
    await owner_en.press("❄️ cold", screen)
    [reply] = await owner_en.send("📇 Clients")  # a menu button is a change of mind
    assert reply.text.startswith("📇 Clients: 0")
    [reply] = await owner_en.send("Frosty")
    assert reply.text == "Nothing found for “Frosty”."
    await owner_en.press_data(SettingsCb(action="rename", status="s99").pack(), screen)
    assert owner_en.alert == "There is no such status any more."
    await owner_en.press("◀️ Statuses", screen)
    [screen] = await owner_en.press("◀️ Settings", screen)
    assert screen.text.startswith("Settings\nLanguage: English")
    assert [s.name for s in await statuses(app)] == [None] * 6


async def test_a_status_name_the_team_has_already_is_asked_again(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Client statuses")
    await owner_en.press("Add a status")
    await owner_en.send("Partner")
    await owner_en.press("Add a status")
    [reply] = await owner_en.send("  partner ")
    assert reply.text == "There is a status “partner” already. Please send another name."
    [screen] = await owner_en.send("Supplier")  # still asked: the next text is the name
    assert "Added: • Supplier." in screen.text
    await owner_en.press("❄️ cold", screen)
    [reply] = await owner_en.send("SUPPLIER")
    assert reply.text == "There is a status “SUPPLIER” already. Please send another name."
    assert [s.name for s in await statuses(app)].count("Supplier") == 1
