"""A member is told, through the outbox and in their language, when the owner or an admin
changes their role or turns their access off or back on; with the menu they now have."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram.methods import SendMessage
from aiogram.types import ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.app import App
from bot.i18n import build_i18n
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clients import ClientDraft
from crm.clock import ManualClock
from handlers.kit.screen import MESSAGE_CHARS, utf16_length
from handlers.team.callbacks import HandOverCb, TeamCb
from handlers.team.notices import access_changed, reachable_again
from storage.models import Client, Task
from tests.conftest import Joiner

ADMIN_RU = (
    "Ваша роль в команде теперь: администратор.\n"
    "Администратор видит всю базу и отчёты, приглашает людей и управляет менеджерами."
)
MANAGER_EN = (
    "Your role in the team is now: manager.\n"
    "A manager works with their own clients, deals and tasks."
)
OFF_RU = (
    "Ваш доступ к Картотеке отключён. Всё, что вы сделали, остаётся у команды. "
    "Если это ошибка, обратитесь к владельцу."
)
BACK_RU = (
    "Ваш доступ к Картотеке снова открыт. Ваша роль: менеджер.\n"
    "Менеджер работает со своими клиентами, сделками и задачами."
)


def menu(keyboard: ReplyKeyboardMarkup | None) -> list[str]:
    assert keyboard is not None
    return [button.text for row in keyboard.keyboard for button in row]


def last_markup(session: OfflineSession, chat_id: int) -> object:
    sent = [r for r in session.requests if isinstance(r, SendMessage) and r.chat_id == chat_id]
    return sent[-1].reply_markup


async def test_a_member_is_told_their_new_role_in_their_language_with_their_new_menu(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    maria = await join(950, "manager", "Мария", language_code="ru")
    john = await join(951, "admin", "John", language_code="en")
    assert await app.sender.drain_once() == 2  # the owner told of the two who joined
    owner_seen = len(owner.chat_messages())

    await owner.press_data(TeamCb(action="role", member_id=950, role="admin").pack())
    await owner.press_data(TeamCb(action="role", member_id=951, role="manager").pack())
    assert await app.sender.drain_once() == 2
    notice = maria.last_message()
    assert notice.text == ADMIN_RU
    assert "👥 Команда" in menu(notice.reply_keyboard)  # the admin's menu, at once
    notice = john.last_message()
    assert notice.text == MANAGER_EN
    assert not [b for b in menu(notice.reply_keyboard) if "Team" in b]
    assert len(owner.chat_messages()) == owner_seen  # the one who did it is not told


async def test_a_notice_overtaken_by_another_change_says_nothing(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    maria = await join(952, "manager", "Мария", language_code="ru")
    await app.sender.drain_once()
    before = len(maria.chat_messages())
    await owner.press_data(TeamCb(action="role", member_id=952, role="admin").pack())
    await owner.press_data(TeamCb(action="role", member_id=952, role="manager").pack())
    assert await app.sender.drain_once() == 1  # only the role she has now
    assert len(maria.chat_messages()) == before + 1
    assert maria.last_message().text.startswith("Ваша роль в команде теперь: менеджер.")


async def test_a_member_turned_off_and_back_on_is_told_each_time(
    app: App, owner: SimulatedUser, join: Joiner, session: OfflineSession, clock: ManualClock
) -> None:
    gleb = await join(953, "manager", "Глеб", language_code="ru")
    await app.sender.drain_once()
    [card] = await owner.press_data(TeamCb(action="ask_off", member_id=953).pack())
    await owner.press("Да, отключить", card)
    assert await app.sender.drain_once() == 1
    assert gleb.last_message().text == OFF_RU
    assert isinstance(last_markup(session, 953), ReplyKeyboardRemove)  # the menu goes too

    [card] = await owner.press_data(TeamCb(action="open", member_id=953).pack())
    await owner.press("Включить снова", card)
    assert await app.sender.drain_once() == 1
    notice = gleb.last_message()
    assert notice.text == BACK_RU
    assert "📇 Клиенты" in menu(notice.reply_keyboard)

    # Off and on again before anything is sent: nothing contradicts what is true now.
    clock.advance(timedelta(minutes=5))
    await owner.press_data(TeamCb(action="off", member_id=953).pack())
    await owner.press_data(TeamCb(action="on", member_id=953).pack())
    assert await app.sender.drain_once() == 1
    assert gleb.last_message().text == BACK_RU


async def test_deactivating_with_a_hand_over_tells_both(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    gone = await join(954, "manager", "Вера", language_code="en")
    heir = await join(955, "manager", "Пётр", language_code="ru")
    await app.sender.drain_once()
    async with app.crm.open() as crm:
        boss = await crm.members.get_active(954)
        assert boss is not None
        client = await crm.clients.create(boss, ClientDraft(name="Acme"))
        assert isinstance(client, Client)
    await owner.press_data(HandOverCb(member_id=954, to=955).pack())
    assert await app.sender.drain_once() == 2
    assert gone.last_message().text.startswith("Your access to Kartoteka was turned off.")
    assert heir.last_message().text.startswith("Вам переданы: клиентов — 1,")


@pytest.mark.parametrize(
    ("count", "title", "last"),
    [
        (1, "call back", "• 02.03 15:00 call back"),
        (10, "call back", "• 02.03 15:00 call back"),
        (12, "call back", "…и ещё 2: /tasks"),
        (200, "🧾" * 500, "…и ещё 190: /tasks"),  # 1,000 units a title: each clipped to 100
    ],
)
def test_the_reminders_missed_while_off_fit_one_message(count: int, title: str, last: str) -> None:
    due = datetime(2026, 3, 2, 12, tzinfo=UTC)
    tasks = [Task(id=n, title=title, due_at=due) for n in range(count)]
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        text = access_changed(True, "manager", tasks, "Europe/Moscow").as_kwargs()["text"]
    assert text.startswith(
        BACK_RU + f"\n\nПока он был закрыт, подошли напоминания по вашим задачам ({count}):\n"
    )
    assert text.splitlines()[-1] == last
    assert utf16_length(text) <= MESSAGE_CHARS


def test_the_reminders_missed_while_the_bot_was_blocked_fit_one_message() -> None:
    """Told to a member who had blocked the bot and writes again: the same list as with
    access back, under its own heading."""
    due = datetime(2026, 3, 2, 12, tzinfo=UTC)
    tasks = [Task(id=n, title="🧾" * 500, due_at=due) for n in range(200)]
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        text = reachable_again(tasks, "Europe/Moscow").as_kwargs()["text"]
    lines = text.splitlines()
    assert lines[0] == "Пока бот не мог вам писать, подошли напоминания по вашим задачам (200):"
    assert lines[1] == "• 02.03 15:00 " + "🧾" * 49 + "…"
    assert lines[-1] == "…и ещё 190: /tasks"
    assert utf16_length(text) <= MESSAGE_CHARS
