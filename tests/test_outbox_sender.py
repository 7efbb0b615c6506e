"""The outbox and its sender on the offline Bot API, on every backend.

Time is the test's twice over: the ManualClock decides what is due, and a fake
monotonic clock drives the sender's rate limits, so nothing waits for real.
Rows are written the way the CRM writes them: ``enqueue`` inside a write
transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import reminders.sender
from bot.app import App
from bot.i18n import build_i18n
from bot.offline import OfflineSession
from crm.clock import ManualClock
from crm.outbox import Outbox, enqueue
from reminders.limits import RateLimits
from reminders.sender import MAX_WAIT_SECONDS, OutboxSender
from reminders.settle import MAX_ATTEMPTS, MAX_OUTAGE, backoff
from storage.engine import create_session_factory, write_transaction
from storage.models import OutboxMessage, User
from tests.conftest import OWNER_ID, Joiner

MEMBER_ID = 200
JOINED_RU = "Bob принял(а) приглашение и вошёл(ла) в команду, роль: менеджер."
# The messages these tests queue: a kind rendered whoever reads it (a member, a stranger,
# a group), so that what is tested is the sending, not who may read what.
STUB_KIND = "bot_left_group"
NOTICE_RU = (
    "Я больше не могу писать в группу «Sales» (меня из неё удалили или запретили там писать): "
    "она отвязана и больше ничего не получает. Чтобы продолжить, добавьте меня обратно и "
    "отправьте там /bind."
)
NOTICE_EN = (
    "I can no longer write to the group “Sales” (I was removed from it, or may not write "
    "there): it is unbound and hears nothing more. To go on, add me back and send /bind there."
)
PAYLOAD: dict[str, Any] = {"title": "Sales"}


class FakeMonotonic:
    """``time.monotonic`` for the rate limits, moved only by the test."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Time:
    clock: ManualClock
    monotonic: FakeMonotonic

    def advance(self, seconds: float) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        self.monotonic.now += seconds


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def time(clock: ManualClock, monotonic: FakeMonotonic) -> Time:
    return Time(clock, monotonic)


def make_sender(app: App, monotonic: FakeMonotonic, **limits: Any) -> OutboxSender:
    return OutboxSender(
        app.bot, app.crm, app.i18n, limits=RateLimits(monotonic=monotonic, **limits)
    )


@pytest.fixture
def sender(app: App, monotonic: FakeMonotonic) -> OutboxSender:
    """The app's sender, but with rate limits on the fake monotonic clock."""
    return make_sender(app, monotonic)


# --- helpers ------------------------------------------------------------------------


async def put(
    app: App,
    key: str,
    chat_id: int = OWNER_ID,
    kind: str = STUB_KIND,
    payload: dict[str, Any] | None = None,
    delay: timedelta | None = None,
) -> bool:
    """Queue one message as the CRM does; ``delay`` holds it back from now."""
    now = app.crm.clock.now()
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        return await enqueue(
            db,
            chat_id=chat_id,
            kind=kind,
            payload=PAYLOAD if payload is None else payload,
            dedupe_key=key,
            now=now,
            not_before=now + delay if delay else None,
        )


async def outbox(app: App) -> dict[str, OutboxMessage]:
    async with create_session_factory(app.engine)() as db:
        rows = await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return {row.dedupe_key: row for row in rows}


async def member(app: App, user_id: int) -> User:
    async with create_session_factory(app.engine)() as db:
        user = await db.get(User, user_id)
    assert user is not None
    return user


def sends(session: OfflineSession, chat_id: int | None = None) -> list[SendMessage]:
    return [
        request
        for request in session.requests
        if isinstance(request, SendMessage) and chat_id in (None, request.chat_id)
    ]


def owner_message() -> SendMessage:
    return SendMessage(chat_id=OWNER_ID, text="…")


