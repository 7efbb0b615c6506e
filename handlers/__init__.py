"""Telegram UI, reactive: one Router per feature."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    """The feature routers in the order they must see updates (the fallback last).

    Routers are module-level, as is usual in aiogram, and a router belongs to
    one parent. A process that builds a second Dispatcher (the tests build one
    per test) takes them over: they hold no state, only handler functions.
    """
    from handlers import (
        cancel,
        client_card,
        client_edit,
        client_new,
        client_notes,
        client_search,
        clients_list,
        deal_card,
        deal_new,
        deals_overview,
        digest,
        digest_settings,
        fallback,
        groups,
        invites,
        pipeline_reasons,
        pipeline_settings,
        report,
        settings,
        start,
        task_actions,
        task_new,
        tasks_list,
        team,
    )

    routers = [
        # Group chats first: a member's command there is answered in private.
        groups.router,
        cancel.router,
        start.router,
        invites.router,
        team.router,
        settings.router,
        pipeline_settings.router,
        pipeline_reasons.router,
        digest_settings.router,
        client_new.router,
        clients_list.router,
        client_search.router,
        client_card.router,
        client_edit.router,
        deal_new.router,
        deal_card.router,
        deals_overview.router,
        digest.router,
        task_new.router,
        task_actions.router,
        tasks_list.router,
        report.router,
        # Plain text and files with no dialog open: notes on the open card, or a search.
        client_notes.router,
        fallback.router,
    ]
    for router in routers:
        router._parent_router = None
    return routers
