"""A CRM is private: strangers and deactivated members get one polite refusal, and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.settings.callbacks import SettingsCb
from handlers.team.callbacks import InviteRoleCb, TeamCb
from storage.engine import create_session_factory
from storage.models import Event, Invite, User
from tests.conftest import OWNER_ID, Joiner, UserFactory

REFUSAL_RU = "Это закрытая CRM. Попросите её владельца о приглашении."
REFUSAL_EN = "This is a private CRM. Ask its owner for an invitation."


async def count(app: App, model: type, *where: object) -> int:
    async with create_session_factory(app.engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.parametrize(
    "action",
    [
        "/start",
        "/help",
        "/team",
        "/invite",
        "/settings",
        "/start not-a-token",
        "Иван Петров +7 999 123-45-67",
        "contact",
        "document",
    ],
)
async def test_stranger_gets_one_refusal_in_russian(
    app: App, user: UserFactory, action: str
) -> None:
    stranger = user(555, language_code="ru")
    if action == "contact":
        replies = await stranger.share_contact("+79991234567", "Иван")
    elif action == "document":
        replies = await stranger.send_document("clients.xlsx")
    else:
        replies = await stranger.send(action)
    assert [reply.text for reply in replies] == [REFUSAL_RU]
    assert replies[0].inline_keyboard is None
    assert await count(app, User, User.id == 555) == 0
    assert await count(app, Event) == 0


async def test_stranger_refusal_is_in_their_language(user: UserFactory) -> None:
    english = user(556, language_code="en")
    [reply] = await english.send("/start")
    assert reply.text == REFUSAL_EN
    unknown_language = user(557, language_code=None)
    [reply] = await unknown_language.send("hi")
    assert reply.text == REFUSAL_RU  # DEFAULT_LANGUAGE


async def test_stranger_pressing_copied_buttons_is_refused(
    owner: SimulatedUser, user: UserFactory
) -> None:
    await owner.send("/team")
    owners_message = owner.last_message()
    stranger = user(558, language_code="ru")
    for data in (
        owners_message.buttons[0][1],
        TeamCb(action="off", member_id=OWNER_ID).pack(),
        InviteRoleCb(role="admin").pack(),
        SettingsCb(action="lang", language="en").pack(),
        "garbage",
    ):
        assert data is not None
        replies = await stranger.press_data(data)
        assert replies == []
        assert stranger.alert == REFUSAL_RU
    # The owner's message is untouched by the stranger's presses.
    assert owner.last_message().text == owners_message.text


async def test_stranger_inline_query_is_refused(user: UserFactory) -> None:
    stranger = user(559, language_code="en")
    await stranger.inline_query("Иван")
    assert stranger.alert == REFUSAL_EN[:64]


async def test_stranger_in_a_group_gets_silence(app: App, user: UserFactory) -> None:
    in_group = user(560, chat_id=-100123)
    assert await in_group.send("/start") == []
    assert await in_group.send("привет") == []


async def test_deactivated_member_is_refused_like_a_stranger(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    manager = await join(700, "manager", "Михаил")
    [reply] = await manager.send("/help")
    assert "/settings" in reply.text

    await owner.send("/team")
    await owner.press("Михаил")
    await owner.press("Отключить")
    [confirmation] = await owner.press("Да, отключить")
    assert "отключён" in confirmation.text

    for action in ("/start", "/help", "что-нибудь"):
        [reply] = await manager.send(action)
        assert reply.text == REFUSAL_RU
    await manager.press_data(SettingsCb(action="lang", language="en").pack())
    assert manager.alert == REFUSAL_RU
    # Their record stays.
    assert await count(app, User, User.id == 700, User.active.is_(False)) == 1


async def test_member_gets_the_menu_and_help_by_role(owner: SimulatedUser, join: Joiner) -> None:
    [greeting] = await owner.send("/start")
    assert greeting.text.startswith("Здравствуйте, Ольга Владелец!")
    assert greeting.reply_keyboard is not None
    owner_buttons = [b.text for row in greeting.reply_keyboard.keyboard for b in row]
    assert "👥 Команда" in owner_buttons and "⚙️ Настройки" in owner_buttons

    [help_text] = await owner.send("/help")
    assert "/invite" in help_text.text and "/team" in help_text.text

    manager = await join(701, "manager", "Марина")
    [help_text] = await manager.send("❓ Помощь")
    assert "/invite" not in help_text.text and "/team" not in help_text.text
    assert "/settings" in help_text.text
    [greeting] = await manager.send("/start")
    assert greeting.reply_keyboard is not None
    manager_buttons = [b.text for row in greeting.reply_keyboard.keyboard for b in row]
    assert "👥 Команда" not in manager_buttons


async def test_manager_cannot_invite_or_manage_the_team(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    manager = await join(702, "manager", "Максим")
    [reply] = await manager.send("/invite")
    assert reply.text == "Приглашать могут только владелец и администраторы."
    [reply] = await manager.send("/team")
    assert reply.text == "Управлять командой могут только владелец и администраторы."

    # Forged presses: buttons a manager was never shown.
    invites_before = await count(app, Invite)
    await manager.press_data(InviteRoleCb(role="admin").pack())
    assert manager.alert == "У вас нет к этому доступа."
    for data in (
        TeamCb(action="list").pack(),
        TeamCb(action="open", member_id=OWNER_ID).pack(),
        TeamCb(action="off", member_id=OWNER_ID).pack(),
        TeamCb(action="role", member_id=702, role="admin").pack(),
    ):
        await manager.press_data(data)
        assert manager.alert == "Управлять командой могут только владелец и администраторы."
    assert await count(app, Invite) == invites_before
    assert await count(app, User, User.id == 702, User.role == "manager") == 1
    assert await count(app, User, User.id == OWNER_ID, User.active.is_(True)) == 1


async def test_unknown_commands_and_stale_buttons_get_an_answer(owner: SimulatedUser) -> None:
    [reply] = await owner.send("/nosuchcommand")
    assert "/help" in reply.text
    await owner.press_data("nothing:we:know")
    assert owner.alert == "Эта кнопка больше не действует."