# --- delivery -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language_code", "expected"), [("ru", NOTICE_RU), ("en", NOTICE_EN)], ids=["ru", "en"]
)
async def test_due_message_is_sent_once_in_the_readers_language(
    app: App,
    session: OfflineSession,
    join: Joiner,
    clock: ManualClock,
    language_code: str,
    expected: str,
) -> None:
    await join(MEMBER_ID, first_name="Bob", language_code=language_code)
    session.clear()
    # The owner hears about the newcomer first (that is an outbox message too).
    assert await app.sender.drain_once() == 1
    assert [(r.chat_id, r.text) for r in sends(session)] == [(OWNER_ID, JOINED_RU)]
    session.clear()

    assert await put(app, "hello", chat_id=MEMBER_ID)
    assert await app.sender.drain_once() == 1

    [request] = sends(session)
    assert (request.chat_id, request.text) == (MEMBER_ID, expected)
    row = (await outbox(app))["hello"]
    assert row.sent_at == clock.now()
    assert row.failed_at is None
    assert row.attempts == 1

    assert await app.sender.drain_once() == 0
    assert sends(session) == [request]


async def test_reader_language_wins_over_an_outer_i18n_context(
    app: App, session: OfflineSession, join: Joiner
) -> None:
    """``python -m bot`` runs everything inside its own Russian I18n context."""
    await join(MEMBER_ID, language_code="en")
    await app.sender.drain_once()
    session.clear()
    await put(app, "hello", chat_id=MEMBER_ID)

    cli_i18n = build_i18n("ru")
    with cli_i18n.context(), cli_i18n.use_locale("ru"):
        assert await app.sender.drain_once() == 1

    assert [r.text for r in sends(session)] == [NOTICE_EN]


async def test_same_dedupe_key_is_queued_once(app: App) -> None:
    assert await put(app, "task:1:2026-03-02T09:00")
    assert not await put(app, "task:1:2026-03-02T09:00", payload={"name": "Other"})
    assert await put(app, "task:1:2026-03-02T10:00")

    # Twice in one transaction too.
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        decided = [
            await enqueue(
                db,
                chat_id=OWNER_ID,
                kind=STUB_KIND,
                payload=PAYLOAD,
                dedupe_key="same-transaction",
                now=app.crm.clock.now(),
            )
            for _ in range(2)
        ]
    assert decided == [True, False]

    rows = await outbox(app)
    assert list(rows) == ["task:1:2026-03-02T09:00", "task:1:2026-03-02T10:00", "same-transaction"]
    assert rows["task:1:2026-03-02T09:00"].payload == PAYLOAD


async def test_what_fell_due_meanwhile_goes_out_in_order(
    app: App, session: OfflineSession, sender: OutboxSender, time: Time
) -> None:
    """Messages due while the bot was down all go out when it comes back, claimed in the
    order they fell due. (Three chats are sent to side by side: which send completes
    first is not asserted; it failed about one run in four under load.)"""
    for chat_id, minutes in [(501, 30), (502, 10), (503, 20), (504, 120)]:
        await put(app, f"m{chat_id}", chat_id=chat_id, delay=timedelta(minutes=minutes))

    time.advance(60 * 60)
    async with app.crm.open() as crm:
        claimed = await crm.outbox.claim_due(10)
    assert [row.chat_id for row in claimed] == [502, 503, 501]
    time.advance(Outbox.LEASE.total_seconds())  # the claim above lapses: the sender takes them
    assert await sender.drain_once() == 3

    assert sorted(r.chat_id for r in sends(session)) == [501, 502, 503]
    rows = await outbox(app)
    assert rows["m504"].sent_at is None


async def test_a_claim_left_by_a_dead_sender_is_taken_up_after_its_lease(
    app: App, session: OfflineSession, sender: OutboxSender, time: Time
) -> None:
    await put(app, "orphan")
    async with app.crm.open() as crm:
        assert len(await crm.outbox.claim_due(10)) == 1  # ... and the process dies

    assert await sender.drain_once() == 0
    time.advance(Outbox.LEASE.total_seconds() - 1)
    assert await sender.drain_once() == 0
    time.advance(1)
    assert await sender.drain_once() == 1
    assert len(sends(session)) == 1


