"""APScheduler only ticks: what is due lives in the database, never in its job store."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from reminders.sender import OutboxSender


def build_scheduler(sender: OutboxSender, poll_seconds: float) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sender.drain_once,
        "interval",
        seconds=poll_seconds,
        id="outbox",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler
