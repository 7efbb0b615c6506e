"""The reminders benchmark's team and tasks: 10,000 reminders due in one minute, and the outbox
rows they become.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from bench.reminders_api import LimitedBotAPI
from bot.app import App
from bot.config import Settings
from storage.models import OutboxMessage, Task
from storage.models import User as Member

OWNER_ID = 100_001


FIRST_MEMBER_ID = 300_001


INSERT_BATCH = 2_000


log = logging.getLogger("bench.reminders")


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


async def _all_task_ids(app: App) -> list[int]:
    async with app.engine.connect() as conn:
        return list(await conn.scalars(select(Task.id).where(~Task.title.like("Latency%"))))


async def report_progress(api: LimitedBotAPI, expected: int, started: float) -> None:
    while True:
        await asyncio.sleep(30)
        done = len(api.deliveries)
        rate = done / (time.monotonic() - started)
        progress(f"delivered {done}/{expected} ({rate:.1f}/s), 429s: {api.responses_429}")
