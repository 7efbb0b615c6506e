"""Filters are awaited in the event loop: aiogram would run a synchronous one in a thread."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message, User

from bot.app import App
from handlers.kit.routes import InLoop, in_loop


class Flow(StatesGroup):
    waiting = State()


def _message(text: str) -> Message:
    from datetime import UTC, datetime

    return Message(
        message_id=1,
        date=datetime(2026, 3, 2, tzinfo=UTC),
        chat=Chat(id=1, type="private"),
        from_user=User(id=1, is_bot=False, first_name="A"),
        text=text,
    )


def _long(message: Message) -> bool:
    return len(message.text or "") > 3


def _with_state(message: Message, raw_state: str | None) -> bool:
    return raw_state == Flow.waiting.state


@pytest.mark.parametrize(
    ("check", "text", "kwargs", "expected"),
    [
        (F.text == "hi", "hi", {}, True),
        (F.text == "hi", "bye", {}, False),
        (F.text.startswith("/"), "/x", {}, True),
        (_long, "long", {"bot": object()}, True),
        (_long, "no", {}, False),
        (_with_state, "x", {"raw_state": "Flow:waiting", "bot": object()}, True),
        (Flow.waiting, "x", {"raw_state": "Flow:waiting"}, True),
        (Flow.waiting, "x", {"raw_state": None}, False),
    ],
)
async def test_a_synchronous_filter_answers_the_same_when_awaited(
    check: Any, text: str, kwargs: dict[str, Any], expected: bool
) -> None:
    wrapped = in_loop(check)
    assert isinstance(wrapped, InLoop)
    assert bool(await wrapped(_message(text), **kwargs)) is expected


def _filters(router: Router) -> list[Any]:
    found = []
    for observer in router.observers.values():
        found += observer._handler.filters or []
        for handler in observer.handlers:
            found += handler.filters or []
    for child in router.sub_routers:
        found += _filters(child)
    return found


def test_no_filter_of_the_bot_runs_in_a_thread(app: App) -> None:
    filters = _filters(app.dispatcher)
    assert len(filters) > 100
    threaded = [f.callback for f in filters if not f.awaitable]
    assert threaded == []
