"""Due reminders at scale, delivered through a Bot API that keeps Telegram's limits.

``python -m bench.reminders`` builds the app with the production factory on a
fresh database (SQLite by default, ``--db URL`` for PostgreSQL), with a fake
Bot API session in place of HTTP, and the real clock. Then:

* **claim**: 10,000 tasks for 500 members fall due in the same minute;
  ``Reminders.claim_due`` moves them all into the outbox (``claim_seconds``);
* **deliver**: the app's own ``OutboxSender`` (production rate limits) drains
  the outbox into the fake API, which answers 429 whenever a limit is broken
  (``delivered``, ``duplicates``, ``lost``, ``responses_429``,
  ``messages_per_second``). At 30 messages a second this takes ~5.6 minutes;
* **latency**: on the now idle system, APScheduler ticks every
  ``OUTBOX_POLL_SECONDS`` (the settings' default) and a single task falls due;
  ``single_latency_seconds`` is the longest of a few such samples, from the due
  moment to the fake API receiving the reminder.

Progress goes to stderr; the last line of stdout is one JSON object with the
figures. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import logging
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, User
from sqlalchemy import func, insert, select

from bot.app import App, build_app
from bot.config import Settings
from bot.startup import prepare_database
from crm.clock import SystemClock
from handlers.tasks.callbacks import TaskCb
from reminders.scheduler import build_scheduler
from storage.models import OutboxMessage, Task
from storage.models import User as Member

OWNER_ID = 100_001
FIRST_MEMBER_ID = 300_001
INSERT_BATCH = 2_000

log = logging.getLogger("bench.reminders")


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the fake Bot API -----------------------------------------------------------------------


@dataclass
class Delivery:
    """One sendMessage the fake API accepted."""

    arrived: float  # time.monotonic() when the request reached the "server"
    wall: datetime
    chat_id: int
    task_id: int | None


@dataclass
class Limits:
    per_second: int = 30
    chat_interval: float = 1.0
    group_per_minute: int = 20


class LimitedBotAPI(BaseSession):
    """A Bot API that enforces Telegram's sending limits strictly and answers 429 when broken.

    A ``sendMessage`` travels for ``uplink`` seconds, is judged on arrival against
    the accepted ones before it (≤ 30 in any sliding second overall, ≤ 1 a second
    per chat, ≤ 20 in any sliding minute per group), and its answer travels for
    ``latency - uplink`` more. A refused request raises ``TelegramRetryAfter``
    with a whole number of seconds, as Telegram does, and counts in
    ``responses_429``; it does not use up the limit. Anything else is answered
    plausibly at once.
    """

    def __init__(
        self,
        limits: Limits | None = None,
        latency: tuple[float, float] = (0.03, 0.08),
        uplink: tuple[float, float] = (0.005, 0.015),
        seed: int = 1,
    ) -> None:
        super().__init__()
        self.limits = limits or Limits()
        self._latency = latency
        self._uplink = uplink
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._recent: list[float] = []  # accepted arrivals, sorted, from the last second on
        self._chat_last: dict[int, float] = {}
        self._group_recent: defaultdict[int, deque[float]] = defaultdict(deque)
        self.deliveries: list[Delivery] = []
        self.responses_429 = 0
        self.refusals: Counter[str] = Counter()
        self.max_in_any_second = 0
        self._waiting: dict[int, asyncio.Future[Delivery]] = {}
        self.bot_user = User(id=7_000_000_002, is_bot=True, first_name="Bench", username="bench")

    def expect(self, task_id: int) -> asyncio.Future[Delivery]:
        """A future resolved when a reminder of ``task_id`` arrives."""
        future: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        self._waiting[task_id] = future
        return future

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (the BaseSession signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        if isinstance(method, GetMe):
            return self.bot_user  # type: ignore[return-value]
        if not isinstance(method, SendMessage):
            return True  # type: ignore[return-value]
        total = self._random.uniform(*self._latency)
        up = min(total, self._random.uniform(*self._uplink))
        # The "server" sees the request ``up`` after it was sent, whatever our event
        # loop (which it shares only here) is busy with meanwhile.
        arrived = time.monotonic() + up
        wall = datetime.now(UTC) + timedelta(seconds=up)
        chat_id = int(method.chat_id)
        reason, refused_for = self._refused_for(arrived, chat_id)
        if refused_for > 0:
            self.responses_429 += 1
            self.refusals[reason] += 1
            await asyncio.sleep(total)
            retry_after = max(1, math.ceil(refused_for))
            raise TelegramRetryAfter(
                method=method,
                message=f"Too Many Requests: retry after {retry_after}",
                retry_after=retry_after,
            )
        self._accept(arrived, chat_id)
        delivery = Delivery(arrived, wall, chat_id, _task_id(method))
        self.deliveries.append(delivery)
        await asyncio.sleep(up)
        waiting = self._waiting.pop(delivery.task_id or 0, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(delivery)
        await asyncio.sleep(total - up)
        return Message(  # type: ignore[return-value]
            message_id=next(self._ids),
            date=delivery.wall,
            chat=Chat(id=chat_id, type="private" if chat_id > 0 else "group"),
            from_user=self.bot_user,
            text=method.text,
        )

    def _refused_for(self, now: float, chat_id: int) -> tuple[str, float]:
        """Which limit a message arriving at ``now`` breaks, and for how long (0: none)."""
        limits = self.limits
        recent = self._recent
        del recent[: bisect.bisect_left(recent, now - 2.0)]
        # Arrivals may come a little out of order (the uplink varies): count those
        # within the second before ``now``.
        within = len(recent) - bisect.bisect_right(recent, now - 1.0)
        later = len(recent) - bisect.bisect_right(recent, now)
        if within - later >= limits.per_second:
            first = recent[bisect.bisect_right(recent, now - 1.0)]
            return "global", first + 1.0 - now
        last = self._chat_last.get(chat_id)
        if last is not None and abs(now - last) < limits.chat_interval:
            return "chat", last + limits.chat_interval - now
        if chat_id < 0:
            group = self._group_recent[chat_id]
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= limits.group_per_minute:
                return "group", group[-limits.group_per_minute] + 60.0 - now
        return "", 0.0

    def _accept(self, now: float, chat_id: int) -> None:
        bisect.insort(self._recent, now)
        self.max_in_any_second = max(self.max_in_any_second, self._window_count(now))
        self._chat_last[chat_id] = max(now, self._chat_last.get(chat_id, now))
        if chat_id < 0:
            self._group_recent[chat_id].append(now)

    def _window_count(self, now: float) -> int:
        """Most arrivals in any one-second window that holds ``now``."""
        recent = self._recent
        best = 0
        start = bisect.bisect_left(recent, now - 1.0)
        for index in range(start, bisect.bisect_right(recent, now)):
            end = bisect.bisect_left(recent, recent[index] + 1.0)
            best = max(best, end - index)
        return best


def _task_id(method: SendMessage) -> int | None:
    """The task a reminder is about, read from its Done button."""
    markup = method.reply_markup
    for row in getattr(markup, "inline_keyboard", None) or []:
        for button in row:
            data = button.callback_data
            if data and data.startswith(f"{TaskCb.__prefix__}:"):
                try:
                    return TaskCb.unpack(data).task_id
                except (TypeError, ValueError):
                    continue
    return None


# --- the data -------------------------------------------------------------------------------


def make_settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=None,
        database_url=database_url,
        owner_ids=(OWNER_ID,),
        telegram_api_url=None,
        redis_url=None,
        default_language="ru",
        default_timezone="Europe/Moscow",
    )


async def add_members(app: App, count: int, now: datetime) -> list[int]:
    """Managers who get no morning list, so only reminders are in the outbox."""
    ids = list(range(FIRST_MEMBER_ID, FIRST_MEMBER_ID + count))
    rows = [
        {
            "id": member_id,
            "full_name": f"Manager {n}",
            "role": "manager",
            "active": True,
            "language": "ru" if n % 5 else "en",
            "timezone": "Europe/Moscow",
            "created_at": now,
            "invited_by": OWNER_ID,
            "morning_list": False,
        }
        for n, member_id in enumerate(ids)
    ]
    async with app.engine.begin() as conn:
        await conn.execute(insert(Member), rows)
    return ids


async def add_due_tasks(
    app: App, count: int, members: list[int], minute: datetime, rng: random.Random
) -> None:
    """``count`` open tasks falling due within the same minute, assigned at random.

    The columns are set as ``Tasks.create`` sets them (``remind_at`` = due time).
    """
    created = minute - timedelta(days=1)
    for start in range(0, count, INSERT_BATCH):
        rows = []
        for n in range(start, min(count, start + INSERT_BATCH)):
            due = minute + timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
            rows.append(
                {
                    "title": f"Call back client #{n + 1}",
                    "due_at": due,
                    "remind_at": due,
                    "remind_before": 0,
                    "priority": rng.choice(("low", "normal", "normal", "high")),
                    "assignee_id": rng.choice(members),
                    "created_by": OWNER_ID,
                    "created_at": created,
                }
            )
        async with app.engine.begin() as conn:
            await conn.execute(insert(Task), rows)


async def pending_rows(app: App) -> int:
    async with app.engine.connect() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        )
    return int(count or 0)


async def put_off_rows(app: App) -> dict[str, int]:
    """Rows that were put off at least once, by the last reason."""
    async with app.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboxMessage.last_error, func.count())
            .where(OutboxMessage.last_error.isnot(None))
            .group_by(OutboxMessage.last_error)
        )
        return {str(reason)[:60]: int(count) for reason, count in rows}


async def failed_rows(app: App) -> int:
    async with app.engine.connect() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.failed_at.isnot(None))
        )
    return int(count or 0)


# --- the phases -----------------------------------------------------------------------------


async def claim_all(app: App, limit: int) -> tuple[float, int, int]:
    """Claim everything due; returns seconds, rows claimed and claim_due calls."""
    claimed, calls = 0, 0
    started = time.perf_counter()
    while True:
        async with app.crm.open() as crm:
            got = await crm.reminders.claim_due(limit)
        calls += 1
        claimed += got
        if got == 0:
            break
    return time.perf_counter() - started, claimed, calls


async def deliver_all(app: App, api: LimitedBotAPI, expected: int, give_up_after: float) -> float:
    """Drive the app's sender until the outbox is empty; returns when that started."""
    started = time.monotonic()
    deadline = started + give_up_after
    reporter = asyncio.create_task(report_progress(api, expected, started))
    try:
        while True:
            sent = await app.sender.drain_once()
            if sent == 0:
                if await pending_rows(app) == 0:
                    return started
                if time.monotonic() > deadline:
                    progress("giving up: the outbox is not draining")
                    return started
                await asyncio.sleep(0.1)
    finally:
        reporter.cancel()