# --- Telegram's refusals ------------------------------------------------------------


async def test_429_waits_retry_after_without_counting_an_attempt(
    app: App, session: OfflineSession, sender: OutboxSender, time: Time
) -> None:
    await put(app, "flood")
    session.answer_next(
        TelegramRetryAfter(owner_message(), "Too Many Requests", retry_after=5), SendMessage
    )

    assert await sender.drain_once() == 0
    row = (await outbox(app))["flood"]
    assert (row.sent_at, row.failed_at, row.attempts) == (None, None, 0)
    assert row.next_attempt_at == time.clock.now() + timedelta(seconds=5)

    time.advance(4)
    assert await sender.drain_once() == 0
    assert len(sends(session)) == 1

    time.advance(2)
    assert await sender.drain_once() == 1
    assert await sender.drain_once() == 0
    assert [r.text for r in sends(session)] == [NOTICE_RU, NOTICE_RU]  # the 429 and the send
    row = (await outbox(app))["flood"]
    assert row.sent_at == time.clock.now()
    assert row.attempts == 1


async def test_403_marks_the_member_unreachable_and_drops_their_messages(
    app: App, session: OfflineSession, sender: OutboxSender, join: Joiner, time: Time
) -> None:
    await join(MEMBER_ID)
    assert await sender.drain_once() == 1  # the owner's notice about the newcomer
    session.clear()
    await put(app, "now", chat_id=MEMBER_ID)
    await put(app, "later", chat_id=MEMBER_ID, delay=timedelta(hours=1))
    await put(app, "owner-later", chat_id=OWNER_ID, delay=timedelta(hours=1))
    session.answer_next(
        TelegramForbiddenError(
            SendMessage(chat_id=MEMBER_ID, text="…"), "Forbidden: bot was blocked by the user"
        ),
        SendMessage,
    )

    assert await sender.drain_once() == 0
    blocked_at = time.clock.now()
    assert (await member(app, MEMBER_ID)).unreachable_at == blocked_at
    rows = await outbox(app)
    assert rows["now"].failed_at == blocked_at
    assert rows["now"].last_error is not None and "blocked" in rows["now"].last_error
    assert rows["later"].failed_at == blocked_at
    assert rows["owner-later"].failed_at is None

    time.advance(2 * 60 * 60)
    assert await sender.drain_once() == 1
    assert await sender.drain_once() == 0
    assert [r.chat_id for r in sends(session)] == [MEMBER_ID, OWNER_ID]


TRANSIENT: list[Callable[[], TelegramAPIError]] = [
    lambda: TelegramNetworkError(owner_message(), "Connection reset by peer"),
    lambda: TelegramServerError(owner_message(), "Internal Server Error"),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=["network", "5xx"])
async def test_transient_errors_are_retried_with_growing_backoff(
    app: App,
    session: OfflineSession,
    sender: OutboxSender,
    time: Time,
    error: Callable[[], TelegramAPIError],
) -> None:
    await put(app, "flaky")
    session.answer_next(error(), SendMessage)
    session.answer_next(error(), SendMessage)

    for attempts in (1, 2):
        assert await sender.drain_once() == 0
        row = (await outbox(app))["flaky"]
        assert (row.sent_at, row.failed_at, row.attempts) == (None, None, attempts)
        wait = backoff(attempts - 1)
        assert row.next_attempt_at == time.clock.now() + wait
        assert row.last_error is not None

        time.advance(wait.total_seconds() - 1)
        assert await sender.drain_once() == 0
        time.advance(1)
    assert backoff(1) > backoff(0)

    assert await sender.drain_once() == 1
    assert await sender.drain_once() == 0
    assert len(sends(session)) == 3
    row = (await outbox(app))["flaky"]
    assert row.sent_at == time.clock.now()
    assert row.failed_at is None


