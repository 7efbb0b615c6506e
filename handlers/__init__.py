"""Telegram UI, reactive: one Router per feature."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    """The feature routers in the order they must see updates (the fallback last)."""
    from handlers import cancel, fallback, invites, settings, start, team

    return [
        cancel.router,
        start.router,
        invites.router,
        team.router,
        settings.router,
        fallback.router,
    ]
