"""A database that fails while the HTTP server stores a lead: 503 with Retry-After, nothing
half-written, the failure logged; a bug stays a 500. Through aiohttp's test client."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import exc, text
from sqlalchemy.exc import DBAPIError, OperationalError

import storage.engine
from bot.app import App
from bot.web import outage_log
from bot.web.refusals import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS
from crm.clock import ManualClock
from crm.intake.batch import BatchIntake
from crm.intake.drafts import LeadDraft
from crm.intake.leads import LeadIntake
from crm.intake.sources import LeadSources
from crm.tokens import token_hash
from storage.models import Client, ClientPhone, Deal, Event, Lead, OutboxMessage
from tests.conftest import OWNER_ID, app_with
from tests.test_intake_web import count, new_source, web_client, write_at_once

Http = TestClient[web.Request, web.Application]
STORED = (Client, ClientPhone, Deal, Event, Lead, OutboxMessage)
LEAD = {"name": "Иван", "phone": "+7 999 123-45-67", "comment": "Перезвоните"}


@pytest.fixture
async def http(app: App) -> AsyncIterator[Http]:
    client = await web_client(app)
    yield client
    await client.close()


def locked() -> OperationalError:
    return OperationalError("INSERT", {}, Exception("database is locked"))


async def stored(app: App) -> list[int]:
    return [await count(app, model) for model in STORED]


def fail_after_the_rows(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """The lead's last write (its notices) fails: the card, deal, lead and timeline
    lines are written by then, in the same transaction."""

    async def notify(*_: Any) -> None:
        raise error

    monkeypatch.setattr(BatchIntake, "_notify", notify)


async def assert_unavailable(response: Any) -> None:
    assert response.status == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert await response.json() == {"ok": False, "error": DATABASE_UNAVAILABLE}


async def test_a_database_failure_storing_a_lead_is_503_and_leaves_nothing(
    app: App, http: Http, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    token = await new_source(app, assign="member", member_ids=(OWNER_ID,), open_deal=True)
    before = await stored(app)
    with monkeypatch.context() as patch:
        fail_after_the_rows(patch, locked())
        with caplog.at_level(logging.ERROR, logger="bot.web"):
            await assert_unavailable(await http.post(f"/leads/{token}", json=LEAD))
    assert await stored(app) == before
    [record] = [r for r in caplog.records if r.name == "bot.web.refusals"]
    assert record.exc_info is not None and record.exc_info[0] is OperationalError
    assert "POST /leads/{token}" in record.getMessage()
    assert token not in caplog.text  # the source's secret stays out of the log
    # The form's retry, the database back, is taken.
    retried = await http.post(f"/leads/{token}", json=LEAD)
    assert retried.status == 200, await retried.text()
    assert await count(app, Lead) == 1


def told(caplog: pytest.LogCaptureFixture) -> tuple[int, list[int]]:
    """The tracebacks logged, and the counts the summary lines told."""
    records = [r for r in caplog.records if r.name == "bot.web.refusals"]
    tracebacks = sum(1 for r in records if r.exc_info is not None)
    counts = [
        int(re.match(r"(\d+) more requests answered 503", r.getMessage())[1])  # type: ignore[index]
        for r in records
        if r.exc_info is None
    ]
    return tracebacks, counts


async def test_a_flood_the_database_fails_logs_one_traceback_and_then_counts(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Each request still gets its 503 with Retry-After; the log gets the first failure's
    traceback and a line counting the rest (every ``SUMMARY_SECONDS``, and at the stop)."""
    # Long enough that a request on a loaded machine (PostgreSQL, load 10: over a second
    # each) is not taken for the end of the outage; the sleeps are just past it.
    monkeypatch.setattr(outage_log, "SUMMARY_SECONDS", 3.0)
    token = await new_source(app, open_deal=True)
    client = await web_client(app)
    try:
        fail_after_the_rows(monkeypatch, locked())
        with caplog.at_level(logging.ERROR, logger="bot.web"):
            for _ in range(20):
                await assert_unavailable(await client.post(f"/leads/{token}", json=LEAD))
            assert told(caplog)[0] == 1
            await asyncio.sleep(3.2)  # the summary's time (a slow machine may have split it)
            tracebacks, counts = told(caplog)
            assert (tracebacks, sum(counts)) == (1, 19), counts
            summary = [r for r in caplog.records if r.exc_info is None][-1]
            assert "OperationalError" in summary.getMessage()
            assert "POST /leads/{token}" in summary.getMessage()
            assert token not in caplog.text
            await asyncio.sleep(3.1)  # quiet for a while: the next failure is a new outage
            for _ in range(3):
                await assert_unavailable(await client.post(f"/leads/{token}", json=LEAD))
    finally:
        await client.close()  # what was counted is told before the server goes
    tracebacks, later = told(caplog)
    assert (tracebacks, later[: len(counts)], later[len(counts) :]) == (2, counts, [2])