async def test_transient_errors_stop_after_max_attempts_and_a_day(
    app: App, session: OfflineSession, sender: OutboxSender, time: Time
) -> None:
    """An hour and a half without Telegram (more tries than MAX_ATTEMPTS) loses nothing;
    a row still failing a day after it was queued is given up."""
    await put(app, "doomed")
    for _ in range(MAX_ATTEMPTS + 3):
        session.answer_next(TRANSIENT[0](), SendMessage)

    for _ in range(MAX_ATTEMPTS + 1):
        await sender.drain_once()
        time.advance(backoff(MAX_ATTEMPTS).total_seconds())
    row = (await outbox(app))["doomed"]
    assert (row.failed_at, row.attempts) == (None, MAX_ATTEMPTS + 1)
    assert row.next_attempt_at <= time.clock.now()

    time.advance(MAX_OUTAGE.total_seconds())
    await sender.drain_once()
    time.advance(backoff(MAX_ATTEMPTS).total_seconds())
    await sender.drain_once()

    assert len(sends(session)) == MAX_ATTEMPTS + 2
    row = (await outbox(app))["doomed"]
    assert row.sent_at is None
    assert row.failed_at is not None
    assert row.attempts == MAX_ATTEMPTS + 2


async def test_a_reminder_due_during_an_outage_goes_out_when_telegram_is_back(
    app: App, session: OfflineSession, sender: OutboxSender, time: Time
) -> None:
    await put(app, "patient")
    for _ in range(MAX_ATTEMPTS + 4):
        session.answer_next(TRANSIENT[0](), SendMessage)
    for _ in range(MAX_ATTEMPTS + 4):
        await sender.drain_once()
        time.advance(backoff(MAX_ATTEMPTS).total_seconds())

    assert await sender.drain_once() == 1
    row = (await outbox(app))["patient"]
    assert (row.sent_at, row.failed_at) == (time.clock.now(), None)


@pytest.mark.parametrize(
    ("kind", "refusal", "requests"),
    [
        ("no_such_kind", None, 0),
        (
            STUB_KIND,
            TelegramBadRequest(owner_message(), "Bad Request: message text is empty"),
            1,
        ),
    ],
    ids=["unknown-kind", "bad-request"],
)
async def test_what_cannot_be_sent_is_given_up_at_once(
    app: App,
    session: OfflineSession,
    sender: OutboxSender,
    time: Time,
    kind: str,
    refusal: TelegramAPIError | None,
    requests: int,
) -> None:
    await put(app, "hopeless", kind=kind)
    if refusal is not None:
        session.answer_next(refusal, SendMessage)

    assert await sender.drain_once() == 0
    row = (await outbox(app))["hopeless"]
    assert row.sent_at is None
    assert row.failed_at == time.clock.now()
    assert row.last_error

    time.advance(60 * 60)
    assert await sender.drain_once() == 0
    assert len(sends(session)) == requests


def renderer_bug(monkeypatch: pytest.MonkeyPatch, session: OfflineSession) -> None:
    async def broken(*args: object) -> None:
        raise KeyError("title")

    monkeypatch.setattr(reminders.sender, "render", broken)


def answered(
    error: TelegramAPIError, times: int = MAX_ATTEMPTS
) -> Callable[[pytest.MonkeyPatch, OfflineSession], None]:
    def arrange(monkeypatch: pytest.MonkeyPatch, session: OfflineSession) -> None:
        for _ in range(times):
            session.answer_next(error, SendMessage)

    return arrange


