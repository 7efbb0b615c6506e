"""The open card under the member's control (issue 10, item 1): replies go to the card they
answer, a name typed with a card open is asked about, /task and /deal say where they attach,
and a deal's card takes what is typed into the deal's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.parsing.name_match import looks_like_name
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.deals.callbacks import DealAction, DealCb
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb
from handlers.settings.callbacks import DayPartAction, DayPartCb
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.engine import create_session_factory
from storage.models import Deal, Event, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_deal_card import make_deal


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("кузнецов", "Пётр Кузнецов", True),
        ("Кузнецов", "Пётр Кузнецов", True),
        ("пётр кузн", "Пётр Кузнецов", True),
        ("петр", "Пётр Кузнецов", True),
        ("Анна-Мария", "Анна-Мария Ли", True),
        ("анна", "Анна-Мария Ли", True),
        ("кузнецов.", "Пётр Кузнецов", True),
        ("перезвонить", "Пётр Кузнецов", False),
        ("кузнецов перезвонить", "Пётр Кузнецов", False),
        ("кузнецов позвонил в пятницу", "Пётр Кузнецов", False),  # too many words
        ("ку", "Пётр Кузнецов", False),  # too short to be sure
        ("кузнецов 5", "Пётр Кузнецов", False),
        ("кузнецов, ок", "Пётр Кузнецов", False),
        ("ivan@mail.ru", "Ivan Mail", False),
        ("", "Пётр Кузнецов", False),
        ("к" * 41, "к" * 41, False),
    ],
)
def test_a_text_that_names_a_client(text: str, name: str, expected: bool) -> None:
    assert looks_like_name(text, name) is expected


async def comments_of(
    app: App, client_id: int | None = None, deal_id: int | None = None
) -> list[str]:
    async with create_session_factory(app.engine)() as db:
        query = select(Event.text).where(Event.kind == "comment")
        if client_id is not None:
            query = query.where(Event.client_id == client_id)
        if deal_id is not None:
            query = query.where(Event.deal_id == deal_id)
        return [text or "" for text in await db.scalars(query.order_by(Event.id))]


async def test_text_with_a_deal_card_open_goes_into_the_deals_history(
    app: App, owner: SimulatedUser
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    deal = await make_deal(app, alena.id, title="Поставка")
    [card] = await owner.press_data(DealCb(action=DealAction.OPEN, deal_id=deal.id).pack())
    assert card.text.rstrip().endswith(
        "Всё, что вы отправите сейчас, попадёт в историю этой карточки."
    )
    [ack] = await owner.send("договорились на пятницу")
    assert "Комментарий добавлен к сделке «Поставка»" in ack.text
    assert await comments_of(app, deal_id=deal.id) == ["договорились на пятницу"]
    [ack] = await owner.send_document("смета.pdf", caption="смета")  # a file too
    assert ack.text == "Добавлено в историю: Поставка."
    async with create_session_factory(app.engine)() as db:
        [file] = list(await db.scalars(select(Event).where(Event.kind == "file")))
    assert (file.client_id, file.deal_id, file.text) == (alena.id, deal.id, "смета")
    # Opening the client's own card makes the client's card the open one again.
    await owner.press_data(ClientCb(action=CardAction.OPEN, client_id=alena.id).pack())
    await owner.send("перезвонить в понедельник")
    assert await comments_of(app, deal_id=deal.id) == ["договорились на пятницу"]
    assert "перезвонить в понедельник" in await comments_of(app, client_id=alena.id)


async def test_a_reply_to_a_card_goes_into_that_cards_history(
    app: App, owner: SimulatedUser
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    petr = await make_client(app, OWNER_ID, "Пётр Кузнецов")
    deal = await make_deal(app, petr.id, title="Монтаж")
    [first] = await owner.send("/find кузнецов")
    [deal_card] = await owner.press_data(DealCb(action=DealAction.OPEN, deal_id=deal.id).pack())
    assert deal_card is first  # (the press showed the deal in that message)
    [alena_card] = await owner.send("/find алёна")
    [petr_card] = await owner.send("/find кузнецов")
    # Пётр's card is open, yet a reply to Алёна's card goes to her.
    [ack] = await owner.send("обещала ответить завтра", reply_to=alena_card)
    assert "Алёна Смирнова" in ack.text
    assert await comments_of(app, client_id=alena.id) == ["обещала ответить завтра"]
    # A reply to the deal's card goes into the deal's history.
    await owner.send("нужен замер", reply_to=deal_card)
    assert await comments_of(app, deal_id=deal.id) == ["нужен замер"]
    # With no card open at all (a command closed it), a reply still finds its card.
    await owner.send("/start")
    await owner.send("позвонить после обеда", reply_to=petr_card)
    assert await comments_of(app, client_id=petr.id) == ["нужен замер", "позвонить после обеда"]
    # A reply to any other message of the bot is not a comment: with no card open, a search.
    [hello] = [m for m in owner.chat_messages() if m.reply_keyboard is not None][-1:]
    replies = await owner.send("алёна", reply_to=hello)
    assert any("Алёна Смирнова" in r.text for r in replies)
    assert await comments_of(app, client_id=alena.id) == ["обещала ответить завтра"]


async def test_a_name_of_another_client_is_asked_about(app: App, owner: SimulatedUser) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    petr = await make_client(app, OWNER_ID, "Пётр Кузнецов")
    await owner.send("/find алёна")
    [question] = await owner.send("кузнецов")
    assert question.text == (
        "«кузнецов» похоже на имя клиента Пётр Кузнецов. "
        "Это комментарий к карточке «Алёна Смирнова» или поиск?"
    )
    assert await comments_of(app) == []
    [found] = await owner.press("Найти", question)
    assert found.text.startswith("👤 Пётр Кузнецов")
    await owner.press("Найти", question)  # pressed twice
    assert owner.alert is not None and "уже" in owner.alert
    assert await comments_of(app) == []

    # The same with the other answer: a comment on the open card, once.
    await owner.send("/find алёна")
    [question] = await owner.send("Кузнецов")
    [ack] = await owner.press("Комментарий к", question)
    assert "Алёна Смирнова" in ack.text
    assert await comments_of(app, client_id=alena.id) == ["Кузнецов"]
    await owner.press_data(OpenCardCb(action=OpenCardAction.COMMENT, ref=0).pack(), question)
    assert owner.alert is not None and "уже" in owner.alert
    assert await comments_of(app, client_id=alena.id) == ["Кузнецов"]
    # A longer text, or the card's own client's name, is simply a comment.
    await owner.send("Кузнецов перезвонит ей в пятницу")
    await owner.send("Смирнова")
    assert await comments_of(app, client_id=alena.id) == [
        "Кузнецов",
        "Кузнецов перезвонит ей в пятницу",
        "Смирнова",
    ]
    assert await comments_of(app, client_id=petr.id) == []


async def test_a_question_answered_late_says_so(app: App, owner: SimulatedUser) -> None:
    await make_client(app, OWNER_ID, "Алёна Смирнова")
    await make_client(app, OWNER_ID, "Пётр Кузнецов")
    await owner.send("/find алёна")
    [question] = await owner.send("кузнецов")
    await owner.send("/cancel")
    await owner.press("Комментарий к", question)
    assert owner.alert is not None and "уже" in owner.alert
    assert await comments_of(app) == []


async def tasks_now(app: App) -> list[Task]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Task).order_by(Task.id)))


async def test_task_names_the_open_card_and_can_go_on_no_card(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    deal = await make_deal(app, alena.id, title="Поставка")
    await owner.send("/find алёна")
    [saved] = await owner.send("/task завтра 10:00 отправить КП Ивану")
    assert "📎 На открытой карточке: Алёна Смирнова" in saved.text
    [task] = await tasks_now(app)
    assert (task.client_id, task.deal_id) == (alena.id, None)
    [shown] = await owner.press("Не для Алёна Смирнова", saved)
    assert "📎" not in shown.text
    [task] = await tasks_now(app)
    assert (task.client_id, task.deal_id) == (None, None)
    await owner.press_data(
        OpenCardCb(action=OpenCardAction.DETACH_TASK, ref=task.id).pack(), saved
    )  # pressed twice: nothing more to do, and no error
    [task] = await tasks_now(app)
    assert (task.client_id, task.deal_id) == (None, None)

    # With a deal's card open, /task asks, naming the deal; "not for it" makes a task on no card.
    await owner.press_data(DealCb(action=DealAction.OPEN, deal_id=deal.id).pack())
    [prompt] = await owner.send("/task")
    assert prompt.text.startswith("Новая задача: Поставка. Когда и что сделать?")
    await owner.press("Не для Поставка", prompt)
    assert owner.alert == "Задача будет без карточки."
    assert not any("Не для" in text for text, _d, _u in prompt.buttons)
    [saved] = await owner.send("завтра 11:00 позвонить")
    assert "📎" not in saved.text
    assert [(t.client_id, t.deal_id) for t in await tasks_now(app)][-1] == (None, None)
    await owner.press_data(OpenCardCb(action=OpenCardAction.DETACH_TASK).pack(), prompt)
    assert owner.alert == "Эта кнопка больше не действует."

    # And kept: the task goes on the deal.
    await owner.press_data(DealCb(action=DealAction.OPEN, deal_id=deal.id).pack())
    [saved] = await owner.send("/task завтра 12:00 выставить счёт")
    assert "📎 На открытой карточке: Поставка" in saved.text
    assert [(t.client_id, t.deal_id) for t in await tasks_now(app)][-1] == (alena.id, deal.id)
    # A forged "not for it" by a manager who may not see the task changes nothing.
    manager = await join(4501, "manager", "Марк")
    task_id = (await tasks_now(app))[-1].id
    await manager.press_data(OpenCardCb(action=OpenCardAction.DETACH_TASK, ref=task_id).pack())
    assert manager.alert is not None and "больше нет" in manager.alert
    assert [(t.client_id, t.deal_id) for t in await tasks_now(app)][-1] == (alena.id, deal.id)


async def test_deal_names_the_open_card_and_can_be_not_for_it(
    app: App, owner: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Алёна Смирнова")
    await owner.send("/find алёна")
    [prompt] = await owner.send("/deal")
    assert prompt.text.startswith("Новая сделка с клиентом Алёна Смирнова. Какая сумма?")
    [told] = await owner.press("Не для Алёна Смирнова", prompt)
    assert told.text.startswith("Значит, не для Алёна Смирнова.")
    replies = await owner.send("50000")  # no dialog, no open card: a search
    assert not any("сделк" in r.text.lower() for r in replies)
    async with create_session_factory(app.engine)() as db:
        assert list(await db.scalars(select(Deal))) == []
    await owner.press_data(OpenCardCb(action=OpenCardAction.NOT_THIS_CARD, ref=1).pack(), told)
    assert owner.alert == "Эта кнопка больше не действует."


async def test_the_owner_sets_the_parts_of_the_day(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    [screen] = await owner.send("/settings")
    [parts] = await owner.press("Части дня: 09:00 · 13:00 · 18:00", screen)
    [question] = await owner.press("Утро", parts)
    assert question.text.startswith("🌅 Утро («утром»): во сколько?")
    [parts] = await owner.send("8:00")
    assert "🌅 Утро («утром»): 08:00" in [t for t, _d, _u in parts.buttons]
    await owner.press("Вечер", parts)
    [refused] = await owner.send("7:30")  # before the morning and the afternoon
    assert refused.text.startswith("Утро раньше дня, а день раньше вечера")
    await owner.send("/cancel")
    [saved] = await owner.send("/task завтра утром позвонить Ивану")
    [task] = await tasks_now(app)
    assert task.due_at.astimezone(UTC) == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # 08:00 MSK
    assert task.title == "позвонить Ивану"
    assert "03.03" in saved.text and "08:00" in saved.text
    # Moving the task's time reads the same hours.
    await owner.press_data(TaskCb(action=TaskAction.TIME, task_id=task.id).pack())
    await owner.send("послезавтра утром")
    [task] = await tasks_now(app)
    assert task.due_at.astimezone(UTC) == datetime(2026, 3, 4, 5, 0, tzinfo=UTC)  # 08:00 MSK
    # Only the owner changes them.
    manager = await join(4401, "manager", "Марк")
    await manager.press_data(DayPartCb(action=DayPartAction.ASK, part="morning").pack())
    assert manager.alert == "У вас нет к этому доступа."
    async with app.crm.open() as crm:
        assert (await crm.settings.day_parts())["morning"] == (8, 0)


async def test_a_deal_made_at_once_on_the_open_card_can_be_taken_back(
    app: App, owner: SimulatedUser, clock: ManualClock
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    await owner.send("/find алёна")
    [card] = await owner.send("/deal 50000 Поставка")
    assert card.text.startswith("💼 Поставка\nКлиент: Алёна Смирнова")
    [told] = await owner.press("Не для Алёна Смирнова: отменить", card)
    assert told.text.startswith("Сделка «Поставка» отменена.")
    async with create_session_factory(app.engine)() as db:
        assert list(await db.scalars(select(Deal))) == []
        kinds = list(await db.scalars(select(Event.kind).where(Event.client_id == alena.id)))
    assert "deal_created" not in kinds
    await owner.press_data(OpenCardCb(action=OpenCardAction.TAKE_BACK_DEAL, ref=1).pack(), told)
    assert owner.alert is not None and "больше нет" in owner.alert  # pressed twice

    # Once the deal has moved on, it is not taken back.
    await owner.send("/find алёна")
    [card] = await owner.send("/deal 70000 Монтаж")
    await owner.send("договорились")  # a comment on the deal
    await owner.press("Не для Алёна Смирнова: отменить", card)
    assert owner.alert is not None and owner.alert.startswith("Эту сделку уже нельзя отменить")
    async with create_session_factory(app.engine)() as db:
        assert [d.title for d in await db.scalars(select(Deal))] == ["Монтаж"]
    # Nor after the hour it may be taken back in.
    await owner.send("/find алёна")
    [card] = await owner.send("/deal 90000 Окна")
    clock.advance(timedelta(hours=1, minutes=1))
    await owner.press("Не для Алёна Смирнова: отменить", card)
    assert owner.alert is not None and owner.alert.startswith("Эту сделку уже нельзя отменить")


async def test_an_old_not_for_the_card_leaves_a_task_put_on_another_card_since(
    app: App, owner: SimulatedUser
) -> None:
    """The "✂️ Not for Alyona" of a task's confirmation, pressed after the task was put on a deal
    from another message (its screen from /tasks): it said nothing of the deal, and took the
    task off it. Now it is no longer active, and the task stays on the deal."""
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    deal = await make_deal(app, alena.id, title="Поставка")
    await owner.send("/find алёна")
    [saved] = await owner.send("/task завтра 10:00 отправить КП Ивану")
    [task] = await tasks_now(app)
    async with app.crm.open() as crm:
        actor = await crm.members.get_active(OWNER_ID)
        assert actor is not None
        await crm.task_edits.attach(actor, task.id, client_id=None, deal_id=deal.id)
    await owner.press("Не для Алёна Смирнова", saved)
    assert owner.alert == "Эта кнопка больше не действует."
    [task] = await tasks_now(app)
    assert (task.client_id, task.deal_id) == (alena.id, deal.id)
