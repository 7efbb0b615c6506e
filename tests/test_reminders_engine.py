"""Task reminders end to end: tasks → the tick (claim, then send) → the offline Bot API.

Every test runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL. Time is
the test's: the ManualClock decides what is due, and the rate limits run on a
fake monotonic clock moved with it, so nothing waits for a slot for real (the
first test uses the app's own tick, as production wires it, for one message).
Only the APScheduler test lets real time pass (well under a second).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.startup import prepare_database
from crm.clock import ManualClock
from crm.parsing.when import parse_when
from handlers.tasks.callbacks import TaskCb
from reminders.limits import RateLimits
from reminders.scheduler import Ticker, build_scheduler
from reminders.sender import OutboxSender
from reminders.settle import backoff
from storage.engine import create_session_factory, write_transaction
from storage.models import OutboxMessage, Task, User
from tests.conftest import START, make_settings

ANNA, BORIS, VERA = 201, 202, 203


# --- time -------------------------------------------------------------------------------------


class FakeMonotonic:
    """``time.monotonic`` for the rate limits, moved only by the test."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Time:
    """The CRM's clock and the limits' clock, moved together."""

    clock: ManualClock
    monotonic: FakeMonotonic

    def now(self) -> datetime:
        return self.clock.now()

    def set(self, moment: datetime) -> None:
        self.monotonic.now += (moment - self.clock.now()).total_seconds()
        self.clock.set(moment)

    def advance(self, delta: timedelta) -> None:
        self.set(self.clock.now() + delta)


@pytest.fixture
def time(clock: ManualClock) -> Time:
    return Time(clock, FakeMonotonic())


def ticker_for(app: App, time: Time, batch_size: int = 200, **limits: Any) -> Ticker:
    """The app's tick, with its rate limits on the test's clock."""
    sender = OutboxSender(
        app.bot,
        app.crm,
        app.i18n,
        limits=RateLimits(monotonic=time.monotonic, **limits),
        batch_size=batch_size,
    )
    return Ticker(app.crm, sender)


@pytest.fixture
def ticker(app: App, time: Time) -> Ticker:
    return ticker_for(app, time)


# --- what was sent ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One sendMessage of a task message, as the offline Bot API saw it."""

    chat_id: int
    task_id: int
    text: str
    buttons: tuple[str, ...]
    delivered: bool  # False: the API answered it with an error


def task_messages(session: OfflineSession) -> list[Sent]:
    """Every sendMessage about a task (it has the task's Done button), in order."""
    found = []
    for request, outcome in zip(session.requests, session.outcomes, strict=True):
        if not isinstance(request, SendMessage) or request.reply_markup is None:
            continue
        rows = getattr(request.reply_markup, "inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        task_ids = [
            TaskCb.unpack(button.callback_data).task_id
            for button in buttons
            if button.callback_data and button.callback_data.startswith("tk:done:")
        ]
        if task_ids:
            found.append(
                Sent(
                    int(request.chat_id),
                    task_ids[0],
                    request.text,
                    tuple(button.text for button in buttons),
                    outcome is not None,
                )
            )
    return found


def delivered(session: OfflineSession) -> list[Sent]:
    return [sent for sent in task_messages(session) if sent.delivered]


def headings(session: OfflineSession) -> list[str]:
    """The first line of each task message delivered."""
    return [sent.text.splitlines()[0] for sent in delivered(session)]


# --- members and tasks ----------------------------------------------------------------------


async def add_member(
    app: App, user_id: int, timezone: str = "Europe/Moscow", language: str = "en"
) -> User:
    """A manager of the team (no morning list, so only reminders reach them)."""
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        member = User(
            id=user_id,
            full_name=f"Member {user_id}",
            role="manager",
            active=True,
            language=language,
            timezone="Europe/Moscow",
            created_at=app.crm.clock.now(),
            morning_list=False,
        )
        db.add(member)
    if timezone != "Europe/Moscow":
        async with app.crm.open() as crm:
            member = await crm.members.set_timezone(member, timezone)
    return member


async def add_task(
    app: App, member: User, title: str, due: datetime, remind_before: int = 0, **options: Any
) -> Task:
    async with app.crm.open() as crm:
        return await crm.tasks.create(member, title, due, remind_before=remind_before, **options)


async def outbox_rows(app: App) -> list[OutboxMessage]:
    """The outbox rows about tasks (the owner's summary is there too)."""
    async with create_session_factory(app.engine)() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.like("task_%"))
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def member_row(app: App, user_id: int) -> User:
    async with create_session_factory(app.engine)() as db:
        member = await db.get(User, user_id)
    assert member is not None
    return member


