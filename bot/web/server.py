"""The aiohttp server inside the bot process, and its start and stop."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot import messages
from bot.app import App
from bot.guards import SetupError
from bot.web.health import healthz, readyz_route
from bot.web.metrics import metrics_route
from bot.web.outage_log import OutageLog
from bot.web.refusals import database_failures, json_refusals
from bot.web.refusals import log as refusals_log
from bot.web.webhook import MAX_BODY, Intake, webhook_route

log = logging.getLogger(__name__)

RouteAdder = Callable[[web.Application], None]
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"


def webhook_path(webhook_url: str | None) -> str:
    """The path Telegram posts to: the path of WEBHOOK_URL (the proxy keeps it)."""
    path = urlsplit(webhook_url).path if webhook_url else ""
    return path if path not in ("", "/") else DEFAULT_WEBHOOK_PATH


def build_web_app(
    app: App,
    *,
    intake: Intake | None = None,
    stopping: Callable[[], bool] = lambda: False,
    route_adders: tuple[RouteAdder, ...] = (),
) -> web.Application:
    """Health, metrics and (with ``intake``) the Telegram webhook.

    ``route_adders`` add the routes of other features (the lead intake's
    ``add_lead_routes``); each gets the application before it starts. On every
    route, a database that fails is answered 503 with ``Retry-After`` (and logged
    as ``bot.web.outage_log`` says).
    """
    outages = OutageLog(refusals_log)
    web_app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[json_refusals, database_failures(outages)],
        # Bodies as they came: each route undoes their Content-Encoding (bot.web.body_encoding)
        # and refuses a coding it does not read in its own words, not aiohttp's plain 400.
        handler_args={"auto_decompress": False},
    )

    async def tell_outages(_: web.Application) -> None:
        outages.tell()  # what was counted and not yet told, before the server is gone

    web_app.on_cleanup.append(tell_outages)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz_route(app.engine, app.redis, stopping))
    web_app.router.add_get("/metrics", metrics_route(app.crm))
    if intake is not None:
        secret = app.settings.webhook_secret
        if secret is None:
            raise ValueError("webhook mode needs WEBHOOK_SECRET")
        web_app.router.add_post(
            webhook_path(app.settings.webhook_url),
            webhook_route(intake, secret.get_secret_value(), stopping),
        )
    # Routes of other features go here (at merge: the lead intake's add_lead_routes).
    for add_routes in route_adders:
        add_routes(web_app)
    return web_app


def check_port(host: str, port: int) -> None:
    """A SetupError naming WEB_PORT when the HTTP server could not listen there: told
    before the bot announces itself to anyone."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        raise SetupError(
            messages.port_unavailable(host, port, error.strerror or str(error))
        ) from error


class WebServer:
    """Runs ``web_app`` on host:port until ``stop``."""

    def __init__(self, web_app: web.Application, host: str, port: int) -> None:
        self._runner = web.AppRunner(web_app, access_log=None)
        self._host = host
        self._port = port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        try:
            await site.start()
        except OSError as error:  # the port taken since ``check_port`` (or never checked)
            await self._runner.cleanup()
            raise SetupError(
                messages.port_unavailable(self._host, self._port, error.strerror or str(error))
            ) from error
        log.info("HTTP server listening on %s:%s", self._host, self._port)

    async def stop_listening(self) -> None:
        """Take no new connections (the proxy sends them elsewhere); the rest keeps running."""
        for site in list(self._runner.sites):
            await site.stop()

    async def stop(self) -> None:
        await self._runner.cleanup()
