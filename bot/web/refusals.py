"""The server's refusals, and a database that fails answered 503 for every route.

A refusal is ``{"ok": false, "error": <reason>}`` with its status. A request whose
database work fails because the database is away, locked past its wait or
overloaded (not for what was sent, nor for a bug) is answered ``503 Service
Unavailable`` with ``Retry-After`` by ``database_failures``, the server's
middleware: each write is one transaction, so nothing of the request was stored,
and the same request sent again later is taken. Under a flood of such requests the log
keeps to the first traceback and a count (``bot.web.outage_log``). Any other exception
stays aiohttp's 500 (logged by aiohttp with its traceback).
"""

from __future__ import annotations

import logging
import sqlite3

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from sqlalchemy import exc

from bot.web.outage_log import OutageLog
from storage.engine import DatabaseGone

log = logging.getLogger(__name__)

# Long enough for a dropped connection to be made again, a lock to be let go or a
# restarting database to be back; short enough that a form poster's retry comes soon.
RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = "the database is unavailable, try again later"

# SQLSTATE classes of a database that is away or overloaded, not of a wrong statement:
# 08 connection exception, 40 transaction rollback (serialization failure, deadlock),
# 53 insufficient resources (disk full, too many connections), 57 operator intervention
# (shutting down, starting up, a statement timeout), 55P03 lock not available.
_UNAVAILABLE_SQLSTATES = ("08", "40", "53", "57", "55P03")
# SQLite's operational errors of a database busy or out of reach, not of a wrong schema
# ("no such table": a missed migration is a 500, as on PostgreSQL, not a 503 forever).
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "disk is full")
_UNAVAILABLE = (
    exc.OperationalError,  # PEP 249: the database's operation (SQLite's: see above)
    exc.InterfaceError,  # the driver lost its connection
    exc.TimeoutError,  # no connection free in the pool in time
    exc.DisconnectionError,
    DatabaseGone,
)


# How long a request's body may take to arrive, all of it. aiohttp waits for as many bytes
# as Content-Length says, without end: a caller that says more than it sends (or sends a
# byte now and then) would hold its connection, and the handler, for ever.
BODY_SECONDS = 10.0
BODY_TIMED_OUT = "the body did not arrive in time (fewer bytes than its Content-Length says?)"


def refuse(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status, headers=headers)


def retry_after() -> dict[str, str]:
    """The header of every 503 (and of a ``/readyz`` that is not ready): when to ask again."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def unavailable(reason: str) -> web.Response:
    """503 with ``Retry-After``: the request was not taken, and the same one sent again
    in a few seconds may be (a database back, a queue reachable, another instance up)."""
    return refuse(503, reason, retry_after())


def body_timed_out() -> web.Response:
    """408, and the connection closed: what is left of the body is not waited for."""
    response = refuse(408, BODY_TIMED_OUT)
    response.force_close()
    return response


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error``, or one it was raised from or while handling, is the database
    being unavailable. A write cut off mid-way can surface as SQLAlchemy's complaint
    about the dead transaction, raised while the drop itself was being handled."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if _unavailable(link):
            return True
        link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)
    return False


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, exc.OperationalError) and isinstance(error.orig, sqlite3.Error):
        return any(mark in str(error.orig).lower() for mark in _SQLITE_UNAVAILABLE)
    if isinstance(error, _UNAVAILABLE):
        return True
    if isinstance(error, exc.DBAPIError):
        state = getattr(error.orig, "sqlstate", None)
        return error.connection_invalidated or (
            isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES)
        )
    # Refused, unreachable, timed out: the driver's own error while the pool connected,
    # which SQLAlchemy passes on as it is.
    return isinstance(error, OSError) and _raised_in_sqlalchemy(error)


def _raised_in_sqlalchemy(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_globals.get("__name__", "").startswith("sqlalchemy."):
            return True
        frame = frame.tb_next
    return False


def database_failures(outages: OutageLog) -> Middleware:
    """The server's middleware: a failing database answered 503 with ``Retry-After``, and
    told to ``outages`` (its first traceback, then counted); anything else as it was."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as error:
            if not database_unavailable(error):
                raise
            # The route's pattern, not the path: a form's path holds its source's secret.
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "?"
            outages.failed(f"{request.method} {route}", error)
            return unavailable(DATABASE_UNAVAILABLE)

    return middleware


@web.middleware
async def json_refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own 405 (a method the route has not) and 413 (a body over the server's
    ``client_max_size``) in the ``{"ok": false, "error": ...}`` form of every other refusal,
    not its plain text; their headers (405's ``Allow``) kept."""
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed as error:
        allowed = ", ".join(sorted(error.allowed_methods))
        reason = f"the method {request.method[:20]} is not allowed here; allowed: {allowed}"
        return _as_refusal(error, reason)
    except web.HTTPRequestEntityTooLarge as error:
        return _as_refusal(error, f"the body is larger than {request.client_max_size} bytes")


def _as_refusal(error: web.HTTPException, reason: str) -> web.Response:
    dropped = ("content-type", "content-length")  # of the plain text replaced
    headers = {k: v for k, v in error.headers.items() if k.lower() not in dropped}
    return refuse(error.status, reason, headers)
