"""Issue 10, item 12, tasks: a task on a card opens with one tap; its text, time, priority,
assignee and client or deal are changed on its screen; it is cancelled after a question;
/tasks shows what is further ahead than 7 days. Forged and double presses are refused.

The clock starts on Monday 02.03.2026 at 12:00 in Moscow (09:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SentMessage, SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from handlers.tasks.callbacks import Attach, TaskAction, TaskCb
from storage.engine import create_session_factory
from storage.models import Event, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_notices import texts_to

MILA, MARK = 5601, 5602


async def stored(app: App, task_id: int) -> Task | None:
    async with create_session_factory(app.engine)() as session:
        return await session.get(Task, task_id)


async def event_kinds(app: App) -> list[str]:
    async with create_session_factory(app.engine)() as session:
        return list(await session.scalars(select(Event.kind).order_by(Event.id)))


async def make_task(app: App, actor_id: int, title: str, days: int, **options: object) -> Task:
    async with app.crm.open() as crm:
        actor = await crm.members.get_active(actor_id)
        assert actor is not None
        due = crm.clock.now() + timedelta(days=days)
        return await crm.tasks.create(actor, title, due, **options)  # type: ignore[arg-type]


def labels(message: SentMessage) -> list[str]:
    return [text for text, _data, _url in message.buttons]


async def test_a_task_on_a_card_opens_and_is_fixed_on_its_screen(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    boris = await make_client(app, OWNER_ID, "Boris Orlov")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, boris.id, 100_00, "Sofa")
        for client in (anna, boris):  # Mila sees them: the task may be hers on either
            await crm.client_edits.set_manager(owner, client.id, None)
    task = await make_task(app, OWNER_ID, "call back", 1, client_id=anna.id)

    [card] = await owner_en.press_data(ClientCb(action="open", client_id=anna.id).pack())
    assert any(text.startswith("☑️ 03.03 12:00 call back") for text in labels(card))
    [screen] = await owner_en.press("☑️ 03.03 12:00 call back", card)
    assert screen.message_id == card.message_id
    assert screen.text.startswith("📌 Task") and "👤 Anna Lee" in screen.text

    # The text: too long gets a second try, then it is changed.
    [question] = await owner_en.press("✏️ Text", screen)
    assert "Send the new text of the task." in question.text
    [reply] = await owner_en.send("x" * 501)
    assert reply.text.startswith("That is too long: at most 500 characters.")
    [reply] = await owner_en.send("call back about the price")
    assert reply.text.startswith("✅ Task saved") and "call back about the price" in reply.text
    found = await stored(app, task.id)
    assert found is not None and found.title == "call back about the price"

    # The time, as people say it; the priority; the assignee.
    await owner_en.press("Change time", reply)
    [reply] = await owner_en.send("in 2 weeks 15:00")
    assert "🕒 Mon 16.03.2026 15:00" in reply.text
    [picker] = await owner_en.press("Priority", reply)
    await owner_en.press("high", picker)
    [picker] = await owner_en.press("Assignee", reply)
    [reply] = await owner_en.press("Mila", picker)
    assert "🙋 Mila" in reply.text and "Priority: high" in reply.text

    # Tied to another client's deal: search, pick the client, pick the deal.
    [question] = await owner_en.press("📎 Client or deal", reply)
    assert "Send a client's name" in question.text
    assert "✂️ Untie it" in labels(question)
    [nobody] = await owner_en.send("zzzqqq")
    assert nobody.text.startswith("Nobody found by “zzzqqq”.")
    [results] = await owner_en.send("Boris")
    [choice] = await owner_en.press("👤 Boris Orlov", results)
    [reply] = await owner_en.press("💼 Sofa", choice)
    assert owner_en.alert == "Saved." and "💼 Sofa" in reply.text
    found = await stored(app, task.id)
    assert found is not None and (found.client_id, found.deal_id) == (boris.id, deal.id)
    assert found.due_at == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    assert found.priority == "high" and found.assignee_id == MILA

    # The deal's card shows it as a button; Anna's card no longer does.
    [deal_card] = await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    assert any("call back about the price" in text for text in labels(deal_card))
    [card] = await owner_en.press_data(ClientCb(action="open", client_id=anna.id).pack())
    assert not any(text.startswith("☑️") for text in labels(card))

    # /tasks: more than 7 days ahead is under "Later".
    [listing] = await owner_en.send("/tasks")
    assert "🔭" not in listing.text  # the owner's own list: the task is Mila's now
    [everyone] = await owner_en.press("Whose tasks", listing)
    [listing] = await owner_en.press("Everyone", everyone)
    assert "🔭 Later: 1" in listing.text and "call back about the price" in listing.text

    # Untie it from the deal.
    [deal_card] = await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    [screen] = await owner_en.press("call back about the price", deal_card)
    [question] = await owner_en.press("📎 Client or deal", screen)
    [deals] = await owner_en.press("💼 This client's deals", question)
    assert labels(deals) == ["👤 Boris Orlov", "💼 Sofa · New lead", "◀️ Back"]
    [screen] = await owner_en.press("Back", deals)
    [question] = await owner_en.press("📎 Client or deal", screen)
    [reply] = await owner_en.press("✂️ Untie it", question)
    found = await stored(app, task.id)
    assert found is not None and (found.client_id, found.deal_id) == (None, None)
    assert "💼 Sofa" not in reply.text


async def test_cancelling_asks_first_and_a_second_press_is_refused(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    mark = await join(MARK, "manager", "Mark", language_code="en")
    task = await make_task(app, MILA, "send the offer", 1)
    [listing] = await mila.send("/tasks")
    [screen] = await mila.press("✏️ 1", listing)  # the list's row opens the task
    assert screen.text.startswith("📌 Task") and "send the offer" in screen.text
    [question] = await mila.press("🗑 Cancel the task", screen)
    assert "Cancel this task?" in question.text
    [back] = await mila.press("Back", question)  # changes nothing
    assert await stored(app, task.id) is not None and "🗑 Cancel the task" in labels(back)

    # Mark neither sees nor cancels Mila's task, whatever the button says.
    for action in (TaskAction.OPEN, TaskAction.CANCEL_YES, TaskAction.TITLE, TaskAction.LINK):
        await mark.press_data(TaskCb(action=action, task_id=task.id).pack())
        assert mark.alert == "This record no longer exists."
    forged = TaskCb(action=TaskAction.ATTACH, task_id=task.id, choice=Attach.CLIENT, item=1)
    await mark.press_data(forged.pack())
    assert mark.alert == "This record no longer exists."

    await mila.press("🗑 Cancel the task", back)
    [done] = await mila.press("Yes, cancel it")
    assert done.text == "🗑 The task “send the offer” is cancelled."
    await mila.press_data(TaskCb(action=TaskAction.CANCEL_YES, task_id=task.id).pack(), done)
    assert mila.alert == "This record no longer exists."
    assert await stored(app, task.id) is None
    assert (await event_kinds(app)).count("task_cancelled") == 1


async def test_a_client_from_another_manager_cannot_be_tied_to(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    await join(MARK, "manager", "Mark", language_code="en")
    marks = await make_client(app, MARK, "Secret Client")
    task = await make_task(app, MILA, "send the offer", 1)
    forged = TaskCb(action=TaskAction.ATTACH, task_id=task.id, choice=Attach.CLIENT, item=marks.id)
    await mila.press_data(forged.pack())
    assert mila.alert == "This record no longer exists."
    peek = TaskCb(action=TaskAction.LINK_CLIENT, task_id=task.id, item=marks.id)
    await mila.press_data(peek.pack())
    assert mila.alert == "This record no longer exists."
    found = await stored(app, task.id)
    assert found is not None and found.client_id is None


async def test_the_task_screen_speaks_russian(app: App, owner: SimulatedUser) -> None:
    anna = await make_client(app, OWNER_ID, "Анна Ли")
    await make_task(app, OWNER_ID, "перезвонить", 1, client_id=anna.id)
    [card] = await owner.press_data(ClientCb(action="open", client_id=anna.id).pack())
    [screen] = await owner.press("перезвонить", card)
    assert screen.text.startswith("📌 Задача") and "👤 Анна Ли" in screen.text
    assert {"✏️ Текст", "📎 Клиент или сделка", "🗑 Отменить задачу"} <= set(labels(screen))
    [question] = await owner.press("Отменить задачу", screen)
    assert "Отменить эту задачу?" in question.text
    [done] = await owner.press("Да, отменить", question)
    assert done.text == "🗑 Задача «перезвонить» отменена."


async def test_a_task_gone_while_its_question_waits_ends_the_question(
    app: App, owner_en: SimulatedUser
) -> None:
    task = await make_task(app, OWNER_ID, "call back", 1)
    [listing] = await owner_en.send("/tasks")
    [screen] = await owner_en.press("✏️ 1", listing)
    await owner_en.press("📎 Client or deal", screen)
    async with app.crm.open() as crm:  # cancelled elsewhere meanwhile
        await crm.task_edits.cancel(await member(app, OWNER_ID), task.id)
    [reply] = await owner_en.send("Anna")
    assert reply.text == "This record no longer exists."
    key = StorageKey(bot_id=app.bot.id, chat_id=OWNER_ID, user_id=OWNER_ID)
    assert await app.dispatcher.fsm.storage.get_state(key) is None


async def test_a_task_cancelled_by_someone_else_is_told_to_its_assignee_or_setter(
    app: App, owner_en: SimulatedUser, join: Joiner, session: OfflineSession
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    for_mila = await make_task(app, OWNER_ID, "send the offer", 1, assignee_id=MILA)
    for_mila_too = await make_task(app, OWNER_ID, "call Acme", 1, assignee_id=MILA)
    milas_own = await make_task(app, MILA, "tidy up", 1)
    await app.sender.drain_once()
    session.clear()

    async def cancel(user: SimulatedUser, task: Task) -> None:
        await user.press_data(TaskCb(action=TaskAction.CANCEL, task_id=task.id).pack())
        [done] = await user.press("Yes, cancel it")
        assert done.text == f"🗑 The task “{task.title}” is cancelled."

    await cancel(owner_en, for_mila)  # the owner cancels Mila's task: Mila is told
    await cancel(mila, for_mila_too)  # Mila cancels a task the owner set: the owner is told
    await cancel(mila, milas_own)  # one's own: nobody
    await app.sender.drain_once()
    assert texts_to(session, MILA) == ["Olga Owner cancelled the task “send the offer”."]
    assert texts_to(session, OWNER_ID) == ["Mila cancelled the task “call Acme”."]


async def test_a_question_about_a_task_does_not_say_it_was_saved(
    app: App, owner: SimulatedUser
) -> None:
    """A task opened from /tasks reads "📌 Задача"; asking to change its time, priority,
    reminder, repeat or assignee, or going back from that, said "✅ Задача сохранена"
    before anything was chosen. Only a change says it is saved."""
    await make_task(app, OWNER_ID, "отправить КП", 1)
    [listing] = await owner.send("/tasks")
    [screen] = await owner.press("✏️ 1", listing)
    assert screen.text.startswith("📌 Задача")
    for asked in ("🕒 Изменить время", "⚡ Приоритет", "🔔 Напоминание", "🔁 Повтор", "🙋"):
        [question] = await owner.press(asked, screen)
        assert question.text.startswith("📌 Задача"), (asked, question.text)
        [screen] = await owner.press("◀️ Назад", question)
        assert screen.text.startswith("📌 Задача"), (asked, screen.text)
    await owner.press("🔁 Повтор", screen)
    [saved] = await owner.press("каждый день")
    assert saved.text.startswith("✅ Задача сохранена") and "Повтор: каждый день" in saved.text