@pytest.fixture
async def quiet(app: App, session: OfflineSession, ticker: Ticker) -> None:
    """The first tick of the day also sends the owner's summary: get it out of the way."""
    await ticker.tick()
    session.clear()


# --- at the minute, once ----------------------------------------------------------------------


async def test_a_reminder_goes_out_at_its_minute_and_never_twice(
    app: App, session: OfflineSession, clock: ManualClock
) -> None:
    """Through the app's own tick and sender, as production wires them."""
    anna = await add_member(app, ANNA)
    due = START + timedelta(minutes=30)
    task = await add_task(app, anna, "Call Ivanov about the invoice", due)
    await app.ticker.tick()
    session.clear()

    clock.set(due - timedelta(minutes=1))
    assert await app.ticker.tick() == 0
    assert task_messages(session) == []

    clock.set(due)
    await app.ticker.tick()
    [sent] = task_messages(session)
    assert (sent.chat_id, sent.task_id, sent.delivered) == (ANNA, task.id, True)
    assert sent.text.startswith("⏰ Due now (02.03.2026 12:30):")
    assert "Call Ivanov about the invoice" in sent.text
    assert sent.buttons[:4] == ("✅ Done", "+15 min", "+1 hour", "Tomorrow")

    for minutes in (0, 0, 1, 5, 30):
        clock.advance(timedelta(minutes=minutes))
        assert await app.ticker.tick() == 0
    assert len(task_messages(session)) == 1
    [row] = await outbox_rows(app)
    assert (row.kind, row.chat_id, row.sent_at, row.attempts) == ("task_reminder", ANNA, due, 1)


async def test_when_both_are_due_at_once_only_the_reminder_goes(
    app: App, session: OfflineSession, ticker: Ticker, time: Time, quiet: None
) -> None:
    """The bot was down through the earlier reminder's moment: that one is moot now."""
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(minutes=20)
    await add_task(app, anna, "Quick call", due, remind_before=15)

    time.set(due)
    await ticker.tick()
    time.advance(timedelta(minutes=1))
    await ticker.tick()

    assert headings(session) == ["⏰ Due now (02.03.2026 12:20):"]
    assert [row.kind for row in await outbox_rows(app)] == ["task_reminder"]


async def test_the_earlier_reminder_and_the_nudge_come_once_each(
    app: App, session: OfflineSession, ticker: Ticker, time: Time, quiet: None
) -> None:
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(hours=2)
    task = await add_task(app, anna, "Send the contract", due, remind_before=60)
    assert app.crm.config.nudge_after == timedelta(hours=1)

    moments = [
        due - timedelta(minutes=61),  # nothing yet
        due - timedelta(minutes=60),  # the earlier reminder
        due - timedelta(minutes=30),
        due,  # the reminder
        due + timedelta(minutes=59),
        due + timedelta(hours=1),  # the nudge: still open an hour later
        due + timedelta(hours=2),
        due + timedelta(days=1),
    ]
    seen = []
    for moment in moments:
        time.set(moment)
        await ticker.tick()
        await ticker.tick()
        seen.append(len(delivered(session)))

    assert seen == [0, 1, 1, 2, 2, 3, 3, 3]
    assert headings(session) == [
        "⏰ Coming up at 02.03.2026 14:00:",
        "⏰ Due now (02.03.2026 14:00):",
        "❗ Still open, due 02.03.2026 14:00:",
    ]
    assert {sent.task_id for sent in delivered(session)} == {task.id}
    kinds = Counter(row.kind for row in await outbox_rows(app))
    assert kinds == {"task_early": 1, "task_reminder": 1, "task_nudge": 1}


# --- done and snoozed -------------------------------------------------------------------------


async def test_a_task_done_before_its_time_is_not_reminded(
    app: App, session: OfflineSession, ticker: Ticker, time: Time, quiet: None
) -> None:
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(minutes=30)
    task = await add_task(app, anna, "Call back", due, remind_before=15)

    time.advance(timedelta(minutes=10))
    async with app.crm.open() as crm:
        await crm.tasks.done(anna, task.id)
    for minutes in (5, 15, 60, 60):
        time.advance(timedelta(minutes=minutes))
        await ticker.tick()

    assert task_messages(session) == []
    assert await outbox_rows(app) == []


