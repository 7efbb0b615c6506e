"""A website form posting from its page's own script (fetch): the browser's CORS rules."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App
from storage.models import Lead
from tests.test_intake_web import count, http, new_source, web_client

__all__ = ["http"]  # the fixture, used by name

PAGE = {"Origin": "https://shop.example"}


async def test_a_page_s_script_may_post_json_and_read_the_answer(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    """A browser asks before it posts JSON to another site, and hands the page the answer
    only when it allows the page's origin: the preflight was a 405, so no JSON lead ever came."""
    token = await new_source(app)
    asked = {**PAGE, "Access-Control-Request-Method": "POST"}
    asked["Access-Control-Request-Headers"] = "content-type"
    preflight = await http.options(f"/leads/{token}", headers=asked)
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"].lower() == "content-type"
    # Said alike of a made-up address: the preflight tells nothing of which are sources'.
    made_up = await http.options("/leads/nope", headers=asked)
    assert made_up.status == 204

    response = await http.post(f"/leads/{token}", json={"name": "Вера"}, headers=PAGE)
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert (await response.json())["ok"] is True
    assert await count(app, Lead) == 1


async def test_a_page_reads_why_its_post_was_refused(app: App) -> None:
    """The page learns the reason (400), the address being wrong (404) and when to try
    again (429 and its Retry-After), not a bare network error."""
    client = await web_client(app, rate_per_minute=1)
    try:
        token = await new_source(app)
        malformed = await client.post(
            f"/leads/{token}", data=b"{", headers={**PAGE, "Content-Type": "application/json"}
        )
        assert malformed.status == 400
        assert malformed.headers["Access-Control-Allow-Origin"] == "*"
        assert (await malformed.json())["error"].startswith("invalid JSON")
        unknown = await client.post("/leads/nope", json={"name": "Вера"}, headers=PAGE)
        assert unknown.status == 404
        assert unknown.headers["Access-Control-Allow-Origin"] == "*"
        held = await client.post(f"/leads/{token}", json={"name": "Вера"}, headers=PAGE)
        assert held.status == 429
        assert held.headers["Access-Control-Allow-Origin"] == "*"
        assert "Retry-After" in held.headers["Access-Control-Expose-Headers"]
    finally:
        await client.close()


async def test_other_routes_allow_no_other_site(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    response = await http.get("/healthz", headers=PAGE)
    assert response.status == 200
    assert "Access-Control-Allow-Origin" not in response.headers