@pytest.mark.parametrize(
    ("arrange", "named"),
    [
        (renderer_bug, "KeyError: 'title'"),
        (answered(TelegramNotFound(owner_message(), "Not Found")), "TelegramNotFound"),
    ],
    ids=["renderer-bug", "not-found"],
)
async def test_an_unforeseen_error_is_retried_with_backoff_then_given_up(
    app: App,
    session: OfflineSession,
    sender: OutboxSender,
    time: Time,
    monkeypatch: pytest.MonkeyPatch,
    arrange: Callable[[pytest.MonkeyPatch, OfflineSession], None],
    named: str,
) -> None:
    """Not left leased and retried for ever without a trace: each try is counted, its
    error kept on the row, and after MAX_ATTEMPTS the row is given up."""
    await put(app, "odd")
    arrange(monkeypatch, session)
    for attempts in range(1, MAX_ATTEMPTS):
        assert await sender.drain_once() == 0
        row = (await outbox(app))["odd"]
        assert (row.sent_at, row.failed_at, row.attempts) == (None, None, attempts)
        assert row.claimed_by is None
        assert row.next_attempt_at == time.clock.now() + backoff(attempts - 1)
        assert named in (row.last_error or "")
        time.advance(backoff(attempts - 1).total_seconds())
    assert await sender.drain_once() == 0
    row = (await outbox(app))["odd"]
    assert row.failed_at == time.clock.now()
    assert row.sent_at is None
    time.advance(60 * 60)
    assert await sender.drain_once() == 0


