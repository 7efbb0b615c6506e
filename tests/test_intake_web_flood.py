"""Made-up tokens on POST /leads/<token>: a flood of them is held back, real forms are not."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import event

from bot.app import App
from crm.intake.sources import LeadSources
from crm.tokens import token_hash
from tests.conftest import OWNER_ID
from tests.test_intake_web import new_source, web_client


async def test_a_flood_of_made_up_tokens_is_held_back_and_a_real_form_still_gets_through(
    app: App,
) -> None:
    client = await web_client(app, rate_per_minute=5)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    try:
        token = await new_source(app)
        event.listen(app.engine.sync_engine, "before_cursor_execute", seen)
        answers = [
            await client.post(f"/leads/{secrets.token_urlsafe(18)}", json={"name": "x"})
            for _ in range(30)
        ]
        statuses = [answer.status for answer in answers]
        assert statuses == [404] * 5 + [429] * 25
        refused = answers[-1]
        assert int(refused.headers["Retry-After"]) >= 1
        assert await refused.json() == {
            "ok": False,
            "error": "too many requests to unknown lead addresses",
        }
        # Past the limit no token is looked up (the sources' tokens are read again at most
        # once a second, all of them at once, which is not a lookup of one).
        lookups = [s for s in statements if "lead_sources.token_hash IN" in s]
        assert len(lookups) == 5, statements
        assert not [s for s in statements if "lead_sources.token_hash =" in s]
        # The flood goes on; a real source's form is taken all the same, in its own bucket.
        for i in range(5):
            real = await client.post(f"/leads/{token}", json={"name": f"Анна {i}", "x": str(i)})
            assert real.status == 200
        again = await client.post(f"/leads/{token}", json={"name": "Анна 6"})
        assert (again.status, (await again.json())["error"]) == (429, "too many requests")
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", seen)
        await client.close()


async def test_tokens_that_cannot_be_read_are_tried_again_once_a_second(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database down: every made-up token's request read all the tokens again, one
    after another behind the lock, each failing with a 500; now one read a second, and the
    form goes on to the writer (here up: a made-up token is a 404)."""
    client = await web_client(app, rate_per_minute=50)
    reads = 0

    async def down(_self: LeadSources) -> frozenset[str]:
        nonlocal reads
        reads += 1
        raise ConnectionError("the database is down")

    monkeypatch.setattr(LeadSources, "token_hashes", down)
    try:
        statuses = [
            (await client.post(f"/leads/{secrets.token_urlsafe(18)}", json={"name": "x"})).status
            for _ in range(3)
        ]
    finally:
        await client.close()
    assert (statuses, reads) == ([404] * 3, 1)


async def test_a_new_source_is_known_at_once_while_made_up_tokens_are_held_back(
    app: App,
) -> None:
    """Its hash was not among those read a moment ago: while the made-up tokens' shared
    bucket was spent, the new source's first form got 429 until the next read. The process
    that makes a source (or replaces its token) now knows it at once."""
    client = await web_client(app, rate_per_minute=2)
    try:
        await new_source(app)  # the route reads the tokens at the first request
        statuses = [
            (await client.post(f"/leads/{secrets.token_urlsafe(18)}", json={"name": "x"})).status
            for _ in range(3)
        ]
        assert statuses == [404, 404, 429]
        token = await new_source(app)
        digest = token_hash(token)
        first = await client.post(f"/leads/{token}", json={"name": "Анна"})
        assert first.status == 200
        async with app.crm.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
            assert owner is not None
            [source] = [s for s in await crm.lead_sources.all(owner) if s.token_hash == digest]
            replaced = await crm.lead_sources.replace_token(owner, source.id)
        again = await client.post(f"/leads/{replaced.token}", json={"name": "Борис"})
        assert again.status == 200
        old = await client.post(f"/leads/{token}", json={"name": "Вера"})
        assert old.status == 429  # the replaced token is a made-up one now, looked up no more
    finally:
        await client.close()
