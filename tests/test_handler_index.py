"""The handler index of the bot's router (``handlers.kit.handler_index``): a message is
tried only against the handlers its command and dialog state let match, and every
handler it skips is one whose ``Command`` or state filter refuses the message."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, CommandStart, Filter, StateFilter
from aiogram.fsm.state import State, StatesGroup, any_state, default_state
from aiogram.types import Chat, Document, Message, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.context import gettext as aiogram_gettext
from babel.support import LazyProxy
from magic_filter import F as PlainF

from bot.app import App
from bot.offline import BOT_USERNAME
from bot.simulator import SimulatedUser
from handlers.kit.handler_index import (
    IndexedMessages,
    Key,
    command_keys,
    index_messages,
    message_key,
    state_keys,
    text_keys,
)
from handlers.kit.in_loop import in_loop


class OwnCommand(Command):
    pass


class OwnStates(StateFilter):
    pass


class Holding(Filter):
    """A filter with a ``wrapped`` of its own meaning."""

    def __init__(self, wrapped: object) -> None:
        self.wrapped = wrapped

    async def __call__(self, message: Message) -> bool:  # pragma: no cover - never called
        return True


def _message(text: str | None = None, caption: str | None = None) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 3, 2, tzinfo=UTC),
        chat=Chat(id=1, type="private"),
        from_user=User(id=1, is_bot=False, first_name="A"),
        text=text,
        caption=caption,
        document=Document(file_id="f", file_unique_id="u") if caption is not None else None,
    )


@pytest.mark.parametrize(
    ("text", "caption", "expected"),
    [
        ("/find Иван", None, ("/", "find")),
        ("/Find@kartoteka_bot Иван", None, ("/", "find")),
        ("  /help  ", None, ("/", "help")),
        ("/", None, ("/", "")),
        ("Иван Петров", None, ("И", "ван")),  # not a command: no handler has it
        ("   ", None, None),
        (None, "/import", ("/", "import")),
        (None, "", None),
    ],
)
def test_a_message_is_keyed_by_its_first_word(
    text: str | None, caption: str | None, expected: Key | None
) -> None:
    assert message_key(_message(text, caption)) == expected


def _handler(*filters: object) -> HandlerObject:
    router = Router()
    router.message.register(lambda message: None, *map(in_loop, filters))
    return router.message.handlers[0]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), None),
        ((Command("find"),), {("/", "find")}),
        ((Command("a", "b", prefix="/!"),), {("/", "a"), ("/", "b"), ("!", "a"), ("!", "b")}),
        ((Command("Deal", ignore_case=True),), {("/", "deal")}),
        ((Command("a", "b"), Command("b", "c")), {("/", "b")}),  # both must pass
        ((Command(re.compile(r"item_\d+")),), None),  # a pattern narrows nothing
        ((Command(re.compile(r"x")), Command("x")), {("/", "x")}),
        ((CommandStart(),), {("/", "start")}),
        ((OwnCommand("x"),), None),  # a subclass may match otherwise
    ],
)
def test_a_handler_is_keyed_by_the_commands_it_accepts(
    filters: tuple[object, ...], expected: set[Key] | None
) -> None:
    assert command_keys(_handler(*filters)) == expected


class Flow(StatesGroup):
    one = State()
    two = State()


class Other(StatesGroup):
    three = State()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), None),
        ((Flow.one,), {"Flow:one"}),
        ((any_state,), None),
        ((default_state,), {None}),
        ((Flow(),), {"Flow:one", "Flow:two"}),
        ((Flow,), None),  # a bare class is no filter aiogram can call: left to fail as it does
        ((StateFilter(None, Other.three),), {None, "Other:three"}),
        ((StateFilter("Flow:two", Flow),), {"Flow:one", "Flow:two"}),
        ((StateFilter("*"),), None),
        ((StateFilter(Flow.one, any_state),), None),
        ((StateFilter(Flow), Flow.two), {"Flow:two"}),  # both must pass
        ((~StateFilter(Flow.one),), None),  # a refusal of states narrows nothing
        ((Holding(Flow.one),), None),  # only InLoop is looked into
        ((OwnStates(Flow.one),), None),  # a subclass may match otherwise
        ((Command("x"),), None),
    ],
)
def test_a_handler_is_keyed_by_the_states_it_accepts(
    filters: tuple[object, ...], expected: set[str | None] | None
) -> None:
    assert state_keys(_handler(*filters)) == expected


CLIENTS = __("📇 Clients")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), None),
        ((F.text == "Да",), {"Да"}),
        ((PlainF.text == "Да",), {"Да"}),  # magic_filter's own F as well
        ((F.text == CLIENTS,), {"📇 Clients", "📇 Клиенты"}),  # every language, and untranslated
        ((F.text == "a", F.text == "b"), set()),  # both must pass: no text does
        ((F.text == "a", Command("x")), {"a"}),
        ((F.text != "a",), None),
        ((F.caption == "a",), None),
        ((F.text.lower() == "a",), None),
        ((F.text.in_({"a", "b"}),), None),
        ((~(F.text == "a"),), None),
        ((F.text == F.caption,), None),  # not a text known beforehand
        ((Holding(F.text == "a"),), None),  # only InLoop is looked into
    ],
)
def test_a_handler_is_keyed_by_the_texts_it_accepts(
    i18n: I18n, filters: tuple[object, ...], expected: set[str] | None
) -> None:
    assert text_keys(_handler(*filters), i18n) == expected


def test_a_translated_text_narrows_nothing_without_the_translations() -> None:
    assert text_keys(_handler(F.text == CLIENTS), None) is None


def test_a_lazy_text_that_is_not_aiogram_s_gettext_narrows_nothing(i18n: I18n) -> None:
    kept_once = LazyProxy(aiogram_gettext, "📇 Clients")  # babel's default: read once, kept
    other = LazyProxy(lambda: "📇 Clients", enable_cache=False)
    assert text_keys(_handler(F.text == kept_once), i18n) is None
    assert text_keys(_handler(F.text == other), i18n) is None


def test_a_language_without_the_translation_sees_the_source_text(i18n: I18n) -> None:
    only_russian = copy.copy(i18n)
    only_russian.locales = {"ru": i18n.locales["ru"]}
    assert text_keys(_handler(F.text == CLIENTS), only_russian) == {"📇 Clients", "📇 Клиенты"}


@pytest.fixture
def i18n(app: App) -> I18n:
    return app.i18n


def _observer(app: App) -> IndexedMessages:
    router = app.dispatcher.sub_routers[0]  # the features (the errors router is next)
    assert isinstance(router.message, IndexedMessages)
    return router.message


def _commands(observer: IndexedMessages) -> list[str]:
    found = {key[1] for handler in observer.handlers for key in command_keys(handler) or ()}
    assert len(found) > 15
    return sorted(found)


def _states(observer: IndexedMessages) -> list[str | None]:
    found = {state for handler in observer.handlers for state in state_keys(handler) or ()}
    assert len(found) > 30
    return [None, "Gone:state", *sorted(s for s in found if s is not None)]


def _variants(command: str) -> list[tuple[str | None, str | None]]:
    return [
        (f"/{command}", None),
        (f"/{command.upper()} x", None),
        (f"/{command}@{BOT_USERNAME} x", None),
        (f"/{command}@other_bot", None),
        (None, f"/{command}"),
    ]


_PLAIN = [("/nothing", None), ("Иван", None), ("📇 Клиенты", None), (None, "x"), (None, None)]
_MENU = ["📇 Clients", "📇 Клиенты", "❓ Help", "❓ Помощь", "💼 Сделки", "⚙️ Settings", "Отмена"]


async def _refused(handler: HandlerObject, message: Message, state: str | None, app: App) -> bool:
    """Whether one of the handler's command or state filters refuses the message."""
    for filter_ in handler.filters or ():
        check = filter_.callback
        if isinstance(check, Command) and not await check(message, app.bot):
            return True
        inner = getattr(check, "wrapped", check)
        is_state = isinstance(inner, State | StateFilter) or (
            isinstance(inner, type) and issubclass(inner, StatesGroup)
        )
        if is_state and not await check(message, raw_state=state):
            return True
        if _on_text(inner) and not [
            locale for locale in ("ru", "en", "de") if await _in(app, locale, check, message)
        ]:
            return True  # a filter of the text refusing it in every language
    return False


