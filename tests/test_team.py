"""/team: roles and deactivation, with every press checked again."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.team.callbacks import TeamCb
from storage.engine import create_session_factory
from storage.models import Event, User
from tests.conftest import OWNER_ID, Joiner


async def role_of(app: App, user_id: int) -> tuple[str, bool]:
    async with create_session_factory(app.engine)() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user.role, user.active


async def test_owner_lists_team_and_changes_a_role(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    await join(900, "manager", "Мария")
    [screen] = await owner.send("👥 Команда")
    assert screen.text.startswith("Команда: активных 2 из 2")
    names = [text for text, _data, _url in screen.buttons]
    assert "Мария · менеджер" in names and "Ольга Владелец · владелец" in names

    [card] = await owner.press("Мария")
    assert "Роль: менеджер" in card.text
    [card] = await owner.press("Сделать: администратор")
    assert "Роль: администратор" in card.text
    assert await role_of(app, 900) == ("admin", True)

    async with create_session_factory(app.engine)() as session:
        event = await session.scalar(select(Event).where(Event.kind == "member_role_changed"))
    assert event is not None and event.actor_id == OWNER_ID
    assert event.data == {"member_id": 900, "old": "manager", "new": "admin"}


async def test_owner_cannot_be_managed_and_nobody_manages_themselves(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(901, "admin", "Антон")
    [card] = await admin.press_data(TeamCb(action="open", member_id=OWNER_ID).pack())
    assert [text for text, _d, _u in card.buttons] == ["◀️ Команда"]
    for data in (
        TeamCb(action="off", member_id=OWNER_ID).pack(),
        TeamCb(action="role", member_id=OWNER_ID, role="manager").pack(),
        TeamCb(action="off", member_id=901).pack(),
        TeamCb(action="role", member_id=901, role="manager").pack(),
    ):
        await admin.press_data(data)
        assert admin.alert == "У вас нет к этому доступа."
    await owner.press_data(TeamCb(action="off", member_id=OWNER_ID).pack())
    assert owner.alert == "У вас нет к этому доступа."
    assert await role_of(app, OWNER_ID) == ("owner", True)
    assert await role_of(app, 901) == ("admin", True)


async def test_admin_manages_managers_but_not_other_admins(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(902, "admin", "Алиса")
    await join(903, "admin", "Борис")
    await join(904, "manager", "Вера")
    await admin.press_data(TeamCb(action="off", member_id=903).pack())
    assert admin.alert == "У вас нет к этому доступа."
    [card] = await admin.press_data(TeamCb(action="ask_off", member_id=904).pack())
    assert card.text.startswith("Отключить Вера?")
    [card] = await admin.press("Да, отключить")
    assert "Доступ: отключён" in card.text
    assert await role_of(app, 904) == ("manager", False)


async def test_deactivate_twice_and_reactivate(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    manager = await join(905, "manager", "Глеб")
    off = TeamCb(action="off", member_id=905).pack()
    await owner.press_data(off)
    await owner.press_data(off)
    assert owner.alert == "Участник уже отключён."
    [card] = await owner.press_data(TeamCb(action="open", member_id=905).pack())
    [card] = await owner.press("Включить снова", card)
    assert "Доступ: активен" in card.text
    [reply] = await manager.send("/help")
    assert "/settings" in reply.text


async def test_team_pages(app: App, owner: SimulatedUser, join: Joiner) -> None:
    for n in range(12):
        await join(910 + n, "manager", f"Сотрудник{n:02d}")
    [screen] = await owner.send("/team")
    assert "Страница 1 из 2" in screen.text
    member_buttons = [t for t, _d, _u in screen.buttons if "·" in t]
    assert len(member_buttons) == 10
    [screen] = await owner.press("▶️")
    assert "Страница 2 из 2" in screen.text
    assert len([t for t, _d, _u in screen.buttons if "·" in t]) == 3
