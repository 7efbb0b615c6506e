"""A member who chose a language, turned off and let back in by a new invitation, is
welcomed back in that language (as everything after it is), not in Telegram's."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.team.callbacks import TeamCb
from tests.conftest import Joiner, invite_link

ROLE_RU = "Ваша роль: менеджер."


def reply_labels(message: object) -> list[str]:
    keyboard = getattr(message, "reply_keyboard", None)
    assert keyboard is not None
    return [button.text for row in keyboard.keyboard for button in row]


@pytest.mark.parametrize(
    ("telegram", "chosen", "welcome", "hello", "menu_settings"),
    [
        ("ru", "English", "Welcome to the team! Your role: manager.", "Hello, Мария!", "Settings"),
        ("en", "Русский", f"Добро пожаловать в команду! {ROLE_RU}", "Здравствуйте", "Настр"),
    ],
)
async def test_welcomed_back_in_the_language_chosen_before(
    app: App,
    owner: SimulatedUser,
    join: Joiner,
    telegram: str,
    chosen: str,
    welcome: str,
    hello: str,
    menu_settings: str,
) -> None:
    maria = await join(9601, "admin", "Мария", language_code=telegram)
    [screen] = await maria.send("/settings")
    await maria.press(chosen, screen)
    await owner.press_data(TeamCb(action="off", member_id=9601).pack())

    link = await invite_link(owner, "manager")
    [welcomed, greeted] = await maria.send(f"/start {link.rsplit('=', 1)[1]}")
    assert welcomed.text == welcome
    assert greeted.text.startswith(hello)
    assert any(menu_settings in label for label in reply_labels(greeted))
