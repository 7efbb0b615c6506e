"""The bot's replies while an import runs, against its replies when idle.

The real Dispatcher (``bot.app.build_app`` on the offline Bot API, as the tests
build it) on a copy of the generated base: the owner sends commands one after
another and each reply's time is taken, first idle, then while the owner's
import of the benchmark's spreadsheet runs in the background (sent as a
document, previewed and started with its buttons, as a person does). The
figure is the ratio of the two p95s (target ≤ 2).
"""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path
from typing import Any

COMMANDS = ("/clients", "/tasks", "/help")
IDLE_SAMPLES = 45
MAX_BUSY_SAMPLES = 2000


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)] if ordered else 0.0


async def _timed(user: Any, command: str) -> float:
    started = time.perf_counter()
    replies = await user.send(command)
    assert replies, f"no reply to {command}"
    return (time.perf_counter() - started) * 1000


async def phase_latency(db: Path, file: Path, data: bytes) -> dict[str, Any]:
    from bench.clients import OWNER_ID
    from bot.app import build_app
    from bot.config import Settings
    from bot.offline import OfflineSession
    from bot.simulator import SimulatedUser
    from bot.startup import prepare_database
    from crm.imports.plan import Policy
    from handlers.imports.callbacks import ImportAction, ImportCb

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{db}",
        owner_ids=(OWNER_ID,),
        redis_url=None,
        bot_token=None,
    )
    app = build_app(settings, session=OfflineSession())
    try:
        await prepare_database(app)
        owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, first_name="Ольга")
        for command in ("/start", *COMMANDS):  # warm: caches, compiled queries
            await owner.send(command)
        idle = [await _timed(owner, COMMANDS[i % 3]) for i in range(IDLE_SAMPLES)]

        await owner.send_document(file.name, data=data)
        await owner.press_data(ImportCb(action=ImportAction.PREVIEW).pack())
        started = time.perf_counter()
        await owner.press_data(ImportCb(action=ImportAction.RUN, value=Policy.SKIP).pack())
        running = list(app.dispatcher["background"])
        busy: list[float] = []
        while not all(task.done() for task in running) and len(busy) < MAX_BUSY_SAMPLES:
            busy.append(await _timed(owner, COMMANDS[len(busy) % 3]))
        await asyncio.gather(*running)
        import_s = time.perf_counter() - started
        async with app.crm.open() as crm:
            member = await crm.members.get_active(OWNER_ID)
            assert member is not None
            [batch] = await crm.imports.batches(member, limit=1)
        assert batch.finished_at is not None, "the import did not finish"
    finally:
        await app.close()
    idle_p95, busy_p95 = p95(idle), p95(busy)
    return {
        "reply_idle_p95_ms": round(idle_p95, 1),
        "reply_busy_p95_ms": round(busy_p95, 1),
        "reply_p95_ratio": round(busy_p95 / idle_p95, 2) if idle_p95 else None,
        "reply_idle_samples": len(idle),
        "reply_busy_samples": len(busy),
        "reply_import_s": round(import_s, 2),
        "reply_import_created": int(batch.counts.get("created", 0)),
    }
