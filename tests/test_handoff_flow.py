"""Issue 10, item 15 through the Dispatcher: members are told (through the outbox) when a client
or a deal is given to them, when a task they set is done and when their client is deleted;
deactivating a member offers to hand their clients, deals and open tasks to another in one
step, with the counts shown; the client's delete question counts its deals and tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.outbox import TASK_REMINDERS
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from handlers.team.callbacks import HandOverCb, TeamAction, TeamCb
from reminders.limits import RateLimits
from reminders.scheduler import Ticker
from reminders.sender import OutboxSender
from storage.engine import create_session_factory
from storage.models import OutboxMessage, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_task_reminder_people import Flood

MILA, MARK = 5901, 5902


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    """A sender that never waits for a chat's rate limit (the limits have tests of their own)."""
    limits = RateLimits(per_second=1e9, chat_interval=0.0)
    app.sender = OutboxSender(app.bot, app.crm, app.i18n, limits=limits)
    app.ticker = Ticker(app.crm, app.sender)


async def told(app: App, user: SimulatedUser) -> list[str]:
    """What the outbox brought to ``user`` since the last look."""
    before = len(user.chat_messages())
    await app.sender.drain_once()
    return [sent.text or "" for sent in user.chat_messages()[before:]]


async def task_rows_for(app: App, chat_id: int) -> list[OutboxMessage]:
    """The reminders (and nudges) queued for ``chat_id``, sent or not."""
    async with create_session_factory(app.engine)() as db:
        rows = await db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind.in_(TASK_REMINDERS), OutboxMessage.chat_id == chat_id
            )
        )
        return list(rows)


async def test_notices_reach_members_and_deactivation_hands_over(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    mark = await join(MARK, "manager", "Mark", language_code="en")
    await app.sender.drain_once()
    acme = await make_client(app, OWNER_ID, "Acme")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, acme.id, 100_00, "Sofa")
        await crm.client_edits.set_manager(owner, acme.id, None)  # Mila sees it, her task on it
        due = crm.clock.now() + timedelta(days=1)
        delegated = await crm.tasks.create(owner, "send the offer", due, assignee_id=MILA)
        await crm.tasks.create(owner, "call back", due, client_id=acme.id, assignee_id=MILA)
    await told(app, mila)

    # The client, then its deal, given to Mila on their cards: she is told each.
    await owner_en.press_data(ClientCb(action="open", client_id=acme.id).pack())
    await owner_en.press("Responsible")
    await owner_en.press("Mila")
    assert await told(app, mila) == ["You are now responsible for the client “Acme”."]
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("Responsible")
    await owner_en.press("Mila")
    assert await told(app, mila) == ["You are now responsible for the deal “Sofa” (client: Acme)."]

    # Mila ticks off the task the owner set her: the owner is told.
    [listing] = await mila.send("/tasks")
    await mila.press("send the offer", listing)
    assert await told(app, owner_en) == ["Mila did the task “send the offer”."]
    assert delegated.id

    # Deactivating Mila: what she holds is counted, and Mark takes it in one step.
    [team] = await owner_en.send("/team")
    await owner_en.press("Mila", team)
    [question] = await owner_en.press("Deactivate")
    assert "clients: 1, deals: 1, records: 0, open tasks: 1." in question.text
    assert "Hand them over to:" in question.text
    assert not any("Mila" in text for text, _d, _u in question.buttons)  # not to herself
    hand = HandOverCb(member_id=MILA, to=MARK)
    await mark.press_data(hand.pack())  # a manager's forged press
    assert mark.alert == "Only the owner or an admin can manage the team."
    await owner_en.press_data(f"hand:{MILA}:{2**63}:0", question)  # past 64 bits
    assert owner_en.alert == "This record no longer exists."
    await owner_en.press_data(f"hand:{MILA}:{OWNER_ID + 1}:0", question)  # nobody
    assert owner_en.alert == "This member is not in the team any more."
    [screen] = await owner_en.press("➡️ Mark", question)
    assert owner_en.alert == (
        "Deactivated. Handed over: clients 1, deals 1, records 0, open tasks 1."
    )
    assert "deactivated" in screen.text
    await owner_en.press_data(hand.pack(), screen)  # pressed twice
    assert owner_en.alert == "The member is already deactivated."
    assert await told(app, mark) == [
        "Handed over to you: clients 1, deals 1, records 0, open tasks 1."
    ]
    async with app.crm.open() as crm:
        mark_member = await member(app, MARK)
        assert (await crm.clients.visible(mark_member, acme.id)).manager_id == MARK
        assert (await crm.deals.visible(mark_member, deal.id)).manager_id == MARK

    # The owner deletes Mark's client: the question counts what goes, and Mark is told.
    [card] = await owner_en.press_data(ClientCb(action="open", client_id=acme.id).pack())
    [question] = await owner_en.press("Delete", card)
    assert question.text.startswith("Delete Acme for good")
    assert "Their deals (1) and tasks (1) go with them." in question.text
    await owner_en.press("Yes, delete", question)
    assert await told(app, mark) == ["Your client “Acme” was deleted."]


async def test_a_task_ticked_off_by_an_admin_is_told_as_the_admins_doing(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """The one who set a task is told who did it: whoever ticked it off, not its assignee."""
    await join(MILA, "manager", "Mila", language_code="en")
    anna = await join(MARK, "admin", "Anna", language_code="en")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        due = crm.clock.now() + timedelta(days=1)
        await crm.tasks.create(owner, "send the offer", due, assignee_id=MILA)
    await told(app, owner_en)
    [listing] = await anna.send("/tasks")
    await anna.press("Whose tasks", listing)
    [everyone] = await anna.press("Everyone")
    await anna.press("send the offer", everyone)
    assert anna.alert == "Done."
    assert await told(app, owner_en) == ["Anna did the task “send the offer”."]


async def test_nothing_to_hand_over_is_a_plain_question(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    [question] = await owner_en.press_data(TeamCb(action=TeamAction.ASK_OFF, member_id=MILA).pack())
    assert "Hand them over" not in question.text
    labels = [text for text, _d, _u in question.buttons]
    assert labels == ["Yes, deactivate", "No"]
    await owner_en.press("Yes, deactivate", question)
    async with app.crm.open() as crm:
        assert await crm.members.get_active(MILA) is None


async def test_a_member_deactivated_with_their_work_kept_gets_no_more_reminders(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    """Deactivated is refused like a stranger: the bot no longer sends them the tasks they
    still hold (nor the client's name and phone in them)."""
    mila = await join(MILA, "manager", "Mila", language_code="en")
    await app.sender.drain_once()
    acme = await make_client(app, OWNER_ID, "Acme", phones=("+79991234567",))
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        due = crm.clock.now() + timedelta(hours=1)
        await crm.client_edits.set_manager(owner, acme.id, None)  # Mila sees it, her task on it
        await crm.tasks.create(owner, "call back", due, client_id=acme.id, assignee_id=MILA)
    await told(app, mila)
    [question] = await owner_en.press_data(TeamCb(action=TeamAction.ASK_OFF, member_id=MILA).pack())
    await owner_en.press("Deactivate, keep them as they are", question)
    async with app.crm.open() as crm:
        assert await crm.members.get_active(MILA) is None
    before = len(mila.chat_messages())
    clock.advance(timedelta(hours=3))
    await app.ticker.tick()
    await app.sender.drain_once()
    # Only that their access was turned off (tests/test_team_notices.py): no task, no client.
    assert [sent.text for sent in mila.chat_messages()[before:]] == [
        "Your access to Kartoteka was turned off. What you did stays with the team. "
        "If this is a mistake, ask the owner."
    ]
    assert await task_rows_for(app, MILA) == []  # nothing queued for her, nor failed
    # The task stays in sight, marked as a deactivated member's, to be given to someone else.
    [listing] = await owner_en.send("/tasks")
    await owner_en.press("Whose tasks", listing)
    [listing] = await owner_en.press("Everyone")
    assert "call back — 👤 Acme · Mila (deactivated)" in listing.text
    [summary] = await owner_en.send("/digest")
    assert "• Mila (deactivated): 0 / 1" in summary.text


@pytest.mark.parametrize(
    ("back", "heading"),
    [
        (
            "turned back on",
            "Your access to Kartoteka is back. Your role: manager.\n"
            "A manager works with their own clients, deals and tasks.\n\n"
            "While it was off, the reminders of your tasks fell due (3):",
        ),
        ("invited again", "While you were away, the reminders of your tasks fell due (3):"),
    ],
)
async def test_a_member_back_after_a_day_off_hears_once_of_the_reminders_missed(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock, back: str, heading: str
) -> None:
    """Mila, off for a day, is told when she is turned back on, or comes back by a new
    invitation, which of her tasks fell due meanwhile: those still open and still hers, in
    one message, once ("reminded before" too: its nudge fell due while she was off); not
    one done meanwhile, or one given to someone else."""
    mila = await _off_for_a_day(app, owner_en, join, clock)
    if back == "turned back on":
        [card] = await owner_en.press_data(TeamCb(action=TeamAction.OPEN, member_id=MILA).pack())
        await owner_en.press("✅ Reactivate", card)
    else:
        mila = await join(MILA, "manager", "Mila", language_code="en")
    assert (await member(app, MILA)).active
    assert await told(app, mila) == [
        f"{heading}\n"
        "• 02.03 13:00 reminded before\n"
        "• 02.03 15:00 call back\n"
        "• 02.03 16:00 send the offer"
    ]
    for _ in range(3):
        clock.advance(timedelta(hours=1))
        await app.ticker.tick()
    assert await told(app, mila) == []  # once, and not each task's reminder after it


async def test_a_reminder_waiting_out_a_429_follows_the_tasks_handed_over(
    app: App,
    owner_en: SimulatedUser,
    join: Joiner,
    clock: ManualClock,
    session: OfflineSession,
) -> None:
    """Mila's reminder is refused with a 429 and Mila is deactivated, her tasks handed to
    Mark, before the pause is over: the reminder goes to Mark, once."""
    flood = Flood(app, clock, session)
    mila = await join(MILA, "manager", "Mila", language_code="en")
    mark = await join(MARK, "manager", "Mark", language_code="en")
    await app.ticker.tick()  # the morning lists, out of the way
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        due = crm.clock.now() + timedelta(hours=1)
        await crm.tasks.create(owner, "call back", due, assignee_id=MILA)
    clock.set(due)
    flood.next_to(MILA)
    await app.ticker.tick()

    [question] = await owner_en.press_data(TeamCb(action=TeamAction.ASK_OFF, member_id=MILA).pack())
    await owner_en.press("➡️ Mark", question)
    await flood.wait_out()
    due_now = [m.text for m in mark.chat_messages() if m.text.startswith("⏰ Due now")]
    assert [text.splitlines()[0] for text in due_now] == ["⏰ Due now (02.03.2026 13:00):"]
    assert not any(m.text.startswith("⏰") for m in mila.chat_messages())


async def test_a_member_who_blocked_the_bot_hears_once_of_the_reminders_missed_meanwhile(
    app: App, session: OfflineSession, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    """Mila blocks the bot: the reminder that finds it out is not delivered, the next are
    not even queued. When she writes again she is told once of those still open and still
    hers (not one done or given away meanwhile, nor one reminded before she blocked it)."""
    mila, done, given = await _milas_tasks(app, join, clock)
    clock.advance(timedelta(hours=1))
    await app.ticker.tick()  # the nudge of "reminded before" came
    assert (mila.last_message().text or "").startswith("❗ Still open, due 02.03.2026 13:00")
    blocked = TelegramForbiddenError(
        SendMessage(chat_id=MILA, text="…"), "Forbidden: bot was blocked by the user"
    )
    session.answer_next(blocked, SendMessage, chat_id=MILA)
    for _ in range(24):  # "call back" meets the block; the rest fall due, and are not queued
        clock.advance(timedelta(hours=1))
        await app.ticker.tick()
    assert (await member(app, MILA)).unreachable_at is not None
    [failed] = [row for row in await task_rows_for(app, MILA) if row.failed_at is not None]
    assert failed.kind == "task_reminder"  # "call back"'s: queued before the block was known
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.tasks.done(owner, done.id)
        await crm.tasks.assign(owner, given.id, MARK)
    assert await told(app, mila) == []

    await mila.send("/help")  # she unblocked the bot and writes to it
    assert (await member(app, MILA)).unreachable_at is None
    assert await told(app, mila) == [
        "While the bot could not write to you, the reminders of your tasks fell due (2):\n"
        "• 02.03 15:00 call back\n"
        "• 02.03 16:00 send the offer"
    ]
    await mila.send("/help")
    clock.advance(timedelta(hours=1))
    await app.ticker.tick()
    assert await told(app, mila) == []  # once, and not each task's reminder after it


async def test_a_member_who_blocked_the_bot_hears_of_earlier_reminders_and_nudges_missed_too(
    app: App, session: OfflineSession, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    """ "call back" reminded Mila before she blocked the bot, and its nudge found the block;
    "prepare the talk"'s reminder an hour before fell due meanwhile, its own time still
    ahead when she writes again. She is told of both, once: not only of main reminders."""
    mila = await join(MILA, "manager", "Mila", language_code="en")
    await app.ticker.tick()  # the morning list, out of the way
    now = clock.now()  # 02.03.2026 12:00 in Moscow
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.tasks.create(owner, "call back", now + timedelta(hours=1), assignee_id=MILA)
        later = now + timedelta(hours=4)
        await crm.tasks.create(owner, "prepare the talk", later, remind_before=60, assignee_id=MILA)
    await told(app, mila)  # that they are hers
    clock.advance(timedelta(hours=1))
    await app.ticker.tick()
    assert [m.text.splitlines()[0] for m in mila.chat_messages()][-1:] == [
        "⏰ Due now (02.03.2026 13:00):"
    ]
    blocked = TelegramForbiddenError(
        SendMessage(chat_id=MILA, text="…"), "Forbidden: bot was blocked by the user"
    )
    session.answer_next(blocked, SendMessage, chat_id=MILA)
    for _ in range(2):  # the nudge meets the block; the reminder before is not even queued
        clock.advance(timedelta(hours=1))
        await app.ticker.tick()
    assert (await member(app, MILA)).unreachable_at is not None
    failed = [row.kind for row in await task_rows_for(app, MILA) if row.failed_at is not None]
    assert failed == ["task_nudge"]

    clock.advance(timedelta(minutes=30))
    await mila.send("/help")
    assert await told(app, mila) == [
        "While the bot could not write to you, the reminders of your tasks fell due (2):\n"
        "• 02.03 13:00 call back\n"
        "• 02.03 16:00 prepare the talk"
    ]
    await mila.send("/help")
    assert await told(app, mila) == []


async def _off_for_a_day(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> SimulatedUser:
    """Mila with her tasks (``_milas_tasks``) is turned off, her work kept, for a day: every
    reminder (and nudge) falls due, and is not sent; one task is done and one given to Mark
    meanwhile. Returns Mila."""
    mila, done, given = await _milas_tasks(app, join, clock)
    [question] = await owner_en.press_data(TeamCb(action=TeamAction.ASK_OFF, member_id=MILA).pack())
    await owner_en.press("Deactivate, keep them as they are", question)
    for _ in range(24):
        clock.advance(timedelta(hours=1))
        await app.ticker.tick()
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.tasks.done(owner, done.id)
        await crm.tasks.assign(owner, given.id, MARK)
    await told(app, mila)
    return mila


async def _milas_tasks(
    app: App, join: Joiner, clock: ManualClock
) -> tuple[SimulatedUser, Task, Task]:
    """Mila and Mark join; Mila is given tasks reminded in 1, 3 and 4 hours ("reminded
    before", "call back", "send the offer"), and two to be done and given to Mark (5 and 6);
    an hour later "reminded before" came. Returns Mila and those two."""
    mila = await join(MILA, "manager", "Mila", language_code="en")
    await join(MARK, "manager", "Mark", language_code="en")
    await app.sender.drain_once()
    now = clock.now()  # 02.03.2026 12:00 in Moscow
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        for title, hours in (("reminded before", 1), ("call back", 3), ("send the offer", 4)):
            await crm.tasks.create(owner, title, now + timedelta(hours=hours), assignee_id=MILA)
        done = await crm.tasks.create(owner, "done meanwhile", now + timedelta(hours=5))
        await crm.tasks.assign(owner, done.id, MILA)
        given = await crm.tasks.create(owner, "given to Mark", now + timedelta(hours=6))
        await crm.tasks.assign(owner, given.id, MILA)
    clock.advance(timedelta(hours=1))
    await app.ticker.tick()
    await told(app, mila)
    return mila, done, given
