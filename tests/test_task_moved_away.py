"""A task moved to another client or deal says so on the card it left, and where it went:
before, only the new card's history had a line ("task changed"), and the old card's history
said nothing of a task that had been on it. Both languages; a manager who may not open the
card it went to reads no name of it; from a client to its own deal adds no second line."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from handlers.tasks.callbacks import Attach, TaskAction, TaskCb
from storage.models import Client, Deal
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_task_screens import make_task

MILA = 5611


async def two_clients(app: App, anna_by: int = OWNER_ID) -> tuple[Client, Client, Deal]:
    anna = await make_client(app, anna_by, "Anna Lee")
    boris = await make_client(app, OWNER_ID, "Boris Orlov")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, OWNER_ID), boris.id, 100_00, "Sofa")
    return anna, boris, deal


def move(task_id: int, choice: Attach, item: int = 0) -> str:
    return TaskCb(action=TaskAction.ATTACH, task_id=task_id, choice=choice, item=item).pack()


async def card_of(user: SimulatedUser, client: Client) -> str:
    [card] = await user.press_data(ClientCb(action="open", client_id=client.id).pack())
    return card.text


async def test_the_card_a_task_left_says_where_it_went(app: App, owner_en: SimulatedUser) -> None:
    anna, boris, deal = await two_clients(app)
    task = await make_task(app, OWNER_ID, "call back", 1, client_id=anna.id)
    await owner_en.press_data(move(task.id, Attach.DEAL, deal.id))
    assert "➡️ task moved to the deal “Sofa”: call back" in await card_of(owner_en, anna)
    assert "task moved to" not in await card_of(owner_en, boris)  # the new card: its own line

    await owner_en.press_data(move(task.id, Attach.CLIENT, anna.id))  # back, off the deal
    [sofa] = await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    assert "➡️ task moved to the client Anna Lee: call back" in sofa.text
    # Boris's history has it too, as his deal's
    assert "💼 Sofa: ➡️ task moved to the client Anna Lee" in await card_of(owner_en, boris)

    await owner_en.press_data(move(task.id, Attach.NOTHING))  # untied: no card to name
    assert "✂️ task taken off the card: call back" in await card_of(owner_en, anna)


async def test_in_russian(app: App, owner: SimulatedUser) -> None:
    anna, _boris, deal = await two_clients(app)
    task = await make_task(app, OWNER_ID, "перезвонить", 1, client_id=anna.id)
    await owner.press_data(move(task.id, Attach.DEAL, deal.id))
    assert "➡️ задача перемещена в сделку «Sofa»: перезвонить" in await card_of(owner, anna)
    await owner.press_data(move(task.id, Attach.CLIENT, anna.id))
    [sofa] = await owner.press_data(DealCb(action="open", deal_id=deal.id).pack())
    assert "➡️ задача перемещена к клиенту Anna Lee: перезвонить" in sofa.text


async def test_a_card_the_reader_may_not_open_is_not_named(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    anna, _boris, deal = await two_clients(app, anna_by=MILA)  # Mila's; Boris is not
    # The owner's task (a manager's may not go where he cannot see: f2cb618) leaves
    # Mila's card for Boris's deal, which she may not open.
    task = await make_task(app, OWNER_ID, "call back", 1, client_id=anna.id)
    await owner_en.press_data(move(task.id, Attach.DEAL, deal.id))
    text = await card_of(mila, anna)
    assert "➡️ task moved to a card you cannot open: call back" in text and "Sofa" not in text
    assert "➡️ task moved to the deal “Sofa”: call back" in await card_of(owner_en, anna)


async def test_from_a_client_to_its_own_deal_one_line(app: App, owner_en: SimulatedUser) -> None:
    _anna, boris, deal = await two_clients(app)
    task = await make_task(app, OWNER_ID, "call back", 1, client_id=boris.id)
    await owner_en.press_data(move(task.id, Attach.DEAL, deal.id))
    text = await card_of(owner_en, boris)
    assert "task moved to" not in text and "task changed: call back" in text