def _on_text(check: object) -> bool:
    operations: tuple[Any, ...] = getattr(check, "_operations", ())
    return bool(operations) and getattr(operations[0], "name", None) == "text"


async def _in(app: App, locale: str, check: Any, message: Message) -> bool:
    with app.i18n.context(), app.i18n.use_locale(locale):
        return bool(await check(message))


async def test_every_handler_the_index_skips_refuses_the_message(app: App) -> None:
    observer = _observer(app)
    states = _states(observer)
    some = states[:3]
    cases = [(t, c, s) for cmd in _commands(observer) for t, c in _variants(cmd) for s in some]
    cases += [(t, c, s) for t, c in [*_PLAIN, ("/find x", None)] for s in states]
    cases += [(text, None, s) for text in _MENU for s in some]
    for text, caption, state in cases:
        message = _message(text, caption)
        with app.i18n.context():  # as in a dispatch: the menu's texts in every language
            candidates = observer.candidates(message, state)
        for handler in observer.handlers:
            if handler not in candidates:
                assert await _refused(handler, message, state, app), (text, state, handler.callback)


def test_a_command_outside_dialogs_is_tried_against_few_handlers(app: App) -> None:
    observer = _observer(app)
    candidates = observer.candidates(_message("/find Иван"), None)
    assert len(candidates) < len(observer.handlers) / 5
    assert all(command_keys(h) in (None, {("/", "find")}) for h in candidates)
    assert all(state_keys(h) is None or None in (state_keys(h) or ()) for h in candidates)
    assert any(command_keys(h) == {("/", "find")} for h in candidates)


