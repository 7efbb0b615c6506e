"""Automation in Telegram: the owner's rules under /settings, and how firings read."""

from __future__ import annotations

from handlers.automation.rules import routes

__all__ = ["routes"]
