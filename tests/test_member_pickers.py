"""Choosing a member in a big team: every picker of members shows them a page at a time.

A deal's, a client's and a record's "👤 Responsible", the client list's "Responsible"
filter, a task's assignee and "Whose tasks", with 120 active members (and a few
deactivated ones, whom the filter offers too): eight members a page, "◀️ n/N ▶️"
between pages, "Nobody" and the way back on every page, so the screen stays within
Telegram's 100 buttons (the offline session refuses more, as Telegram does) and every
member can be picked. A button of the picker sent before the pages (no page in it)
opens the first page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.clients.callbacks import ClientCb, ClientListCb
from handlers.deals.callbacks import DealCb
from handlers.records.callbacks import Ent, EntCb
from handlers.tasks.callbacks import TaskCb, TasksCb
from storage.engine import create_session_factory, write_transaction
from storage.models import User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

TEAM = 120
FIRST_ID = 7_000_000


def name(n: int) -> str:
    return f"Member {n:03d}"


@pytest.fixture
async def boss(app: App, owner_en: SimulatedUser) -> SimulatedUser:
    """The owner (in English) of a team of ``TEAM`` active members and three deactivated."""
    await owner_en.send("/start")
    await big_team(app, deactivated=3)
    return owner_en


async def big_team(app: App, deactivated: int) -> None:
    """``TEAM`` active managers (and ``deactivated`` more), straight into the database."""
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        db.add_all(
            User(
                id=FIRST_ID + n,
                full_name=name(n),
                role="manager",
                active=n <= TEAM,
                language="en",
                timezone="Europe/Moscow",
                created_at=app.crm.clock.now(),
                morning_list=False,
            )
            for n in range(1, TEAM + deactivated + 1)
        )


def texts(screen: SentMessage) -> list[str]:
    return [text for text, _data, _url in screen.buttons]


def members_on(screen: SentMessage) -> list[str]:
    return [
        text.removeprefix("✅ ").removeprefix("⛔ ") for text in texts(screen) if "Member" in text
    ]


async def page_to(person: SimulatedUser, screen: SentMessage, wanted: str) -> SentMessage:
    """Press "▶️" until ``wanted`` is on the page."""
    while wanted not in members_on(screen):
        [screen] = await person.press("▶️", screen)
    return screen


async def check_picker(person: SimulatedUser, first: SentMessage, nobody: str) -> SentMessage:
    """The first page of a responsible picker, then the second; returns the second."""
    assert members_on(first) == [name(n) for n in range(1, 9)]
    assert nobody in texts(first) and "◀️" not in texts(first) and "▶️" in texts(first)
    assert len(first.buttons) <= 16
    [second] = await person.press("▶️", first)
    assert members_on(second) == [name(n) for n in range(9, 17)]
    assert nobody in texts(second) and "◀️" in texts(second)
    return second


async def pick_responsible(person: SimulatedUser, title: str, n: int) -> SentMessage:
    """On the open card: "👤 Responsible", the first two pages, ``name(n)`` on the second."""
    [first] = await person.press("👤 Responsible")
    assert title in first.text
    second = await check_picker(person, first, "Nobody")
    [card] = await person.press(name(n), second)
    assert person.alert == "Responsible changed."
    assert f"Responsible: {name(n)}" in card.text
    return card


async def test_a_deal_s_responsible_is_picked_from_pages_of_the_team(
    app: App, boss: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Roga")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.settings.set_managers_see_all(me, True)  # (else they may not have the deal)
        deal = await crm.deals.create(me, client.id, 0, "Supply")
    await boss.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await pick_responsible(boss, "Who is responsible for “Supply”?", 10)
    [old] = await boss.press_data(DealCb(action="manager", deal_id=deal.id).pack())
    assert members_on(old) == [name(n) for n in range(1, 9)]
    last = await page_to(boss, old, name(TEAM))  # page 15 of 16 (the boss is last)
    assert "15/16" in texts(last)
    [card] = await boss.press(name(TEAM), last)
    assert f"Responsible: {name(TEAM)}" in card.text


async def test_a_client_s_responsible_is_picked_from_pages_of_the_team(
    app: App, boss: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Roga")
    await boss.press_data(ClientCb(action="open", client_id=client.id).pack())
    await pick_responsible(boss, "Roga", 12)
    [old] = await boss.press_data(ClientCb(action="manager", client_id=client.id).pack())
    assert members_on(old) == [name(n) for n in range(1, 9)]
    [back] = await boss.press("◀️", await page_to(boss, old, name(99)))
    assert name(99) not in members_on(back) and "Roga" in back.text


async def test_a_record_s_responsible_is_picked_from_pages_of_the_team(
    app: App, boss: SimulatedUser
) -> None:
    me = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        works = await crm.records.create(me, suppliers.id, "IceWorks")
    ref = CardRef(CardKind.RECORD, works.id)
    await boss.press_data(EntCb(action=Ent.RECORD, kind="record", card=ref.id).pack())
    await pick_responsible(boss, "IceWorks", 16)
    old = EntCb(action=Ent.MANAGER, kind="record", card=ref.id).pack()
    [again] = await boss.press_data(old)
    assert members_on(again) == [name(n) for n in range(1, 9)]


async def test_the_client_list_filters_by_any_member_of_a_big_team(
    app: App, boss: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Roga")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        kopyta = await make_client(app, OWNER_ID, "Kopyta")
        await crm.client_edits.set_manager(me, kopyta.id, FIRST_ID + 77)
    await boss.send("/clients")
    await boss.press("Filters")
    [first] = await boss.press("Responsible")
    assert members_on(first) == [name(n) for n in range(1, 9)]
    assert "Nobody responsible" in texts(first) and "Anyone" in texts(first)
    assert len(first.buttons) <= 16
    screen = await page_to(boss, first, name(77))
    assert "Nobody responsible" in texts(screen) and "◀️" in texts(screen)
    [listed] = await boss.press(name(77), screen)
    assert f"responsible {name(77)}" in listed.text
    assert "Kopyta" in str(texts(listed)) and "Roga" not in str(texts(listed))
    # the deactivated members come after the active ones, on the last pages
    await boss.press("Filters")
    [again] = await boss.press("Responsible")
    last = await page_to(boss, again, name(TEAM + 3))
    assert "⛔ " + name(TEAM + 3) in texts(last) and "▶️" not in texts(last)
    old = ClientListCb(action="ask", code="manager").pack()  # a picker's button before pages
    [before] = await boss.press_data(old, listed)
    assert members_on(before) == [name(n) for n in range(1, 9)]


async def test_a_task_s_assignee_and_whose_tasks_are_picked_from_pages_of_the_team(
    app: App, boss: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        task = await crm.tasks.create(me, "Call back", app.crm.clock.now() + timedelta(days=1))
    [first] = await boss.press_data(TaskCb(action="who", task_id=task.id).pack())
    assert members_on(first) == [name(n) for n in range(1, 9)] and "1/16" in texts(first)
    [second] = await boss.press("▶️", first)
    [screen] = await boss.press(name(11), second)
    assert name(11) in screen.text

    [picker] = await boss.press_data(TasksCb(action="pick", who=OWNER_ID).pack())
    assert members_on(picker) == [name(n) for n in range(1, 9)]
    assert "🙋 Mine" in texts(picker) and "1/15" in texts(picker)  # (the reader is not listed)
    last = await page_to(boss, picker, name(TEAM))
    assert "▶️" not in texts(last) and "15/15" in texts(last)
    [tasks] = await boss.press(name(TEAM), last)
    assert name(TEAM) in tasks.text
