"""Running the bot: long polling (the default) or webhook mode, and a bounded shutdown.

Shutdown on SIGTERM or SIGINT: stop taking updates (the webhook answers 503
and the port closes, so the proxy sends Telegram's retries elsewhere; polling
stops asking), finish the updates in flight, the background work (an import) or
cancel it, and the outbox messages already rendered (the rest of what the sender
claimed is given back, due at once for another instance), give up the leases, then
exit, all within ``SHUTDOWN_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App, redis_prefix
from bot.lease import LeasedJobs
from bot.startup import settle_heap
from bot.update_journal import RedisUpdateQueue
from bot.updates import LocalUpdateQueue, UpdateRunner
from bot.web.leads import add_lead_routes
from bot.web.server import RouteAdder, WebServer, build_web_app

log = logging.getLogger(__name__)

TICK = "tick"


def schedule(app: App) -> LeasedJobs:
    """The periodic work, each job on one instance at a time. Add more with ``jobs.every``
    or ``jobs.cron`` (nightly backups, automation timers)."""
    jobs = LeasedJobs(AsyncIOScheduler(timezone="UTC"), app.leases)
    jobs.every(
        TICK,
        app.ticker.tick,
        app.settings.outbox_poll_seconds,
        # While one tick drains a long backlog, the next ones still claim what falls due
        # (and return at once), instead of being skipped with a warning every interval.
        max_instances=2,
        coalesce=True,
        misfire_grace_time=None,
    )
    return jobs


async def serve(app: App, username: str | None, stop: asyncio.Event | None = None) -> None:
    """Take updates until a signal (or ``stop``) says stop, then shut down within the bound."""
    settings = app.settings
    async with app.crm.open() as crm:
        taken = await crm.outbox.take_back(settings.instance_name)
    if taken:
        log.info("took back %d outbox messages this instance had claimed before", taken)
    jobs = schedule(app)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stopping = False
    runner = UpdateRunner(app.dispatcher, app.bot)
    queue: LocalUpdateQueue | RedisUpdateQueue | None = None
    if settings.webhook_mode:
        queue = (
            RedisUpdateQueue(
                runner,
                app.redis,
                redis_prefix(settings, app.bot),
                settings.instance_name,
                settings.update_takeover_seconds,
                legacy_prefix=settings.redis_prefix,
            )
            if app.redis is not None
            else LocalUpdateQueue(runner)
        )
    server = None
    port = settings.http_port
    if port is not None:
        web_app = build_web_app(
            app, intake=queue, stopping=lambda: stopping, route_adders=(lead_routes(app),)
        )
        server = WebServer(web_app, settings.web_host, port)
        await server.start()
    jobs.scheduler.start()
    reader = asyncio.create_task(queue.run()) if queue is not None else None
    polling = None
    if not settings.webhook_mode:
        polling = asyncio.create_task(
            app.dispatcher.start_polling(
                app.bot,
                allowed_updates=app.dispatcher.resolve_used_update_types(),
                handle_signals=False,
                close_bot_session=False,
            )
        )
    log.info("Kartoteka is running as @%s (%s)", username, settings.instance_name)
    waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(stop.wait())]
    if polling is not None:
        waiters.append(polling)  # type: ignore[arg-type]
    settle_heap()
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        log.info("shutting down (at most %.0f s)", settings.shutdown_seconds)
        stopping = True
        deadline = loop.time() + settings.shutdown_seconds
        if server is not None:
            await server.stop_listening()
        if polling is not None and not polling.done():
            await app.dispatcher.stop_polling()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(polling, timeout=max(0.1, deadline - loop.time()))
        if polling is not None:
            # aiogram's polling does not wait for the updates it handed to tasks: their
            # answers, and what they leave behind (the open card kept), come first.
            await app.under_way.finish(max(0.1, deadline - loop.time()))
        if queue is not None:  # what did not finish in time, it names
            await queue.stop(max(0.1, deadline - loop.time()))
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        await finish_background(app.dispatcher["background"], max(0.2, deadline - loop.time()))
        # A tick cut short could leave a message sent but not marked: let it finish, the
        # sender giving back what it has not begun to send.
        app.sender.stop()
        jobs.scheduler.pause()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.ticker.idle(), timeout=max(0.1, deadline - loop.time()))
        jobs.scheduler.shutdown(wait=False)
        await app.leases.release_all()
    finally:  # also when serving is cancelled
        for waiter in waiters:
            waiter.cancel()
        if server is not None:
            await server.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        gc.unfreeze()
    log.info("stopped")


async def finish_background(tasks: set[asyncio.Task[None]], seconds: float) -> None:
    """Work an update left running (an import) ends within half of ``seconds``, or is
    cancelled and given the rest to clean up: an import closes its batch as interrupted,
    what it stored kept whole, to be undone, and tells its member."""
    _done, running = await asyncio.wait(set(tasks), timeout=seconds / 2) if tasks else ((), ())
    for task in running:
        task.cancel()
    if running:
        log.info("cancelled %d background jobs (imports) still running", len(running))
        await asyncio.wait(running, timeout=seconds / 2)


def lead_routes(app: App) -> RouteAdder:
    """The website forms' endpoint (``POST /leads/<token>``) on the same server."""

    def add(web_app: web.Application) -> None:
        add_lead_routes(
            web_app,
            app.crm,
            max_body=app.settings.lead_max_body_bytes,
            rate_per_minute=app.settings.lead_rate_per_minute,
        )

    return add