async def test_a_task_done_after_it_was_claimed_is_skipped_when_sent(
    app: App, session: OfflineSession, ticker: Ticker, time: Time, quiet: None
) -> None:
    """The reminder was queued (Telegram said "wait"), then the task was done: nothing goes."""
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(minutes=30)
    task = await add_task(app, anna, "Call back", due)
    session.answer_next(
        TelegramRetryAfter(SendMessage(chat_id=ANNA, text="…"), "Too Many Requests", 30),
        SendMessage,
    )
    time.set(due)
    await ticker.tick()
    [refused] = task_messages(session)
    assert not refused.delivered

    async with app.crm.open() as crm:
        await crm.tasks.done(anna, task.id)
    time.advance(timedelta(minutes=1))
    await ticker.tick()

    assert len(task_messages(session)) == 1  # only the refused one
    [row] = await outbox_rows(app)
    assert row.sent_at is None
    assert row.failed_at == time.now()
    assert row.last_error == "nothing to send any more"


async def test_a_snoozed_task_comes_back_at_the_snooze_time(
    app: App, session: OfflineSession, ticker: Ticker, time: Time, quiet: None
) -> None:
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(minutes=30)
    task = await add_task(app, anna, "Call back", due)
    time.set(due)
    await ticker.tick()
    assert len(delivered(session)) == 1

    time.advance(timedelta(minutes=1))
    async with app.crm.open() as crm:
        await crm.tasks.snooze(anna, task.id, due + timedelta(minutes=15))
    time.set(due + timedelta(minutes=14))
    await ticker.tick()
    assert len(delivered(session)) == 1

    time.set(due + timedelta(minutes=15))
    await ticker.tick()
    await ticker.tick()
    time.advance(timedelta(minutes=5))
    await ticker.tick()

    reminders = delivered(session)
    assert [(sent.chat_id, sent.task_id) for sent in reminders] == [(ANNA, task.id)] * 2
    assert all(sent.text.startswith("⏰ Due now (02.03.2026 12:30):") for sent in reminders)


# --- daylight saving --------------------------------------------------------------------------


async def test_daylight_saving_never_moves_a_reminder(
    app: App, session: OfflineSession, time: Time
) -> None:
    """New York moves its clocks on 2026-03-08 at 02:00: 10:00 is 15:00 UTC before, 14:00 after."""
    ticker = ticker_for(app, time, chat_interval=0)  # two at once for her: no waiting a second
    time.set(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))  # Saturday, 07:00 EST
    await ticker.tick()
    anna = await add_member(app, ANNA, timezone="America/New_York")
    assert anna.timezone == "America/New_York"
    # "Tomorrow at 10", as she would type it.
    tomorrow = parse_when("tomorrow at 10", time.now(), anna.timezone).at
    assert tomorrow == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    once = await add_task(app, anna, "Call the bank", tomorrow)
    # A daily task at 10:00, the first one today (before the change).
    today = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    daily = await add_task(app, anna, "Morning calls", today, repeat="daily")
    session.clear()

    time.set(today)
    await ticker.tick()
    async with app.crm.open() as crm:
        _, following = await crm.tasks.done(anna, daily.id)
    assert following is not None
    assert following.due_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)

    time.set(datetime(2026, 3, 8, 13, 59, tzinfo=UTC))
    await ticker.tick()
    assert [sent.task_id for sent in delivered(session)] == [daily.id]

    time.set(datetime(2026, 3, 8, 14, 0, tzinfo=UTC))  # 10:00 EDT
    await ticker.tick()
    reminders = delivered(session)
    # The two due at 10:00 EDT go out side by side (no interval in her chat here): either first.
    assert [sent.task_id for sent in reminders[:1]] == [daily.id]
    assert sorted(sent.task_id for sent in reminders[1:]) == sorted([once.id, following.id])
    assert reminders[0].text.startswith("⏰ Due now (07.03.2026 10:00):")
    assert all(sent.text.startswith("⏰ Due now (08.03.2026 10:00):") for sent in reminders[1:])


# --- a restart --------------------------------------------------------------------------------


