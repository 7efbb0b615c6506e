"""A record's card lists its open tasks (a rule on the record made them) as a client's card
does: the first five, soonest first, titles clipped, "…and N more", with a button to open
each; and whatever its fields, tasks and history hold, it stays within Telegram's limit.
Before, the card said nothing of them: they were found only in /tasks."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from storage.models import Record
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_automation_round_robin import actor, tick
from tests.test_history_fit import heading
from tests.test_record_screens_fit import TELEGRAM_LIMIT, long_field, units


def task_action(title: str, minutes: int) -> dict[str, Any]:
    return {"type": "create_task", "title": title, "due_minutes": minutes, "assignee": "actor"}


async def supplier_with_tasks(app: App, titles: list[str]) -> tuple[int, Record]:
    """A rule making a task of each of ``titles`` (the first soonest) on each new supplier,
    and the supplier Acme it fired on."""
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        actions = [task_action(title, 60 + n) for n, title in enumerate(titles)]
        await crm.automation.add(
            owner, "Проверки", "record_created", {"type_id": suppliers.id}, actions
        )
        acme = await crm.records.create(owner, suppliers.id, "Acme")
    assert await tick(app) == 1
    return suppliers.id, acme


def task_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("Открытые задачи")
    return [line for line in lines[start + 1 :] if line.startswith(("• ", "…"))]


def open_card(record_id: int) -> str:
    return EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=record_id).pack()


async def test_a_records_open_tasks_are_on_its_card_with_buttons(
    app: App, owner: SimulatedUser
) -> None:
    titles = [f"Задача {n:02} " + "з" * 470 for n in range(10)]
    _type, acme = await supplier_with_tasks(app, titles)
    [card] = await owner.press_data(open_card(acme.id))
    assert units(card.text) <= TELEGRAM_LIMIT
    listed = task_lines(card.text)
    assert [line[14:23] for line in listed[:5]] == [f"Задача {n:02}" for n in range(5)]
    assert all(units(line) < 130 and line.endswith("…") for line in listed[:5])
    assert listed[5:] == ["…и ещё 5"], listed
    buttons = [text for text, _data, _url in card.buttons if text.startswith("☑️")]
    assert len(buttons) == 5 and "Задача 00" in buttons[0]
    [task] = await owner.press(buttons[0], card)
    assert "Задача 00" in task.text and "🏭 Acme" in task.text


async def test_whatever_the_top_part_holds_the_record_card_fits(
    app: App, owner: SimulatedUser
) -> None:
    """Long fields, long tasks and long comments at once: the fields and tasks are cut,
    each saying so, and the newest comment still shows."""
    type_id, acme = await supplier_with_tasks(app, ["Задача " + "з" * 490 for _n in range(10)])
    ref = CardRef(CardKind.RECORD, acme.id)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n in range(12):
            await long_field(crm, ref, f"Поле {n:02}", "текст " * 100, type_id)
        for n in range(3):
            await crm.records.comment(me, acme.id, f"Заметка {n:02} " + "ж" * 490)
    [card] = await owner.press_data(open_card(acme.id))
    assert units(card.text) <= TELEGRAM_LIMIT
    first, last, _total = heading(card.text)
    assert first == 1 and last >= 1 and "Заметка 02" in card.text  # the newest comment
    assert "Открытые задачи" in card.text and "…и ещё" in card.text
