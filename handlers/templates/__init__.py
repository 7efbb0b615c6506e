"""Templates in Telegram: the owner's /settings → Templates, and "📨 Send" on a card."""

from __future__ import annotations

from handlers.kit.routes import Routes
from handlers.templates import manage, replace, send

routes = Routes(__name__)
routes.include(manage.routes, replace.routes, send.routes)

__all__ = ["routes"]
