"""A task's when as people type a deadline, a dashed time or a fraction of hours, through the
Dispatcher: ``/task``, Change time and "What time?".

The clock starts on Monday 02.03.2026 at 12:00 in Moscow (09:00 UTC).
"""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from tests.test_tasks_flow import all_tasks, moscow, new_task


async def test_a_deadlines_weekday_is_that_day_and_leaves_the_title(
    app: App, owner: SimulatedUser
) -> None:
    for typed, title, due in (
        ("сдать отчёт до пятницы", "сдать отчёт", "Пт 06.03.2026 10:00"),
        ("к среде подготовить договор", "подготовить договор", "Ср 04.03.2026 10:00"),
        ("позвонить Ивану в эту пятницу в 15", "позвонить Ивану", "Пт 06.03.2026 15:00"),
    ):
        text = await new_task(owner, typed)
        assert f"🔹 {title}\n" in text and f"🕒 {due}" in text, typed
    [confirmation] = await owner.send("/task завтра в 10 позвонить")
    await owner.press("Изменить время", confirmation)
    [reply] = await owner.send("к пятнице")
    assert reply.text.startswith("✅ Задача сохранена") and "🕒 Пт 06.03.2026 10:00" in reply.text
    tasks = await all_tasks(app)
    assert [(task.title, task.due_at) for task in tasks] == [
        ("сдать отчёт", moscow(6, 10)),
        ("подготовить договор", moscow(4, 10)),
        ("позвонить Ивану", moscow(6, 15)),
        ("позвонить", moscow(6, 10)),
    ]


async def test_by_friday_and_this_friday_in_english(app: App, owner_en: SimulatedUser) -> None:
    text = await new_task(owner_en, "send the report by Friday")
    assert "🔹 send the report\n" in text and "🕒 Fri 06.03.2026 10:00" in text
    [confirmation] = await owner_en.send("/task tomorrow 10:00 call Ivan")
    await owner_en.press("Change time", confirmation)
    [reply] = await owner_en.send("this Friday")
    assert "🕒 Fri 06.03.2026 10:00" in reply.text
    assert [task.due_at for task in await all_tasks(app)] == [moscow(6, 10), moscow(6, 10)]


async def test_a_dashed_time_and_an_hour_and_a_half(app: App, owner: SimulatedUser) -> None:
    text = await new_task(owner, "позвонить в банк завтра в 9-30")
    assert "🔹 позвонить в банк\n" in text and "🕒 Вт 03.03.2026 09:30" in text
    text = await new_task(owner, "через 1,5 часа отправить счёт")
    assert "🔹 отправить счёт\n" in text and "🕒 Пн 02.03.2026 13:30" in text
    [reply] = await owner.send("/task сегодня заехать на склад")
    assert reply.text.startswith("Во сколько Пн 02.03?")
    [reply] = await owner.send("18-30")
    assert "🔹 заехать на склад\n" in reply.text and "🕒 Пн 02.03.2026 18:30" in reply.text
    await owner.press("Изменить время", reply)
    [reply] = await owner.send("через 1.5 часа")
    assert "🕒 Пн 02.03.2026 13:30" in reply.text
    [reply] = await owner.send("/task встреча в 10-12")  # from 10 to 12: not 10:12
    assert not reply.text.startswith("✅")
    assert [task.due_at for task in await all_tasks(app)] == [
        moscow(3, 9, 30),
        moscow(2, 13, 30),
        moscow(2, 13, 30),
    ]


async def test_in_one_and_a_half_hours_in_english(app: App, owner_en: SimulatedUser) -> None:
    text = await new_task(owner_en, "in 1.5 hours send the offer")
    assert "🔹 send the offer\n" in text and "🕒 Mon 02.03.2026 13:30" in text


async def test_29_february_of_a_year_without_it_names_the_next(
    app: App, owner: SimulatedUser
) -> None:
    """ "29.02" when the coming February has none was "no such day: check the day and the
    month", as for 31.02; now it says which year has one."""
    [reply] = await owner.send("/task 29.02 поздравить Ивана")
    assert reply.text.startswith(
        "В ближайшем феврале нет 29-го числа; следующее 29 февраля будет в 2028 году."
    ), reply.text
    assert "«поздравить Ивана»" in reply.text
    [reply] = await owner.send("29.02.2028")
    assert "🕒 Вт 29.02.2028 10:00" in reply.text, reply.text


async def test_29_february_in_english(app: App, owner_en: SimulatedUser) -> None:
    [reply] = await owner_en.send("/task 29.02 congratulate Ivan")
    assert reply.text.startswith(
        "The coming February has no 29th; the next 29 February is in 2028."
    ), reply.text
    [reply] = await owner_en.send("/task 31.02 congratulate Ivan")
    assert reply.text.startswith("There is no such day in the calendar"), reply.text