async def report_progress(api: LimitedBotAPI, expected: int, started: float) -> None:
    while True:
        await asyncio.sleep(30)
        done = len(api.deliveries)
        rate = done / (time.monotonic() - started)
        progress(f"delivered {done}/{expected} ({rate:.1f}/s), 429s: {api.responses_429}")


async def single_latency(
    app: App, api: LimitedBotAPI, poll_seconds: float, samples: int, rng: random.Random
) -> list[float]:
    """Due moment → arrival at the API, for single tasks on an idle system with the real tick."""
    scheduler = build_scheduler(app.ticker, poll_seconds)
    scheduler.start()
    try:
        # Let anything else the tick decides (a digest for the owner) go out first.
        for _ in range(30):
            await asyncio.sleep(poll_seconds)
            if not await pending_rows(app) and not app.sender.busy:
                break
        latencies = []
        async with app.crm.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for n in range(samples):
            due = datetime.now(UTC) + timedelta(seconds=1.5 + rng.random() * poll_seconds)
            async with app.crm.open() as crm:
                # The owner's own task: one assigned to someone else would also
                # tell them at once, with the same buttons.
                task = await crm.tasks.create(owner, f"Latency probe {n + 1}", due)
            arrival = await asyncio.wait_for(api.expect(task.id), timeout=30)
            latencies.append((arrival.wall - due).total_seconds())
            progress(f"latency sample {n + 1}: {latencies[-1]:.3f} s")
        return latencies
    finally:
        scheduler.pause()  # a graceful stop: let a tick under way finish first
        await asyncio.wait_for(app.ticker.idle(), timeout=30)
        scheduler.shutdown(wait=False)


