"""Fixes from a review of the day's changes, each driven through the Dispatcher as a member
meets it."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.contacts import MAX_CONTACTS
from handlers.deals.callbacks import DealAction, DealCb
from handlers.tasks.callbacks import TaskAction, TaskCb
from handlers.team.callbacks import HandOverCb
from reminders.limits import RateLimits
from reminders.sender import OutboxSender
from storage.engine import create_session_factory
from storage.models import Deal
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MILA, MARK = 5901, 5902


async def test_a_deal_does_not_move_to_a_client_its_manager_cannot_see(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Moving Mila's deal to the owner's client would leave her a deal she cannot find:
    refused with who cannot see what, as giving her the deal is; nothing moves."""
    await join(MILA, "manager", "Mila", language_code="en")
    acme = await make_client(app, MILA, "Acme")
    await make_client(app, OWNER_ID, "Boris Orlov")  # the owner's: Mila does not see it
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, MILA), acme.id, 100_00, "Sofa")
    await owner_en.press_data(DealCb(action=DealAction.EDIT, deal_id=deal.id).pack())
    await owner_en.press("Another client")
    [choice] = await owner_en.send("Boris")
    await owner_en.press("👤 Boris Orlov", choice)
    assert owner_en.alert is not None
    assert owner_en.alert.startswith("Mila cannot see the client “Boris Orlov”")
    async with create_session_factory(app.engine)() as session:
        stored = await session.get(Deal, deal.id)
    assert stored is not None and stored.client_id == acme.id


async def test_a_file_sent_to_a_search_question_is_asked_as_text(
    app: App, owner_en: SimulatedUser
) -> None:
    """The task's "which client" and the deal's "which client" questions take text: a file
    sent instead gets that said (not "I didn't understand"), and the question stays."""
    acme = await make_client(app, OWNER_ID, "Acme")
    await make_client(app, OWNER_ID, "Boris Orlov")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, acme.id, 100_00, "Sofa")
        due = crm.clock.now() + timedelta(days=1)
        task = await crm.tasks.create(owner, "call back", due, client_id=acme.id)

    await owner_en.press_data(TaskCb(action=TaskAction.OPEN, task_id=task.id).pack())
    await owner_en.press("Client or deal")
    [reply] = await owner_en.send_document("scan.pdf", "application/pdf")
    assert reply.text == "Send it as text, or /cancel."
    [choice] = await owner_en.send("Boris")
    assert choice.text == "Which client?"

    await owner_en.press_data(DealCb(action=DealAction.EDIT, deal_id=deal.id).pack())
    await owner_en.press("Another client")
    [reply] = await owner_en.send_document("scan.pdf", "application/pdf")
    assert reply.text == "Send it as text, or /cancel."
    [choice] = await owner_en.send("Boris")
    assert choice.text == "Move “Sofa” to which client?"


async def test_a_full_card_says_so_before_asking_for_another_phone(
    app: App, owner_en: SimulatedUser
) -> None:
    """A card holding the most phones it may: "➕ Add a phone" says so at once, rather than
    asking for a number and refusing it once typed."""
    phones = tuple(f"+7999000001{n}" for n in range(MAX_CONTACTS))
    acme = await make_client(app, OWNER_ID, "Acme", phones=phones)
    [screen] = await owner_en.press_data(
        ClientCb(action=CardAction.CONTACTS, client_id=acme.id, code="phones").pack()
    )
    changed = await owner_en.press("Add a phone", screen)
    assert owner_en.alert == f"A card holds at most {MAX_CONTACTS} of these."
    assert changed == [] and owner_en.last_message().text.startswith("Phones of Acme")


async def test_the_day_s_new_questions_read_as_russian(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    """Whom to hand a member's work to, which phone leaves which card, and what went with a
    deleted deal, in Russian that reads naturally."""
    await join(MILA, "manager", "Мила", language_code="ru")
    acme = await make_client(app, MILA, "Acme", phones=("+79990000001",))
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, OWNER_ID), acme.id, 100_00, "Sofa")

    [team] = await owner.send("/team")
    await owner.press("Мила", team)
    [question] = await owner.press("Отключить")
    assert "Кому передать?" in question.text

    [screen] = await owner.press_data(
        ClientCb(action=CardAction.CONTACTS, client_id=acme.id, code="phones").pack()
    )
    [question] = await owner.press("+7 999 000-00-01", screen)
    assert question.text == "Удалить +7 999 000-00-01 из карточки «Acme»?"

    await owner.press_data(DealCb(action=DealAction.DELETE, deal_id=deal.id).pack())
    [done] = await owner.press("Да, удалить")
    assert done.text == "🗑 Сделка «Sofa» удалена вместе с задачами: 0."


async def test_a_hand_over_of_nothing_tells_the_heir_nothing(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A hand-over button pressed after what the member held went elsewhere (or forged):
    the member is deactivated, and the heir gets no "0 clients, 0 deals, 0 tasks" notice."""
    await join(MILA, "manager", "Mila", language_code="en")
    mark = await join(MARK, "manager", "Mark", language_code="en")
    app.sender = OutboxSender(
        app.bot, app.crm, app.i18n, limits=RateLimits(per_second=1e9, chat_interval=0.0)
    )
    await app.sender.drain_once()
    before = len(mark.chat_messages())
    await owner_en.press_data(HandOverCb(member_id=MILA, to=MARK).pack())
    assert owner_en.alert == (
        "Deactivated. Handed over: clients 0, deals 0, records 0, open tasks 0."
    )
    await app.sender.drain_once()
    assert mark.chat_messages()[before:] == []
    async with app.crm.open() as crm:
        assert await crm.members.get_active(MILA) is None
