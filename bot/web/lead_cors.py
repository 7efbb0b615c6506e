"""Website forms posting from a page's own script (``fetch``, XHR): CORS for ``/leads/``.

A browser sends a JSON body (``Content-Type: application/json``) to another site only after
asking first (``OPTIONS``, a preflight), and gives the page the answer only when the answer
allows its origin. Without both, the form's script met a network error: a JSON lead was never
sent, and a form-encoded one was stored while the page was told it failed. Any origin is
allowed: a form's address is in its page for anyone to read, so an origin check would keep
nobody out, and no cookie or credential is ever taken. The preflight is answered alike for
every token (it says nothing of which are sources'); the post then answers as it does.
"""

from __future__ import annotations

from aiohttp import web

LEADS_PREFIX = "/leads/"
PREFLIGHT_MAX_AGE = 86_400  # a browser asks again at most once a day (Chrome caps it at 2 h)
MAX_ASKED_HEADERS = 512


def allow_browsers(web_app: web.Application) -> None:
    """Answer the preflight of ``/leads/{token}``, and let pages read every answer there
    (a refusal's reason and ``Retry-After`` too)."""

    async def preflight(request: web.Request) -> web.Response:
        asked = request.headers.get("Access-Control-Request-Headers", "")[:MAX_ASKED_HEADERS]
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": asked.strip() or "Content-Type",
                "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
            },
        )

    async def allowed(request: web.Request, response: web.StreamResponse) -> None:
        if request.path.startswith(LEADS_PREFIX):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "Retry-After"

    web_app.router.add_route("OPTIONS", LEADS_PREFIX + "{token}", preflight)
    web_app.on_response_prepare.append(allowed)