async def test_what_fell_due_while_the_bot_was_down_goes_out_once_in_order(
    database_url: str, time: Time
) -> None:
    # The nudge an hour later is another matter; here only the reminders are due.
    settings = make_settings(database_url, nudge_after_minutes=24 * 60)
    before = build_app(settings, session=OfflineSession(), clock=time.clock)
    await prepare_database(before)
    members = [await add_member(before, user_id) for user_id in (ANNA, BORIS, VERA)]
    start = time.now()
    tasks = [
        await add_task(before, member, f"Task {n}", start + timedelta(hours=hours))
        for n, (member, hours) in enumerate(zip(members, (3, 1, 2), strict=True))
    ]
    later = await add_task(before, members[0], "Later", start + timedelta(hours=10))
    await ticker_for(before, time).tick()  # the owner's summary; nothing of the tasks is due
    await before.close()

    time.advance(timedelta(hours=5))  # the bot was down meanwhile
    session = OfflineSession()
    after = build_app(settings, session=session, clock=time.clock)
    try:
        await prepare_database(after)
        ticker = ticker_for(after, time)
        await ticker.tick()
        # Queued in the order they fell due; each delivered once. (Three chats are sent to
        # side by side, so the order in which the sends complete is not asserted.)
        queued = [(row.chat_id, row.payload["task_id"]) for row in await outbox_rows(after)]
        expected = [(BORIS, tasks[1].id), (VERA, tasks[2].id), (ANNA, tasks[0].id)]
        assert queued == expected
        order = [(sent.chat_id, sent.task_id) for sent in delivered(session)]
        assert sorted(order) == sorted(expected)

        for _ in range(3):
            await ticker.tick()
        assert len(delivered(session)) == 3

        time.set(start + timedelta(hours=10))
        await ticker.tick()
        assert [sent.task_id for sent in delivered(session)][3:] == [later.id]
    finally:
        await after.close()


# --- two schedulers ---------------------------------------------------------------------------


@pytest.fixture
async def two_apps(database_url: str, time: Time) -> AsyncIterator[list[App]]:
    """Two processes on one database: two engines, two Bot API sessions, one clock."""
    apps = []
    try:
        for _ in range(2):
            app = build_app(make_settings(database_url), session=OfflineSession(), clock=time.clock)
            apps.append(app)
            await prepare_database(app)
        yield apps
    finally:
        for app in apps:
            await app.close()


async def test_two_schedulers_on_one_database_send_each_reminder_once(
    two_apps: list[App], time: Time
) -> None:
    first = two_apps[0]
    members = [await add_member(first, 300 + n) for n in range(20)]
    due = time.now() + timedelta(minutes=10)
    tasks = []
    for n in range(10):
        for member in members:
            tasks.append(await add_task(first, member, f"Call {n}", due))
    # Small batches and no waiting for slots: the schedulers race over many claims.
    tickers = [
        Ticker(
            app.crm,
            OutboxSender(
                app.bot,
                app.crm,
                app.i18n,
                limits=RateLimits(
                    per_second=100_000, chat_interval=0, margin=0, monotonic=time.monotonic
                ),
                batch_size=7,
            ),
            claim_limit=9,
        )
        for app in two_apps
    ]
    sessions = [app.bot.session for app in two_apps]
    assert all(isinstance(session, OfflineSession) for session in sessions)
    time.set(due)

    async def run(ticker: Ticker) -> None:
        for _ in range(15):
            await ticker.tick()

    await asyncio.gather(*(run(ticker) for ticker in tickers))

    sent = [
        message
        for session in sessions
        if isinstance(session, OfflineSession)
        for message in task_messages(session)
    ]
    assert all(message.delivered for message in sent)
    per_task = Counter(message.task_id for message in sent)
    assert per_task == {task.id: 1 for task in tasks}
    assert all(
        message.chat_id == task.assignee_id
        for message in sent
        for task in tasks
        if task.id == message.task_id
    )
    rows = [row for row in await outbox_rows(first) if row.kind == "task_reminder"]
    assert len(rows) == len(tasks)
    assert all(row.sent_at == due and row.attempts == 1 for row in rows)


# --- Telegram says no -------------------------------------------------------------------------


async def test_a_reminder_refused_with_429_waits_retry_after_and_goes_once(
    app: App, session: OfflineSession, ticker: Ticker, time: Time, quiet: None
) -> None:
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(minutes=30)
    task = await add_task(app, anna, "Call back", due)
    session.answer_next(
        TelegramRetryAfter(SendMessage(chat_id=ANNA, text="…"), "Too Many Requests", 7),
        SendMessage,
    )

    time.set(due)
    await ticker.tick()
    time.advance(timedelta(seconds=6))
    await ticker.tick()
    assert [sent.delivered for sent in task_messages(session)] == [False]

    time.advance(timedelta(seconds=1))
    await ticker.tick()
    await ticker.tick()
    time.advance(timedelta(minutes=10))
    await ticker.tick()

    assert [(sent.task_id, sent.delivered) for sent in task_messages(session)] == [
        (task.id, False),
        (task.id, True),
    ]
    [row] = await outbox_rows(app)
    assert row.sent_at == due + timedelta(seconds=7)
    assert row.attempts == 1  # waiting for Telegram is not a failed try


