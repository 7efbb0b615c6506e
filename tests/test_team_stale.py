"""The team screens as an owner uses them on a phone: a button pressed twice, a card older
than the member's state, a button of a screen its presser may no longer use. Each gets a
clear answer, the card is shown as it is now, and nothing is changed wrongly."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.clients import ClientDraft
from handlers.team.callbacks import HandOverCb, TeamCb
from storage.engine import create_session_factory
from storage.models import Client, Event, OutboxMessage, User
from tests.conftest import OWNER_ID, Joiner

NO_ACCESS = "У вас нет к этому доступа."
NOT_STAFF = "Управлять командой могут только владелец и администраторы."


def data_of(message: SentMessage, text: str) -> str:
    """The callback data of the button ``text`` on ``message``."""
    [data] = [d for t, d, _u in message.buttons if t == text and d is not None]
    return data


async def manager_card(
    app: App, owner: SimulatedUser, join: Joiner, user_id: int, name: str
) -> tuple[SentMessage, str]:
    """A manager who has just joined (the owner told of it), the owner's card of them,
    and its "make admin" button."""
    await join(user_id, "manager", name)
    await app.sender.drain_once()
    [card] = await owner.press_data(TeamCb(action="open", member_id=user_id).pack())
    return card, data_of(card, "Сделать: администратор")


async def state_of(app: App, user_id: int) -> tuple[str, bool]:
    async with create_session_factory(app.engine)() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user.role, user.active


async def count(app: App, model: type[Event] | type[OutboxMessage], *where: object) -> int:
    async with create_session_factory(app.engine)() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[arg-type]
        return int(found or 0)


async def test_a_role_button_pressed_twice_changes_the_role_once(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    card, make_admin = await manager_card(app, owner, join, 960, "Мария")
    await owner.press_data(make_admin, card)
    [again] = await owner.press_data(make_admin, card)
    assert owner.alert == "У участника уже эта роль."
    assert "Роль: администратор" in again.text
    assert await state_of(app, 960) == ("admin", True)
    assert await count(app, Event, Event.kind == "member_role_changed") == 1
    assert await app.sender.drain_once() == 1  # she is told once


async def test_an_admin_pressing_make_admin_twice_is_told_it_is_done_not_refused(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(961, "admin", "Алиса")
    await join(962, "manager", "Вера")
    [question] = await admin.press_data(TeamCb(action="role", member_id=962, role="admin").pack())
    yes = data_of(question, "Да, сделать: администратор")
    await admin.press_data(yes, question)
    await admin.press_data(yes, question)
    assert admin.alert == "У участника уже эта роль."
    assert await state_of(app, 962) == ("admin", True)


async def test_an_old_card_of_a_member_deactivated_since_changes_nothing(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    card, make_admin = await manager_card(app, owner, join, 963, "Глеб")
    [elsewhere] = await owner.send("/team")
    await owner.press_data(TeamCb(action="off", member_id=963).pack(), elsewhere)
    assert await app.sender.drain_once() == 1  # he is told his access is off

    [refreshed] = await owner.press_data(make_admin, card)
    assert owner.alert == "Участник отключён. Чтобы сменить ему роль, сначала включите его снова."
    assert "Доступ: отключён" in refreshed.text
    assert [t for t, _d, _u in refreshed.buttons] == ["✅ Включить снова", "◀️ Команда"]
    assert await state_of(app, 963) == ("manager", False)
    assert await count(app, Event, Event.kind == "member_role_changed") == 0

    await owner.press_data(TeamCb(action="ask_off", member_id=963).pack(), card)
    assert owner.alert == "Участник уже отключён."
    await owner.press_data(HandOverCb(member_id=963, to=OWNER_ID).pack(), card)
    assert owner.alert == "Участник уже отключён."
    assert await app.sender.drain_once() == 0  # nothing more to tell him


async def test_a_hand_over_to_a_member_deactivated_since_moves_nothing(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    await join(964, "manager", "Пётр")
    await join(965, "manager", "Ира")
    async with app.crm.open() as crm:
        petr = await crm.members.get_active(964)
        assert petr is not None
        client = await crm.clients.create(petr, ClientDraft(name="Acme"))
        assert isinstance(client, Client)
    [question] = await owner.press_data(TeamCb(action="ask_off", member_id=964).pack())
    to_ira = data_of(question, "➡️ Ира")
    [elsewhere] = await owner.send("/team")
    await owner.press_data(TeamCb(action="off", member_id=965).pack(), elsewhere)

    [asked_again] = await owner.press_data(to_ira, question)
    assert owner.alert == "Этого участника больше нет в команде."
    assert asked_again.text.startswith("Отключить Пётр?")  # with whom it can go to now
    heirs = [t for t, _d, _u in asked_again.buttons if t.startswith("➡️")]
    assert "➡️ Ира" not in heirs and "➡️ Ольга Владелец" in heirs
    assert await state_of(app, 964) == ("manager", True)
    async with app.crm.open() as crm:
        assert (await crm.clients.visible(petr, client.id)).manager_id == 964


async def test_buttons_of_an_old_team_screen_after_losing_the_right_to_use_them(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(966, "admin", "Антон")
    await join(967, "manager", "Вера")
    [screen] = await admin.send("/team")
    [card] = await admin.press("Вера", screen)
    ask_off = data_of(card, "⛔ Отключить")
    # The owner makes Вера an admin: Антон's card of her is out of date.
    await owner.press_data(TeamCb(action="role", member_id=967, role="admin").pack())
    [refreshed] = await admin.press_data(ask_off, card)
    assert admin.alert == NO_ACCESS
    assert "Роль: администратор" in refreshed.text
    assert [t for t, _d, _u in refreshed.buttons] == ["◀️ Команда"]
    await admin.press_data(TeamCb(action="off", member_id=967).pack())
    assert admin.alert == NO_ACCESS
    assert await state_of(app, 967) == ("admin", True)

    # Now Антон is made a manager: every team button he still has is answered plainly.
    await owner.press_data(TeamCb(action="role", member_id=966, role="manager").pack())
    for data in (
        TeamCb(action="list").pack(),
        TeamCb(action="open", member_id=967).pack(),
        TeamCb(action="role", member_id=967, role="manager").pack(),
        TeamCb(action="ask_off", member_id=967).pack(),
        HandOverCb(member_id=967, to=966).pack(),
    ):
        assert await admin.press_data(data, card) == []  # the old message stays as it was
        assert admin.alert == NOT_STAFF
    assert await state_of(app, 967) == ("admin", True)


async def test_two_role_presses_at_once_change_it_and_tell_the_member_once(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    """The other press is a second connection that has made her an admin, not yet committed:
    this one waits for it (the member's row is locked, crm.row_locks; on SQLite the write
    lock), then finds the role given and changes nothing."""
    await join(968, "manager", "Мария")
    await app.sender.drain_once()
    make_admin = TeamCb(action="role", member_id=968, role="admin").pack()
    async with app.engine.connect() as other:
        await other.execute(update(User).where(User.id == 968).values(role="admin"))
        pressing = asyncio.create_task(owner.press_data(make_admin))
        await asyncio.sleep(0.3)
        assert not pressing.done()  # it waits for the other press
        await other.commit()
    await pressing
    assert owner.alert == "У участника уже эта роль."
    assert await count(app, Event, Event.kind == "member_role_changed") == 0
    assert await count(app, OutboxMessage, OutboxMessage.kind == "role_changed") == 0
