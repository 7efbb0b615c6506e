"""After a refused date, the task's text is kept: only the when is asked again.

The clock starts on Monday 02.03.2026 at 12:00 in Moscow (09:00 UTC).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.tasks.callbacks import NewTaskCb
from handlers.tasks.when_texts import kept_text
from storage.engine import create_session_factory
from storage.models import Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, START


async def all_tasks(app: App) -> list[Task]:
    async with create_session_factory(app.engine)() as session:
        return list(await session.scalars(select(Task).order_by(Task.id)))


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("вчера позвонить Ивану", "позвонить Ивану"),  # a past day: the words after it
        ("yesterday at 10 call Ivan", "call Ivan"),
        ("01.02 отправить КП", "отправить КП"),  # a past date
        ("позвонить Ивану вчера", "позвонить Ивану"),  # a past end: the words before it
        ("позвонить Ивану вчера в 10", "позвонить Ивану"),
        ("отправить КП, 31.02", "отправить КП"),
        ("позвонить Ивану когда-нибудь", "позвонить Ивану когда-нибудь"),  # no date: all of it
        ("вчера позвонить Ивану 31.02", "позвонить Ивану 31.02"),  # the start first
        ("call   Ivan\nsometime", "call Ivan sometime"),
        ("32.13 call Ivan", "32.13 call Ivan"),  # nothing reads as a date: nothing is dropped
        ("31.02 позвонить", "позвонить"),  # a date the calendar has not is still a when
        ("30.02.2027 в 10 позвонить Ивану", "позвонить Ивану"),
        ("31 февраля отправить КП", "отправить КП"),
        ("01.01.0000 позвонить", "позвонить"),  # a year no one means: a when too
        ("позвонить вчера в 15:00 Ивану", "позвонить Ивану"),  # a past middle: the words around it
        ("call Ivan on 31.02 at 15:00 about it", "call Ivan about it"),
        ("вчера", ""),  # only a date: no what yet
    ],
)
def test_what_is_kept_of_a_refused_when(typed: str, kept: str) -> None:
    assert kept_text(typed, START, "Europe/Moscow", 10) == kept


async def test_a_past_day_asks_only_the_when(app: App, owner_en: SimulatedUser) -> None:
    [reply] = await owner_en.send("/task вчера в 10 позвонить Ивану")
    assert reply.text.startswith(
        "That moment has already passed. The task “позвонить Ивану” is kept: "
        "send only when it should be."
    )
    [reply] = await owner_en.send("someday")  # still only the when, still kept
    assert reply.text.startswith("I couldn't read that as a date and time.")
    assert await all_tasks(app) == []
    [reply] = await owner_en.send("tomorrow 11:00")
    assert reply.text.startswith("✅ Task saved")
    assert "позвонить Ивану" in reply.text and "🕒 Tue 03.03.2026 11:00" in reply.text
    [task] = await all_tasks(app)
    assert task.title == "позвонить Ивану"


async def test_a_day_the_calendar_has_not_is_named_and_dropped_from_the_text(
    app: App, owner: SimulatedUser
) -> None:
    [reply] = await owner.send("/task 31.02 в 10 позвонить Ивану")
    assert reply.text.startswith(
        "Такого дня нет в календаре: проверьте число и месяц. "
        "Текст задачи «позвонить Ивану» я запомнил"
    ), reply.text
    [reply] = await owner.send("30.02")  # the when alone, as asked
    assert reply.text.startswith("Такого дня нет в календаре"), reply.text
    assert await all_tasks(app) == []
    [reply] = await owner.send("завтра в 11")
    assert "позвонить Ивану" in reply.text and "31.02" not in reply.text
    [task] = await all_tasks(app)
    assert task.title == "позвонить Ивану"


async def test_a_text_without_a_date_is_kept_whole(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    [prompt] = await owner_en.press_data(NewTaskCb(client_id=client.id).pack())
    assert prompt.text.startswith("A task for Ivan Petrov.")
    [reply] = await owner_en.send("send the offer")
    assert reply.text.startswith(
        "I couldn't read that as a date and time. The task “send the offer” is kept"
    )
    [reply] = await owner_en.send("friday 15:00")
    assert "send the offer" in reply.text and "🕒 Fri 06.03.2026 15:00" in reply.text
    [task] = await all_tasks(app)
    assert (task.title, task.client_id) == ("send the offer", client.id)


async def test_a_refused_date_alone_asks_the_what_later(app: App, owner: SimulatedUser) -> None:
    await owner.send("/task")
    [reply] = await owner.send("вчера")
    assert reply.text.startswith("Это время уже прошло. Когда")
    [reply] = await owner.send("завтра в 9")
    assert reply.text == "Что нужно сделать?"
    [reply] = await owner.send("Позвонить в банк")
    assert "Позвонить в банк" in reply.text
    assert [task.title for task in await all_tasks(app)] == ["Позвонить в банк"]


async def test_the_kept_text_is_shown_shortened(app: App, owner_en: SimulatedUser) -> None:
    title = "call " + " ".join(f"word{n}" for n in range(60))  # 400 characters: a task may
    await owner_en.send("/task")
    [reply] = await owner_en.send(title)
    assert "word2" in reply.text and "word30" not in reply.text
    [reply] = await owner_en.send("tomorrow 10:00")
    assert "word59" in reply.text and "🕒 Tue 03.03.2026 10:00" in reply.text
    assert [task.title for task in await all_tasks(app)] == [title]


async def test_a_text_too_long_for_a_task_is_refused_at_once(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/task")
    [reply] = await owner_en.send("call " + "x" * 600)
    assert reply.text == "That is too long: at most 500 characters. Please send a shorter one."
    [reply] = await owner_en.send("someday call Ivan")  # still the when and the what
    assert reply.text.startswith("I couldn't read that as a date and time. The task “someday")
    [reply] = await owner_en.send("tomorrow 10:00")
    assert "someday call Ivan" in reply.text
    assert [task.title for task in await all_tasks(app)] == ["someday call Ivan"]


async def test_a_year_no_one_means_is_named_not_a_missing_day(
    app: App, owner_en: SimulatedUser
) -> None:
    """01.01.0000 was answered "There is no such day in the calendar: check the day and the
    month", which sent one to check what was right; the year is named."""
    [reply] = await owner_en.send("/task 01.01.0000 10:00 call Ivan")
    assert reply.text.startswith(
        "That year is not valid: check the year. The task “call Ivan” is kept"
    ), reply.text
    [reply] = await owner_en.send("01.01.1025")
    assert reply.text.startswith("That year is not valid: check the year."), reply.text
    assert await all_tasks(app) == []
    [reply] = await owner_en.send("tomorrow 11:00")
    assert reply.text.startswith("✅ Task saved") and "call Ivan" in reply.text
