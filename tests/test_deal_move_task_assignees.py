"""A deal is not moved to a client one of its open tasks' assignees cannot see: the task
would go along and name a client they cannot open. Refused, naming the task, its assignee,
the client and its responsible (English and Russian), nothing written; a done task does
not hold the deal back, and once the client is free the deal moves with its tasks."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.deals.callbacks import DealAction, DealCb
from storage.models import Deal, Event, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import all_of

MILA, MARK = 7341, 7342


async def move(owner: SimulatedUser, deal_id: int, search: str, name: str) -> None:
    await owner.press_data(DealCb(action=DealAction.CLIENT, deal_id=deal_id).pack())
    [choice] = await owner.send(search)
    await owner.press("👤 " + name, choice)


async def unmoved(app: App, deal_id: int, client_id: int) -> None:
    [deal] = [d for d in await all_of(app, Deal) if d.id == deal_id]
    assert deal.client_id == client_id
    assert {t.client_id for t in await all_of(app, Task)} == {client_id}
    assert [e for e in await all_of(app, Event) if e.kind == "deal_client_changed"] == []


async def deal_with_task(
    app: App, client_id: int, title: str, task: str, assignee: int
) -> tuple[Deal, Task]:
    """The owner's deal on the client, with an open task of ``assignee``'s."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, client_id, 100_00, title)
        due = crm.clock.now() + timedelta(days=1)
        made = await crm.tasks.create(owner, task, due, deal_id=deal.id, assignee_id=assignee)
    return deal, made


async def test_a_deal_is_not_moved_to_a_client_its_tasks_assignee_cannot_see(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    acme = await make_client(app, OWNER_ID, "Acme")
    await join(MILA, "manager", "Mila", language_code="en")
    await make_client(app, OWNER_ID, "Boris Orlov")  # the owner's: Mila does not see it
    await join(MARK, "manager", "Mark", language_code="en")
    async with app.crm.open() as crm:
        await crm.client_edits.set_manager(await member(app, OWNER_ID), acme.id, None)  # free
    deal, offer = await deal_with_task(app, acme.id, "Sofa", "Send the offer", MILA)
    async with app.crm.open() as crm:  # Mark's task on it, done: it holds nothing back
        owner = await member(app, OWNER_ID)
        due = crm.clock.now() + timedelta(days=1)
        done = await crm.tasks.create(owner, "Measure", due, deal_id=deal.id, assignee_id=MARK)
        await crm.tasks.done(await member(app, MARK), done.id)

    await move(owner_en, deal.id, "Boris", "Boris Orlov")
    assert owner_en.alert == (
        "The deal's task “Send the offer” is Mila's, who cannot see the client “Boris Orlov” "
        "(responsible: Olga Owner). Give the client to Mila or leave it unassigned, "
        "or give the task to someone else first."
    )
    await unmoved(app, deal.id, acme.id)

    # Mila's task given to the owner, the deal moves with both: Mark's is done.
    async with app.crm.open() as crm:
        await crm.tasks.assign(await member(app, OWNER_ID), offer.id, OWNER_ID)
    await move(owner_en, deal.id, "Boris", "Boris Orlov")
    assert owner_en.alert == "The deal is moved."
    [moved] = [d for d in await all_of(app, Deal) if d.id == deal.id]
    assert {t.client_id for t in await all_of(app, Task)} == {moved.client_id} != {acme.id}


async def test_the_refusal_in_russian(app: App, owner: SimulatedUser, join: Joiner) -> None:
    await join(MILA, "manager", "Мила", language_code="ru")
    acme = await make_client(app, MILA, "Акме")
    await make_client(app, OWNER_ID, "Борис Орлов")
    deal, _task = await deal_with_task(app, acme.id, "Диван", "Позвонить", MILA)
    await move(owner, deal.id, "Борис", "Борис Орлов")
    # Longer than the 200 characters Telegram shows on a press (it refused such an alert):
    # the press is answered, the whole refusal said in the chat.
    assert owner.alert is None
    said = owner.last_message().text
    assert said.startswith(
        "Задача сделки «Позвонить» поручена сотруднику Мила, который не видит клиента "
        "«Борис Орлов» (ответственный: "
    )
    assert said.endswith("либо поручите задачу другому.")
    await unmoved(app, deal.id, acme.id)
