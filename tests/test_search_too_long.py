"""A long text sent where a dialog searches for a client (a task's "Client or deal", a
deal's "Another client"): SQLite cannot run a search of a thousand words, so it is refused
in words, and the question stays for a shorter answer."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.deals.callbacks import DealAction, DealCb
from handlers.tasks.callbacks import TaskAction, TaskCb
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_deal_card import make_deal
from tests.test_tasks_flow import make_task, moscow

SHORT_WORDS = " ".join(["ab"] * 1300)  # 3,899 characters: one Telegram message
TOO_LONG = "That is too long: at most 200 characters. Please send a shorter one."


async def test_a_long_text_in_the_task_client_search(app: App, owner_en: SimulatedUser) -> None:
    await make_client(app, OWNER_ID, "Anna Lee")
    task = await make_task(app, OWNER_ID, "call", moscow(3, 10))
    await owner_en.press_data(TaskCb(action=TaskAction.LINK, task_id=task.id).pack())
    [reply] = await owner_en.send(SHORT_WORDS)
    assert reply.text == TOO_LONG
    [reply] = await owner_en.send("Anna")  # the question is still open
    assert reply.text == "Which client?"


async def test_a_long_text_in_the_deal_client_search(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await make_client(app, OWNER_ID, "Boris Orlov")
    deal = await make_deal(app, client.id)
    await owner_en.press_data(DealCb(action=DealAction.CLIENT, deal_id=deal.id).pack())
    [reply] = await owner_en.send(SHORT_WORDS)
    assert reply.text == TOO_LONG
    [reply] = await owner_en.send("Boris")
    assert reply.text == "Move “Supply” to which client?"