def test_a_menu_button_is_tried_against_its_own_text_s_handlers_only(app: App) -> None:
    observer = _observer(app)
    for text in ("📇 Clients", "📇 Клиенты", "Иван Петров"):
        with app.i18n.context():
            candidates = observer.candidates(_message(text), None)
        texts = [text_keys(h, app.i18n) for h in candidates]
        assert all(t is None or text in t for t in texts), text
        assert any(t is not None for t in texts) == text.startswith("📇")


def test_a_router_is_indexed_before_anything_is_put_on_its_messages() -> None:
    router = Router()
    router.message.register(lambda message: None)
    with pytest.raises(RuntimeError):
        index_messages(router)
    filtered = Router()
    filtered.message.filter(in_loop(F.chat.type == "group"))
    with pytest.raises(RuntimeError):
        index_messages(filtered)


async def test_the_bot_tries_a_command_against_its_candidates_only(
    app: App, owner: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[HandlerObject] = []
    check = HandlerObject.check

    async def counted(self: HandlerObject, *args: Any, **kwargs: Any) -> Any:
        checked.append(self)
        return await check(self, *args, **kwargs)

    monkeypatch.setattr(HandlerObject, "check", counted)
    [answer] = await owner.send("/find никого-такого")
    assert "никого-такого" in answer.text
    observer = _observer(app)
    # (Also checked: the dispatcher's own update handler and the router's root filters.)
    tried = [
        h for h in checked if any(h is message_handler for message_handler in observer.handlers)
    ]
    candidates = observer.candidates(_message("/find никого-такого"), None)
    assert all(any(h is c for c in candidates) for h in tried)
    assert 0 < len(tried) < len(observer.handlers) / 5
