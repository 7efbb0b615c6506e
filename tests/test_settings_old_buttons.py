"""An old /settings button (a time zone, the summary's time, the parts of the day) pressed
while another dialog waits does what it says and leaves that dialog waiting: its question's
answer is still taken as the answer."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser

NAME_RU = "Новый клиент.\nКак зовут клиента?"
SOURCE_RU = "Откуда пришёл клиент? Выберите источник или напишите свой."


@pytest.mark.parametrize(
    ("opens", "old"),
    [
        (("🕒 Сменить часовой пояс",), "Asia/Omsk"),
        (("Сводка в",), "08:00"),
        ((), "🌗 Части дня: 09:00 · 13:00 · 18:00"),
    ],
)
async def test_an_old_settings_button_leaves_the_new_client_dialog_waiting(
    app: App, owner: SimulatedUser, opens: tuple[str, ...], old: str
) -> None:
    [screen] = await owner.send("/settings")
    for label in opens:
        [screen] = await owner.press(label, screen)
    [question] = await owner.send("/new")
    assert question.text == NAME_RU
    await owner.press(old, screen)  # the older screen, under the question
    [reply] = await owner.send("Иван Петров")
    assert reply.text == SOURCE_RU


async def test_an_old_time_zone_button_leaves_an_english_dialog_waiting(
    app: App, owner_en: SimulatedUser
) -> None:
    [screen] = await owner_en.send("/settings")
    [screen] = await owner_en.press("🕒 Change time zone", screen)
    [question] = await owner_en.send("/new")
    assert question.text == "New client.\nWhat is the client's name?"
    await owner_en.press("Asia/Omsk", screen)
    assert owner_en.alert == "Time zone saved."
    [reply] = await owner_en.send("Ivan Petrov")
    assert reply.text == "Where did the client come from? Pick a source or type one."