async def test_a_member_who_blocked_the_bot_is_marked_and_their_reminders_stop(
    app: App, session: OfflineSession, time: Time, quiet: None
) -> None:
    # Her second reminder is on its way right behind the first when the 403 comes.
    ticker = ticker_for(app, time, chat_interval=0)
    anna = await add_member(app, ANNA)
    boris = await add_member(app, BORIS)
    due = time.now() + timedelta(minutes=30)
    first = await add_task(app, anna, "First", due)
    await add_task(app, anna, "Second", due)
    other = await add_task(app, boris, "Boris's", due)
    session.answer_next(
        TelegramForbiddenError(
            SendMessage(chat_id=ANNA, text="…"), "Forbidden: bot was blocked by the user"
        ),
        SendMessage,
        chat_id=ANNA,  # her chat's and Boris's messages go out side by side, in either order
    )

    time.set(due)
    await ticker.tick()
    for minutes in (1, 30, 30, 30):  # the nudges fall due an hour after
        time.advance(timedelta(minutes=minutes))
        await ticker.tick()

    assert (await member_row(app, ANNA)).unreachable_at == due
    sent = task_messages(session)
    assert [(s.task_id, s.delivered) for s in sent if s.chat_id == ANNA] == [(first.id, False)]
    assert [(s.task_id, s.delivered) for s in sent if s.chat_id == BORIS] == [
        (other.id, True),  # the reminder
        (other.id, True),  # and the nudge
    ]
    anna_rows = [row for row in await outbox_rows(app) if row.chat_id == ANNA]
    assert [row.kind for row in anna_rows] == ["task_reminder", "task_reminder"]
    assert all(row.failed_at == due and row.sent_at is None for row in anna_rows)

    # She unblocks the bot and writes to it: her next reminders come again.
    async with app.crm.open() as crm:
        await crm.members.update_profile(await member_row(app, ANNA), "Anna", None)
    assert (await member_row(app, ANNA)).unreachable_at is None
    later = await add_task(app, anna, "Later", time.now() + timedelta(minutes=10))
    time.advance(timedelta(minutes=10))
    await ticker.tick()
    assert [(s.chat_id, s.task_id) for s in delivered(session)][-1] == (ANNA, later.id)


TRANSIENT: list[Callable[[], TelegramAPIError]] = [
    lambda: TelegramNetworkError(SendMessage(chat_id=ANNA, text="…"), "Connection reset"),
    lambda: TelegramServerError(SendMessage(chat_id=ANNA, text="…"), "Bad Gateway"),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=["network", "5xx"])
async def test_a_reminder_that_hit_a_network_error_is_retried_with_backoff(
    app: App,
    session: OfflineSession,
    ticker: Ticker,
    time: Time,
    quiet: None,
    error: Callable[[], TelegramAPIError],
) -> None:
    anna = await add_member(app, ANNA)
    due = time.now() + timedelta(minutes=30)
    task = await add_task(app, anna, "Call back", due)
    session.answer_next(error(), SendMessage)
    session.answer_next(error(), SendMessage)

    time.set(due)
    await ticker.tick()
    first_wait, second_wait = backoff(0), backoff(1)
    assert second_wait > first_wait
    time.advance(first_wait - timedelta(seconds=1))
    await ticker.tick()
    assert len(task_messages(session)) == 1
    time.advance(timedelta(seconds=1))
    await ticker.tick()  # the second try fails too
    time.advance(second_wait - timedelta(seconds=1))
    await ticker.tick()
    assert len(task_messages(session)) == 2
    time.advance(timedelta(seconds=1))
    await ticker.tick()  # the third goes
    time.advance(timedelta(minutes=30))
    await ticker.tick()

    assert [(sent.task_id, sent.delivered) for sent in task_messages(session)] == [
        (task.id, False),
        (task.id, False),
        (task.id, True),
    ]
    [row] = await outbox_rows(app)
    assert row.sent_at == due + first_wait + second_wait
    assert row.attempts == 3


# --- the real scheduler -----------------------------------------------------------------------


async def test_the_apscheduler_job_delivers_a_due_reminder(
    app: App, session: OfflineSession, time: Time, quiet: None
) -> None:
    """The production job and tick, on the running loop, for at most half a second."""
    anna = await add_member(app, ANNA)
    task = await add_task(app, anna, "Call back", time.now() + timedelta(minutes=1))
    time.advance(timedelta(minutes=1))

    scheduler = build_scheduler(app.ticker, poll_seconds=0.05)
    scheduler.start()
    try:
        for _ in range(50):
            if delivered(session):
                break
            await asyncio.sleep(0.01)
    finally:
        scheduler.pause()  # stop gracefully: a tick under way finishes first
        await asyncio.wait_for(app.ticker.idle(), timeout=5)
        scheduler.shutdown(wait=False)

    assert [(sent.chat_id, sent.task_id) for sent in delivered(session)] == [(ANNA, task.id)]
