"""Records, custom fields and links: the team's own record types and cards, the owner's
fields on every kind of card, and links between any two cards."""

from __future__ import annotations

from handlers.kit.routes import Routes
from handlers.records import (
    cards,
    files,
    links,
    manager,
    record_lists,
    settings,
    settings_edits,
    values,
)

routes = Routes(__name__)
routes.include(
    settings.routes,
    settings_edits.routes,
    cards.routes,
    files.routes,
    manager.routes,
    record_lists.routes,
    values.routes,
    links.routes,
)
