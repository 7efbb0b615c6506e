"""Automation in Telegram: the owner's rules under /settings, the rule builder, and how
firings read."""

from __future__ import annotations

from handlers.automation import builder, builder_actions, builder_start, rule_actions
from handlers.automation.rules import routes

routes.include(rule_actions.routes, builder_start.routes, builder.routes, builder_actions.routes)

__all__ = ["routes"]
