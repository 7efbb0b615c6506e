"""A client's card with many or long open tasks still opens: it lists the first few and says
how many more, its titles clipped; and whatever the top part holds (phones, fields, deals,
tasks), the card stays within Telegram's limit. Ten open tasks of 480 characters, or forty
ordinary ones, made "Something went wrong" of opening the card and of /find."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from storage.models import Client
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_history_fit import heading
from tests.test_record_screens_fit import TELEGRAM_LIMIT, long_field, units

MILA = 5701


async def add_tasks(app: App, client: Client, clock: ManualClock, titles: list[str]) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n, title in enumerate(titles):
            due = clock.now() + timedelta(days=1, minutes=n)
            await crm.tasks.create(me, title, due, client_id=client.id)


def task_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("Открытые задачи")
    return [line for line in lines[start + 1 :] if line.startswith(("• ", "…"))]


async def test_many_long_open_tasks_list_five_and_say_how_many_more(
    app: App, owner: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Анна Задачина")
    await add_tasks(app, client, clock, [f"Задача {n:02} " + "з" * 470 for n in range(10)])
    for card in (
        *(await owner.press_data(ClientCb(action="open", client_id=client.id).pack())),
        *(await owner.send("/find Задачина")),
    ):
        assert units(card.text) <= TELEGRAM_LIMIT
        listed = task_lines(card.text)
        assert [line[14:23] for line in listed[:5]] == [f"Задача {n:02}" for n in range(5)]
        assert all(units(line) < 130 and line.endswith("…") for line in listed[:5])
        assert listed[5:] == ["…и ещё 5"], listed
        assert len([b for b, _d, _u in card.buttons if b.startswith("☑️")]) == 5


async def test_forty_open_tasks(app: App, owner: SimulatedUser, clock: ManualClock) -> None:
    client = await make_client(app, OWNER_ID, "Борис Делов")
    await add_tasks(app, client, clock, [f"Позвонить {n:02}" for n in range(40)])
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    assert task_lines(card.text)[-2:] == [task_lines(card.text)[4], "…и ещё 35"]
    assert task_lines(card.text)[4].endswith(" Позвонить 04")


async def test_whatever_the_top_part_holds_the_card_fits(
    app: App, owner: SimulatedUser, clock: ManualClock
) -> None:
    """Long fields, long deals, long tasks and long notes at once: the top part's lists are
    cut, each saying so, and the newest note still shows."""
    client = await make_client(
        app,
        OWNER_ID,
        "Вера " + "я" * 190,
        company="ООО " + "к" * 190,
        city="г" * 100,
        source="и" * 100,
        tags=tuple(f"{n:02}" + "т" * 60 for n in range(20)),
        phones=tuple(f"+7999123{n:04}" for n in range(30)),
    )
    ref = CardRef(CardKind.CLIENT, client.id)
    await add_tasks(app, client, clock, ["Задача " + "з" * 490 for _n in range(10)])
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for n in range(12):
            await long_field(crm, ref, f"Поле {n:02}", "текст " * 100)
        for n in range(8):
            await crm.deals.create(me, client.id, 0, f"Сделка {n} " + "д" * 190)
        for n in range(3):
            await crm.timeline.comment(me, client.id, f"Заметка {n:02} " + "ж" * 490)
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    assert units(card.text) <= TELEGRAM_LIMIT
    first, last, _total = heading(card.text)
    assert first == 1 and last >= 1  # the newest note shows
    assert "Заметка 02" in card.text
    assert re.search(r"…и ещё \d+\n", card.text)  # phones, deals or tasks left out, said so
    assert "Открытые задачи" in card.text


async def test_a_managers_own_task_after_five_others_has_its_button(
    app: App, owner: SimulatedUser, clock: ManualClock, join: Joiner
) -> None:
    """Mila's client has six open tasks: five the owner set himself, sooner, and Mila's own,
    sixth by due date. The card read the five soonest, none hers, so she got no button to
    open her own; a manager's own come first now (the owner still sees the five soonest)."""
    mila = await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, MILA, "Vera Ivanova")
    await add_tasks(app, client, clock, [f"Owner's {n}" for n in range(5)])
    async with app.crm.open() as crm:
        due = clock.now() + timedelta(days=2)
        await crm.tasks.create(await member(app, MILA), "Mila's own", due, client_id=client.id)
    [card] = await mila.press_data(ClientCb(action="open", client_id=client.id).pack())
    assert [b for b, _d, _u in card.buttons if b.startswith("☑️")] == ["☑️ 04.03 12:00 Mila's own"]
    assert "• 04.03 12:00 Mila's own" in card.text and "…and 1 more" in card.text
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    mine = [b[15:] for b, _d, _u in card.buttons if b.startswith("☑️")]
    assert mine == [f"Owner's {n}" for n in range(5)]


async def test_a_managers_own_task_after_thirty_others_on_a_deal_has_its_button(
    app: App, owner: SimulatedUser, clock: ManualClock, join: Joiner
) -> None:
    """The deal's card reads 30 open tasks, soonest first: Mila's own, 31st, had no button."""
    mila = await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, MILA, "Vera Ivanova")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, MILA), client.id, 100, "Sofa")
        me = await member(app, OWNER_ID)
        for n in range(30):
            due = clock.now() + timedelta(days=1, minutes=n)
            await crm.tasks.create(me, f"Owner's {n}", due, deal_id=deal.id)
        due = clock.now() + timedelta(days=2)
        await crm.tasks.create(await member(app, MILA), "Mila's own", due, deal_id=deal.id)
    [card] = await mila.press_data(DealCb(action="open", deal_id=deal.id).pack())
    assert [b for b, _d, _u in card.buttons if b.startswith("☑️")] == ["☑️ 04.03 12:00 Mila's own"]
    [card] = await owner.press_data(DealCb(action="open", deal_id=deal.id).pack())
    shown = [b[15:] for b, _d, _u in card.buttons if b.startswith("☑️")]
    assert shown == [f"Owner's {n}" for n in range(5)]
