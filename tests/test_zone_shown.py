"""A time zone typed as an offset ("UTC+3") is kept as POSIX's fixed zone, whose sign is
inverted (``Etc/GMT-3``); it is shown back as typed, "UTC+3", never as a minus."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.kit.labels import zone_label

SHOWN = {
    "Etc/GMT-3": "UTC+3",
    "Etc/GMT+5": "UTC-5",
    "Etc/GMT-14": "UTC+14",
    "Etc/GMT+12": "UTC-12",
    "Etc/GMT": "UTC",
    "Etc/GMT+0": "UTC",
    "UTC": "UTC",
    "Europe/Moscow": "Europe/Moscow",
    "Etc/GMT-3x": "Etc/GMT-3x",  # no zone of POSIX's: as it is
}


def test_zone_label() -> None:
    assert {zone: zone_label(zone) for zone in SHOWN} == SHOWN


async def test_an_offset_typed_is_shown_with_its_own_sign(app: App, owner: SimulatedUser) -> None:
    await owner.send("/settings")
    await owner.press("Сменить часовой пояс")
    [screen] = await owner.send("UTC+3")
    assert "Часовой пояс: UTC+3 (сейчас 02.03.2026 12:00)" in screen.text
    [screen] = await owner.press("Ночная копия")
    await owner.press("03:00", screen)
    [screen] = await owner.press("Ночная копия")
    assert "каждую ночь в 03:00 (UTC+3)" in screen.text


async def test_an_offset_west_in_english(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Change time zone")
    [screen] = await owner_en.send("UTC-3")
    assert "Time zone: UTC-3 (now 02.03.2026 06:00)" in screen.text
