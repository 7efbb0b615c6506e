"""Leads that come in by themselves: the incoming queue and the owner's lead sources."""

from __future__ import annotations

from handlers.intake import incoming, sources
from handlers.kit.routes import Routes

routes = Routes(__name__)
routes.include(incoming.routes, sources.routes)