async def test_another_kind_of_failure_in_an_outage_logs_its_own_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outages = outage_log.OutageLog(logging.getLogger("bot.web.refusals"))
    no_connection = exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached")
    with caplog.at_level(logging.ERROR, logger="bot.web"):
        for error in (locked(), locked(), no_connection, locked(), no_connection):
            outages.failed("POST /leads/{token}", error)
        outages.tell()
    assert told(caplog) == (2, [3])
    assert "OperationalError (Exception) ×2, TimeoutError ×1" in caplog.records[-1].getMessage()


async def test_a_bug_storing_a_lead_stays_a_500(
    app: App, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await new_source(app, open_deal=True)
    before = await stored(app)
    fail_after_the_rows(monkeypatch, RuntimeError("a bug"))
    response = await http.post(f"/leads/{token}", json=LEAD)
    assert response.status == 500
    assert "Retry-After" not in response.headers
    assert await stored(app) == before


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("database is locked", 503),
        ("unable to open database file", 503),
        ("no such table: leads", 500),  # a missed migration: no retry mends it
        ("no such column: leads.payload", 500),
    ],
)
async def test_sqlite_says_which_of_its_failures_a_retry_may_mend(
    app: App, http: Http, monkeypatch: pytest.MonkeyPatch, message: str, status: int
) -> None:
    token = await new_source(app, open_deal=True)
    error = OperationalError("INSERT", {}, sqlite3.OperationalError(message))
    fail_after_the_rows(monkeypatch, error)
    response = await http.post(f"/leads/{token}", json=LEAD)
    assert response.status == status


async def test_a_database_failure_checking_the_token_of_a_malformed_body_is_503(
    app: App, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await new_source(app)

    async def by_token(*_: Any) -> None:
        raise locked()

    monkeypatch.setattr(LeadSources, "by_token", by_token)
    response = await http.post(
        f"/leads/{token}", data=b"{", headers={"Content-Type": "application/json"}
    )
    await assert_unavailable(response)


async def test_a_batch_meeting_an_unavailable_database_fails_at_once(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not each lead again on its own: each would wait out the same lock in turn."""
    token = await new_source(app)
    calls = []

    async def accept_many(_: LeadIntake, drafts: list[LeadDraft]) -> None:
        calls.append(len(drafts))
        raise locked()

    monkeypatch.setattr(LeadIntake, "accept_many", accept_many)
    drafts = [LeadDraft(token_hash(token), f"b:{i}", name=f"N{i}") for i in range(4)]
    outcomes = await write_at_once(app, drafts)
    assert all(isinstance(outcome, OperationalError) for outcome in outcomes), outcomes
    assert calls == [4]


async def test_sqlite_locked_past_its_wait_is_503(
    backend: str, database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own "database is locked": another process holds the write lock."""
    if backend != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(storage.engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    async with app_with(database_url, clock) as app:
        token = await new_source(app, open_deal=True)
        before = await stored(app)
        client = await web_client(app)
        holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            await assert_unavailable(await client.post(f"/leads/{token}", json=LEAD))
            holder.execute("ROLLBACK")
            assert await stored(app) == before
            assert (await client.post(f"/leads/{token}", json=LEAD)).status == 200
        finally:
            holder.close()
            await client.close()


@pytest.mark.parametrize("drop", ["before the notices", "before the commit"])
async def test_a_postgresql_connection_dropped_mid_write_is_503(
    backend: str,
    app: App,
    http: Http,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    drop: str,
) -> None:
    """The server ends the connection once the card, deal and lead are written: the
    next statement, or the commit, meets it dropped."""
    if backend != "postgres":
        pytest.skip("PostgreSQL's connections")
    token = await new_source(app, open_deal=True)
    before = await stored(app)
    notify = BatchIntake._notify

    async def dropped(intake: BatchIntake, *args: Any) -> None:
        if drop == "before the commit":
            await notify(intake, *args)
        pid = await intake._session.scalar(text("SELECT pg_backend_pid()"))
        async with app.engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await other.commit()
        if drop == "before the notices":
            await notify(intake, *args)

    monkeypatch.setattr(BatchIntake, "_notify", dropped)
    with caplog.at_level(logging.ERROR, logger="bot.web"):
        await assert_unavailable(await http.post(f"/leads/{token}", json=LEAD))
    monkeypatch.undo()
    [record] = [r for r in caplog.records if r.name == "bot.web.refusals"]
    assert record.exc_info is not None
    # The drop itself, not SQLAlchemy's complaint about the transaction it left.
    assert isinstance(record.exc_info[1], DBAPIError), record.exc_info[1]
    assert record.exc_info[1].connection_invalidated
    assert await stored(app) == before
    assert (await http.post(f"/leads/{token}", json=LEAD)).status == 200
