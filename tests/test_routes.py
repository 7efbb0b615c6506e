"""Filters are awaited in the event loop: aiogram would run a synchronous one in a thread."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message, Update, User

from bot.app import App
from handlers.kit.in_loop import InLoop, in_loop
from handlers.kit.routes import OBSERVERS, Routes, flat


class Flow(StatesGroup):
    waiting = State()


def _message(text: str, chat_type: str = "private") -> Message:
    from datetime import UTC, datetime

    return Message(
        message_id=1,
        date=datetime(2026, 3, 2, tzinfo=UTC),
        chat=Chat(id=1, type=chat_type),
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


def _features() -> tuple[Routes, ...]:
    """A group-only feature with its own handler and a child feature, then another one."""
    groups, child, other = Routes("groups"), Routes("child"), Routes("other")
    groups.message.filter(F.chat.type == "group")
    child_of_other = Routes("child_of_other")

    @groups.message(F.text == "x")
    async def group_x(message: Message) -> str:
        return "group x"

    @child.message(F.text.startswith("y"))
    async def child_y(message: Message) -> str:
        return "child y"

    @child.callback_query()
    async def child_press(message: Message) -> str:  # pragma: no cover - never pressed
        return "child press"

    @other.message(F.text.startswith("y"), Flow.waiting)
    async def other_waiting(message: Message) -> str:
        return "other y, waiting"

    @child_of_other.message()
    async def anything(message: Message) -> str:
        return "anything"

    groups.include(child)
    other.include(child_of_other)
    return groups, other


@pytest.mark.parametrize(
    ("text", "chat_type", "state", "expected"),
    [
        ("x", "group", None, "group x"),
        ("x", "private", None, "anything"),  # the group filter guards its handlers
        ("yes", "group", None, "child y"),
        ("yes", "private", None, "anything"),  # ... and its children's
        ("yes", "private", Flow.waiting, "other y, waiting"),
        ("yes", "group", Flow.waiting, "child y"),  # an earlier feature first
        ("z", "group", Flow.waiting, "anything"),
    ],
)
async def test_one_flat_router_answers_as_the_nested_routers_do(
    text: str, chat_type: str, state: State | None, expected: str
) -> None:
    bot = Bot("123456:flat")
    answers = []
    for routers in ([feature.build() for feature in _features()], [flat(_features())]):
        dispatcher = Dispatcher()
        dispatcher.include_routers(*routers)
        if state is not None:
            await dispatcher.fsm.storage.set_state(dispatcher.fsm.get_context(bot, 1, 1).key, state)
        update = Update(update_id=1, message=_message(text, chat_type))
        answers.append(await dispatcher.feed_update(bot, update))
    await bot.session.close()
    assert answers == [expected, expected]


def test_the_bot_has_one_router_of_features(app: App) -> None:
    """Every feature's handlers on one router (aiogram's walk of a tree of routers cost
    more than the filters it tries): none is lost on the way."""
    features, errors = app.dispatcher.sub_routers  # the errors router: bot.app's own
    assert features.sub_routers == [] and errors.name == "errors"
    declared = 0
    for routes in _every_routes():
        declared += sum(len(getattr(routes, name).handlers) for name in OBSERVERS)
    assert sum(len(observer.handlers) for observer in features.observers.values()) == declared


def _every_routes() -> list[Routes]:
    from handlers import FEATURES

    seen: list[Routes] = []
    todo = list(FEATURES)
    while todo:
        routes = todo.pop(0)
        seen.append(routes)
        todo[:0] = routes._children
    return seen


async def test_a_second_flat_router_shares_the_handlers_and_answers_the_same() -> None:
    """aiogram's handler objects are made once per features (``routes._made``): a second
    Dispatcher gets a router of its own, its own message index, and the same answers."""
    features = _features()
    first, second = flat(features), flat(features)
    assert first is not second and first.message is not second.message
    for kind in OBSERVERS:
        mine, theirs = getattr(first, kind).handlers, getattr(second, kind).handlers
        assert mine is not theirs and len(mine) == len(theirs)
        assert all(a is b for a, b in zip(mine, theirs, strict=True))
    bot = Bot("123456:flat")
    answers = []
    for router in (first, second):
        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        for text in ("x", "yes"):
            update = Update(update_id=1, message=_message(text, "group"))
            answers.append(await dispatcher.feed_update(bot, update))
    await bot.session.close()
    assert answers == ["group x", "child y"] * 2
