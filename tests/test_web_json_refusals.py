"""aiohttp's own 405 (a method a route has not) and 413 (a body over the server's limit) were
plain text on the lead and webhook routes; every other refusal there is
``{"ok": false, "error": ...}``. Now they are too, their headers (405's Allow) kept."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App
from bot.web.webhook import MAX_BODY, SECRET_HEADER
from tests.test_intake_web import http, new_source
from tests.test_web import PATH, SECRET, client, web_app

__all__ = ["client", "http", "web_app"]  # fixtures, used by name


async def test_a_wrong_method_on_a_lead_route_is_405_in_json(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    for method in ("GET", "PUT", "DELETE"):
        response = await http.request(method, f"/leads/{token}")
        assert response.status == 405, method
        assert "POST" in response.headers["Allow"]
        answer = await response.json()
        assert answer["ok"] is False and f"the method {method} is not allowed" in answer["error"]


async def test_the_webhook_answers_405_and_413_in_json(
    client: tuple[TestClient, object],  # type: ignore[type-arg]
) -> None:
    test_client, _queue = client
    response = await test_client.get(PATH)
    assert response.status == 405 and response.headers["Allow"] == "POST"
    assert (await response.json())["ok"] is False
    huge = b'{"update_id": 1, "x": "' + b"a" * MAX_BODY + b'"}'
    response = await test_client.post(PATH, data=huge, headers={SECRET_HEADER: SECRET})
    assert response.status == 413
    answer = await response.json()
    assert answer == {"ok": False, "error": f"the body is larger than {MAX_BODY} bytes"}