def database_failing(monkeypatch: pytest.MonkeyPatch, session: OfflineSession) -> None:
    async def locked(*args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(reminders.sender, "render", locked)


@pytest.mark.parametrize(
    ("arrange", "named"),
    [
        (
            answered(TelegramUnauthorizedError(owner_message(), "Unauthorized"), MAX_ATTEMPTS + 1),
            "Unauthorized",
        ),
        (database_failing, "OperationalError"),
    ],
    ids=["unauthorized", "database"],
)
async def test_a_failure_of_the_whole_bot_is_retried_as_an_outage_is(
    app: App,
    session: OfflineSession,
    sender: OutboxSender,
    time: Time,
    monkeypatch: pytest.MonkeyPatch,
    arrange: Callable[[pytest.MonkeyPatch, OfflineSession], None],
    named: str,
) -> None:
    """A refused token or a failing database fails every message at once: more tries
    than MAX_ATTEMPTS give up nothing (the owner fixing the token finds the reminders
    still due); only a day's outage does."""
    await put(app, "due")
    arrange(monkeypatch, session)
    for attempts in range(1, MAX_ATTEMPTS + 1):
        assert await sender.drain_once() == 0
        row = (await outbox(app))["due"]
        assert (row.sent_at, row.failed_at, row.attempts) == (None, None, attempts)
        assert named in (row.last_error or "")
        time.advance(backoff(attempts - 1).total_seconds())
    time.advance(MAX_OUTAGE.total_seconds())
    assert await sender.drain_once() == 0
    assert (await outbox(app))["due"].failed_at is not None


# --- limits and concurrency -----------------------------------------------------------


async def test_next_message_to_a_busy_chat_waits_for_its_slot(
    app: App, session: OfflineSession, monotonic: FakeMonotonic, time: Time
) -> None:
    interval = MAX_WAIT_SECONDS + 1  # too far off to wait for inside one drain
    sender = make_sender(app, monotonic, chat_interval=interval)
    await put(app, "first")
    await put(app, "second")

    assert await sender.drain_once() == 1
    rows = await outbox(app)
    assert rows["first"].sent_at is not None
    assert (rows["second"].sent_at, rows["second"].failed_at) == (None, None)
    assert rows["second"].next_attempt_at == time.clock.now() + timedelta(seconds=interval)

    time.advance(interval)
    assert await sender.drain_once() == 1
    assert len(sends(session, OWNER_ID)) == 2


async def test_a_chats_messages_go_in_order_however_long_each_takes_to_render(
    app: App, session: OfflineSession, monotonic: FakeMonotonic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no wait between one chat's messages (a test's limits), the first taking longer
    to render than the second still goes first: each waits for the one before it."""
    sender = make_sender(app, monotonic, chat_interval=0.0)
    rendered = reminders.sender.render

    async def slow_first(crm: Any, kind: str, payload: dict[str, Any], chat_id: int) -> Any:
        if payload["title"] == "First":
            await asyncio.sleep(0.3)
        return await rendered(crm, kind, payload, chat_id)

    monkeypatch.setattr(reminders.sender, "render", slow_first)
    await put(app, "first", payload={"title": "First"})
    await put(app, "second", payload={"title": "Second"})

    assert await sender.drain_once() == 2
    assert ["First" in str(m.text) for m in sends(session, OWNER_ID)] == [True, False]


async def test_waiting_for_a_chat_slot_is_not_a_failed_attempt(
    app: App, monotonic: FakeMonotonic
) -> None:
    sender = make_sender(app, monotonic, chat_interval=MAX_WAIT_SECONDS + 1)
    await put(app, "first")
    await put(app, "second")

    assert await sender.drain_once() == 1
    assert (await outbox(app))["second"].attempts == 0


async def test_a_group_over_its_minute_budget_is_deferred_not_waited_for(
    app: App, session: OfflineSession, monotonic: FakeMonotonic, time: Time
) -> None:
    group = -100_123
    sender = make_sender(app, monotonic, group_per_minute=2)
    for n in range(3):
        await put(app, f"group-{n}", chat_id=group, delay=timedelta(seconds=2 * n))

    for _ in range(2):
        assert await sender.drain_once() == 1
        time.advance(2)

    # The third message may only go a minute after the first; the drain must not wait for it.
    assert await asyncio.wait_for(sender.drain_once(), timeout=0.25) == 0
    row = (await outbox(app))["group-2"]
    assert row.sent_at is None
    assert row.next_attempt_at >= time.clock.now() + timedelta(seconds=50)


async def test_two_senders_draining_together_send_each_message_once(
    app: App, session: OfflineSession, monotonic: FakeMonotonic, clock: ManualClock
) -> None:
    chats = list(range(1_001, 1_025))
    for chat_id in chats:
        await put(app, f"m{chat_id}", chat_id=chat_id)
    senders = [
        OutboxSender(
            app.bot,
            app.crm,
            app.i18n,
            limits=RateLimits(per_second=10_000, monotonic=monotonic),
            batch_size=5,
        )
        for _ in range(2)
    ]

    async def drain_all(sender: OutboxSender) -> int:
        total = 0
        while sent := await sender.drain_once():
            total += sent
        return total

    totals = await asyncio.gather(*(drain_all(sender) for sender in senders))

    assert sum(totals) == len(chats)
    assert sorted(r.chat_id for r in sends(session)) == chats
    rows = await outbox(app)
    assert all(row.sent_at == clock.now() and row.attempts == 1 for row in rows.values())


async def test_a_row_readdressed_while_on_its_way_is_not_given_up_for_its_old_chat(
    app: App, time: Time
) -> None:
    """A reminder rendered for nobody (its task given to someone else after the sender
    claimed it) is due again for its new reader, not failed; one still its chat's is."""
    await put(app, "moved", chat_id=MEMBER_ID)
    row = (await outbox(app))["moved"]
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        (await db.get(OutboxMessage, row.id)).chat_id = OWNER_ID  # type: ignore[union-attr]
    time.advance(60)
    async with app.crm.open(background=True) as crm:
        await crm.outbox.give_up(row.id, "nothing to send any more", MEMBER_ID)
    moved = (await outbox(app))["moved"]
    assert (moved.failed_at, moved.next_attempt_at) == (None, time.clock.now())
    async with app.crm.open(background=True) as crm:
        await crm.outbox.give_up(row.id, "nothing to send any more", OWNER_ID)
    assert (await outbox(app))["moved"].failed_at == time.clock.now()
