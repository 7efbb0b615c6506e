"""A member made a manager or deactivated in the middle of a dialog step of a higher role
(an admin's invitation, the owner's settings) is taken out of it by their next message."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select, update

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.team.callbacks import InviteRoleCb
from storage.engine import create_session_factory, write_transaction
from storage.models import AppSetting, Invite, User
from tests.conftest import OWNER_ID, Joiner
from tests.test_access import REFUSAL_RU

LOST_RU = (
    "Ваша роль в команде изменилась, поэтому начатое здесь действие закрыто, "
    "а это сообщение не использовано."
)


async def fsm_state(app: App, user_id: int) -> str | None:
    key = StorageKey(bot_id=app.bot.id, chat_id=user_id, user_id=user_id)
    return await app.dispatcher.storage.get_state(key)


async def invites(app: App) -> int:
    async with create_session_factory(app.engine)() as db:
        return int(await db.scalar(select(func.count()).select_from(Invite)) or 0)


async def in_the_invitation(app: App, join: Joiner, user_id: int) -> SimulatedUser:
    """An admin who ran /invite and has not picked the role yet."""
    admin = await join(user_id, "admin", "Алла", language_code="ru")
    await admin.send("/invite")
    assert await fsm_state(app, user_id) == "InviteFlow:role"
    return admin


async def test_an_admin_made_a_manager_mid_invitation_is_refused_and_let_out(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await in_the_invitation(app, join, 860)
    role_message = admin.last_message()
    await owner.send("/team")
    await owner.press("Алла")
    await owner.press("Сделать: менеджер")

    [reply] = await admin.send("администратора, пожалуйста")
    assert reply.text == LOST_RU
    assert reply.reply_keyboard is not None  # the menu of a manager now
    assert "👥 Команда" not in str(reply.reply_keyboard)
    assert await fsm_state(app, 860) is None
    # The role button of the prompt left behind makes nothing either.
    await admin.press_data(InviteRoleCb(role="admin").pack(), role_message)
    assert admin.alert == "У вас нет к этому доступа."  # a manager now
    assert await invites(app) == 1  # the one that let Алла in
    # Their next text is what any manager's text is, not the prompt's answer again.
    replies = await admin.send("администратора, пожалуйста")
    assert LOST_RU not in [r.text for r in replies]


async def test_an_admin_deactivated_mid_invitation_finds_it_gone_when_let_back(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await in_the_invitation(app, join, 861)
    await owner.send("/team")
    await owner.press("Алла")
    await owner.press("Отключить")
    [card] = await owner.press("Да, отключить")

    [reply] = await admin.send("менеджера")
    assert reply.text == REFUSAL_RU
    assert await fsm_state(app, 861) is None
    await owner.press("Включить снова", card)
    replies = await admin.send("менеджера")
    assert "Выберите роль кнопкой выше или /cancel." not in [r.text for r in replies]


async def test_an_owner_no_longer_one_mid_settings_changes_nothing(
    app: App, owner: SimulatedUser
) -> None:
    """An owner stops being one only by hand in the database; their settings prompt ends."""
    [screen] = await owner.send("/settings")
    await owner.press("🏷 Статусы клиентов", screen)
    await owner.press("➕ Добавить статус")
    assert await fsm_state(app, OWNER_ID) == "SettingsFlow:new_status"
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        await db.execute(update(User).where(User.id == OWNER_ID).values(role="admin"))

    [reply] = await owner.send("Постоянный партнёр")
    assert reply.text == LOST_RU
    assert await fsm_state(app, OWNER_ID) is None
    async with create_session_factory(app.engine)() as db:
        assert await db.get(AppSetting, "client_statuses") is None  # still the built-in ones
