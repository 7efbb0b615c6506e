"""Messages tried only against the handlers their command, dialog state and text let match.

aiogram tries a router's handlers one by one, each with its filters, until one
matches. On the bot's one router (``flat``) a ``/find`` was checked against ~70
handlers first (most of them dialog steps, each refusing it for its state, and
every ``Command`` parsing the text again): about a tenth of the event loop's
time for the update. Three kinds of filter say up front which messages can pass:

* a ``Command`` of plain commands: only a text (or caption) whose first word is
  one of them, with one of its prefixes;
* a dialog state (a ``State``, a ``StatesGroup``, a ``StateFilter``): only a
  message from a chat in one of those states;
* ``F.text == X`` (a menu button): only a message whose text is ``X``, in any of
  the bot's languages when ``X`` is translated (``__()``).

``IndexedMessages`` keys each message by its first word (if a handler has it as
a command), its chat's state and its text (if a handler is for that text), and
tries, in the same order, only the handlers whose commands, states and texts
admit that key. Skipping the others changes nothing but time: one of their
filters would refuse the message, and the filters before it in the handler are
not run (ours only test the message, with no side effects). Only aiogram's own
``Command``, ``CommandStart``, ``State``, ``StatesGroup`` and ``StateFilter`` (as
themselves or in ``InLoop``), and magic_filter's ``F.text == X`` in ``InLoop``
with ``X`` a text or aiogram's lazy translation (``__()``), narrow; a ``Command``
with a regular expression, a ``"*"`` state, an inverted or combined filter narrow
nothing. ``trigger`` is aiogram 3's ``TelegramEventObserver.trigger`` over the
candidates.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from inspect import isclass
from typing import Any, TypeVar

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED, SkipHandler
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, TelegramObject
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.context import gettext as lazy_source
from aiogram.utils.magic_filter import MagicFilter as AiogramMagicFilter
from babel.support import LazyProxy
from magic_filter import MagicFilter
from magic_filter.operations import ComparatorOperation, GetAttributeOperation

from handlers.kit.in_loop import InLoop

K = TypeVar("K")
Key = tuple[str, str]
"""A command as a message begins with it: (prefix, command casefolded)."""
_OTHER = object()
"""Any command, state or text no handler names (all such are admitted alike)."""
_MAGIC = (MagicFilter, AiogramMagicFilter)  # exactly these: ``F`` is aiogram's
_NO_LANGUAGE = "-"
"""A locale the bot has no translations for: a lazy text is its source text there."""


def message_key(message: TelegramObject) -> Key | None:
    """The command ``message`` would begin with, read as ``Command`` reads it."""
    if not isinstance(message, Message):
        return None
    words = (message.text or message.caption or "").split(maxsplit=1)
    if not words:
        return None
    return words[0][0], words[0][1:].partition("@")[0].casefold()


def _narrowed(known: frozenset[Any] | None, more: frozenset[Any] | None) -> frozenset[Any] | None:
    if more is None:
        return known
    return more if known is None else known & more


def command_keys(handler: HandlerObject) -> frozenset[Key] | None:
    """The commands a message must begin with for ``handler`` to match; ``None``: any."""
    keys: frozenset[Key] | None = None
    for filter_ in handler.filters or ():
        check = filter_.callback
        # Exactly aiogram's own: a subclass may read or match commands otherwise.
        if type(check) not in (Command, CommandStart):
            continue
        assert isinstance(check, Command)
        if all(isinstance(c, str) for c in check.commands):
            own = frozenset((p, str(c).casefold()) for p in check.prefix for c in check.commands)
            keys = _narrowed(keys, own)
    return keys


def _states_of(allowed: Any, in_state_filter: bool = False) -> frozenset[str | None] | None:
    """The states ``allowed`` (a filter, or one of a ``StateFilter``'s states) admits;
    ``None``: any, or a filter this does not know (it narrows nothing)."""
    if type(allowed) is State:
        return None if allowed.state == "*" else frozenset({allowed.state})
    if isinstance(allowed, StatesGroup):
        return frozenset(type(allowed).__all_states_names__)
    if in_state_filter and isclass(allowed) and issubclass(allowed, StatesGroup):
        # (A bare class is a filter aiogram cannot call: left to fail as it does.)
        return frozenset(allowed.__all_states_names__)
    if type(allowed) is StateFilter:
        found: set[str | None] = set()
        for one in allowed.states:
            if one == "*":
                return None
            if one is None or isinstance(one, str):
                found.add(one)
            elif (states := _states_of(one, in_state_filter=True)) is None:
                return None
            else:
                found |= states
        return frozenset(found)
    return None


def _keys(
    handler: HandlerObject, admitted: Callable[[Any], frozenset[K] | None]
) -> frozenset[K] | None:
    """What every filter of ``handler`` admits, by ``admitted`` (an ``InLoop`` read as the
    filter it wraps); ``None``: any."""
    keys: frozenset[K] | None = None
    for filter_ in handler.filters or ():
        check = filter_.callback
        keys = _narrowed(keys, admitted(check.wrapped if isinstance(check, InLoop) else check))
    return keys


def state_keys(handler: HandlerObject) -> frozenset[str | None] | None:
    """The dialog states a chat must be in for ``handler`` to match; ``None``: any."""
    return _keys(handler, _states_of)


def _equal_texts(check: Any, i18n: I18n | None) -> frozenset[str] | None:
    """The texts ``check`` admits if it is exactly ``F.text == X``: ``X``, or a lazy ``X``
    in each of ``i18n``'s languages and untranslated; ``None``: any (not such a filter,
    or a lazy text with no ``i18n`` to translate it)."""
    if type(check) not in _MAGIC:
        return None
    operations = check._operations  # magic_filter's own: F.text is a getattr, == a comparator
    if len(operations) != 2:
        return None
    get, compare = operations
    if type(get) is not GetAttributeOperation or get.name != "text":
        return None
    if type(compare) is not ComparatorOperation or compare.comparator is not operator.eq:
        return None
    right = compare.right
    if type(right) is str:
        return frozenset({right})
    # Only aiogram's lazy gettext (``__()``): its text depends on the locale alone, read
    # afresh each time; any other lazy value may depend on more, or be kept once read.
    if type(right) is not LazyProxy or i18n is None:
        return None
    if right._func is not lazy_source or right._is_cache_enabled:
        return None
    texts = set()
    for locale in (*i18n.available_locales, _NO_LANGUAGE):
        with i18n.context(), i18n.use_locale(locale):
            texts.add(str(right))
    return frozenset(texts)


def text_keys(handler: HandlerObject, i18n: I18n | None) -> frozenset[str] | None:
    """The texts a message must be for ``handler`` to match; ``None``: any."""
    return _keys(handler, lambda check: _equal_texts(check, i18n))


class _Index:
    def __init__(self, handlers: list[HandlerObject], i18n: I18n | None) -> None:
        self.i18n = i18n
        self._handlers = [(h, command_keys(h), state_keys(h), text_keys(h, i18n)) for h in handlers]
        self._commands = set().union(*(c for _, c, _, _ in self._handlers if c is not None))
        self._states = set().union(*(s for _, _, s, _ in self._handlers if s is not None))
        self._texts = set().union(*(t for _, _, _, t in self._handlers if t is not None))
        self._lists: dict[tuple[object, object, object], list[HandlerObject]] = {}

    def candidates(
        self, command: Key | None, state: str | None, text: str | None
    ) -> list[HandlerObject]:
        key = (
            command if command in self._commands else _OTHER,
            state if state in self._states else _OTHER,
            text if text in self._texts else _OTHER,
        )
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = [
                handler
                for handler, commands, states, texts in self._handlers
                if (commands is None or key[0] in commands)
                and (states is None or key[1] in states)
                and (texts is None or key[2] in texts)
            ]
        return found


class IndexedMessages(TelegramEventObserver):
    """aiogram's message observer, trying only the handlers a message's key admits."""

    def __init__(self, router: Router) -> None:
        super().__init__(router=router, event_name="message")
        self._index: _Index | None = None
        self._commands: frozenset[Key] | None = None

    def register(self, *args: Any, **kwargs: Any) -> Any:
        self._index = self._commands = None
        return super().register(*args, **kwargs)

    def commands(self) -> frozenset[Key]:
        """Every command a handler here is for (``message_key``'s keys): the bot's own."""
        if self._commands is None:
            keys = (command_keys(handler) for handler in self.handlers)
            self._commands = frozenset().union(*(k for k in keys if k is not None))
        return self._commands

    def candidates(self, message: TelegramObject, raw_state: str | None) -> list[HandlerObject]:
        i18n = I18n.get_current(no_error=True)  # the dispatch's: it translates menu texts
        if self._index is None or self._index.i18n is not i18n:
            self._index = _Index(self.handlers, i18n)
        text = message.text if isinstance(message, Message) else None
        return self._index.candidates(message_key(message), raw_state, text)

    async def trigger(self, event: TelegramObject, **kwargs: Any) -> Any:
        # aiogram's TelegramEventObserver.trigger, over the candidates only.
        for handler in self.candidates(event, kwargs.get("raw_state")):
            kwargs["handler"] = handler
            result, data = await handler.check(event, **kwargs)
            if result:
                kwargs.update(data)
                try:
                    wrapped_inner = self.outer_middleware.wrap_middlewares(
                        self._resolve_middlewares(), handler.call
                    )
                    return await wrapped_inner(event, kwargs)
                except SkipHandler:
                    continue
        return UNHANDLED


def index_messages(router: Router) -> None:
    """Give ``router`` an indexed message observer, before anything is put on its own."""
    old = router.message
    if old.handlers or old.middleware._middlewares or old.outer_middleware._middlewares:
        raise RuntimeError("index the router's messages before registering on them")
    if old._handler.filters:
        raise RuntimeError("index the router's messages before filtering them")
    router.message = router.observers["message"] = IndexedMessages(router)