def cpu_reference_ms() -> float:
    started = time.perf_counter()
    total = 0
    for n in range(2_000_000):
        total += n % 7
    return (time.perf_counter() - started) * 1000


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    workdir = None
    database_url = args.db
    if database_url is None:
        workdir = tempfile.TemporaryDirectory(prefix="bench-reminders-")
        database_url = f"sqlite+aiosqlite:///{Path(workdir.name) / 'bench.db'}"
    api = LimitedBotAPI(latency=(args.latency_min, args.latency_max), seed=args.seed)
    settings = make_settings(database_url)
    app = build_app(settings, session=api, clock=SystemClock())
    figures: dict[str, Any] = {
        "tasks": args.tasks,
        "users": args.users,
        "database": app.engine.dialect.name,
        "outbox_poll_seconds": settings.outbox_poll_seconds,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_ref_ms": round(cpu_reference_ms(), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    try:
        await prepare_database(app)
        async with app.engine.connect() as conn:
            existing = await conn.scalar(select(func.count()).select_from(Task))
        if existing:
            raise SystemExit("the database already has tasks: give --db an empty database")
        now = datetime.now(UTC)
        members = await add_members(app, args.users, now)
        minute = now.replace(second=0, microsecond=0) - timedelta(minutes=1)
        progress(f"creating {args.tasks} tasks due in the minute from {minute:%H:%M} UTC")
        await add_due_tasks(app, args.tasks, members, minute, rng)

        progress("claiming")
        claim_seconds, claimed, calls = await claim_all(app, args.claim_limit)
        figures |= {
            "claim_seconds": round(claim_seconds, 3),
            "claimed": claimed,
            "claim_calls": calls,
        }
        progress(f"claimed {claimed} in {claim_seconds:.3f} s ({calls} calls)")

        progress("delivering")
        started = await deliver_all(app, api, claimed, give_up_after=args.tasks / 10 + 120)
        deliveries = list(api.deliveries)
        per_task = Counter(d.task_id for d in deliveries if d.task_id is not None)
        task_ids = await _all_task_ids(app)
        duration = (deliveries[-1].arrived - started) if deliveries else 0.0
        figures |= {
            "delivered": len(per_task),
            "duplicates": sum(n - 1 for n in per_task.values() if n > 1),
            "lost": sum(1 for task_id in task_ids if task_id not in per_task),
            "failed_rows": await failed_rows(app),
            "put_off_rows": await put_off_rows(app),
            "responses_429": api.responses_429,
            "responses_429_by_limit": dict(api.refusals),
            "max_in_any_second": api.max_in_any_second,
            "deliver_seconds": round(duration, 2),
            "messages_per_second": round(len(deliveries) / duration, 2) if duration else 0.0,
            "steady_messages_per_second": round(_steady_rate(deliveries), 2),
            "first_delivery_seconds": round(deliveries[0].arrived - started, 3)
            if deliveries
            else None,
            "longest_gaps_seconds": _longest_gaps(deliveries, started),
        }
        progress(
            f"delivered {figures['delivered']} in {duration:.1f} s "
            f"({figures['messages_per_second']}/s), 429s: {api.responses_429}"
        )

        if args.latency_samples:
            progress("single reminder latency on an idle system")
            latencies = await single_latency(
                app, api, settings.outbox_poll_seconds, args.latency_samples, rng
            )
            figures |= {
                "single_latency_seconds": round(max(latencies), 3),
                "single_latency_samples": [round(value, 3) for value in latencies],
            }
    finally:
        await app.close()
        if workdir is not None:
            workdir.cleanup()
    return figures


async def _all_task_ids(app: App) -> list[int]:
    async with app.engine.connect() as conn:
        return list(await conn.scalars(select(Task.id).where(~Task.title.like("Latency%"))))


def _longest_gaps(
    deliveries: list[Delivery], started: float, count: int = 5
) -> list[tuple[float, float]]:
    """The longest pauses between two arrivals: (seconds into the run, length), longest first."""
    arrivals = sorted(d.arrived for d in deliveries)
    gaps = sorted(((b - a, a) for a, b in itertools.pairwise(arrivals)), reverse=True)
    return [(round(at - started, 2), round(gap, 3)) for gap, at in gaps[:count]]


def _steady_rate(deliveries: list[Delivery]) -> float:
    """Messages a second between the 10th and the 90th percentile of arrivals."""
    if len(deliveries) < 20:
        return 0.0
    first = len(deliveries) // 10
    last = len(deliveries) - 1 - first
    span = deliveries[last].arrived - deliveries[first].arrived
    return (last - first) / span if span > 0 else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--claim-limit",
        type=int,
        default=None,
        help="the limit given to each claim_due call (default: --tasks, all in one call)",
    )
    parser.add_argument("--latency-samples", type=int, default=5)
    parser.add_argument("--latency-min", type=float, default=0.03)
    parser.add_argument("--latency-max", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=20260302)
    args = parser.parse_args(argv)
    if args.claim_limit is None:
        args.claim_limit = max(args.tasks, 1)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    figures = asyncio.run(run(args))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
