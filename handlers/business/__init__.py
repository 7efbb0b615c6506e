"""The Telegram Business inbox: connections, chats onto cards, replies from the card."""

from __future__ import annotations

from handlers.business import connection, inbox, reply, settings
from handlers.kit.routes import Routes

routes = Routes(__name__)
routes.include(connection.routes, inbox.routes, settings.routes, reply.routes)
