"""A feature's handlers declared once; a fresh aiogram ``Router`` built from them per Dispatcher.

aiogram's routers are usually module-level objects, and a router belongs to one
parent: a process that builds several Dispatchers (every test does) would have
to steal them back. ``Routes`` keeps the same decorator style
(``@routes.message(...)``, ``@routes.callback_query(...)``) but only records what
was declared; ``flat()`` puts every feature's handlers on a new ``Router`` each
time (``build()`` makes the nested routers it stands for, for the test that
compares them), so nothing global is ever re-parented; only aiogram's handler objects
made from the declarations are kept and shared (``_made``).

Every filter that is not already awaitable is wrapped in ``InLoop`` when the
router is built (``handlers.kit.in_loop``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject

from handlers.kit.handler_index import index_messages
from handlers.kit.in_loop import in_loop

Handler = TypeVar("Handler", bound=Callable[..., Any])

OBSERVERS = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
)


@dataclass
class _Observer:
    name: str
    handlers: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=list
    )
    filters: list[Any] = field(default_factory=list)

    def __call__(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers.append((handler, filters, kwargs))
            return handler

        return register

    def filter(self, *filters: Any) -> None:
        """Filters every handler of this kind in the feature (``router.message.filter``)."""
        self.filters.extend(filters)


class Routes:
    def __init__(self, name: str) -> None:
        self.name = name
        self._children: list[Routes] = []
        self.message = _Observer("message")
        self.edited_message = _Observer("edited_message")
        self.callback_query = _Observer("callback_query")
        self.inline_query = _Observer("inline_query")
        self.my_chat_member = _Observer("my_chat_member")
        self.business_connection = _Observer("business_connection")
        self.business_message = _Observer("business_message")
        self.edited_business_message = _Observer("edited_business_message")
        self.deleted_business_messages = _Observer("deleted_business_messages")

    def include(self, *children: Routes) -> None:
        """Features seen right after this one, in this order."""
        self._children.extend(children)

    def build(self) -> Router:
        router = Router(name=self.name)
        for name in OBSERVERS:
            observer: _Observer = getattr(self, name)
            target = getattr(router, name)
            if observer.filters:
                target.filter(*map(in_loop, observer.filters))
            for handler, filters, kwargs in observer.handlers:
                target.register(handler, *map(in_loop, filters), **kwargs)
        for child in self._children:
            router.include_router(child.build())
        return router

    def flatten_into(self, router: Router, inherited: dict[str, tuple[Any, ...]]) -> None:
        """Register this feature's handlers, then its children's, on ``router`` itself,
        each behind the feature-wide filters of its own feature and of the features it
        was included from (see ``flat``)."""
        passed = dict(inherited)
        for name in OBSERVERS:
            observer: _Observer = getattr(self, name)
            passed[name] = (*inherited.get(name, ()), *map(in_loop, observer.filters))
            target = getattr(router, name)
            for handler, filters, kwargs in observer.handlers:
                target.register(handler, *passed[name], *map(in_loop, filters), **kwargs)
        for child in self._children:
            child.flatten_into(router, passed)


# aiogram's handler objects, made once per process for each tuple of features ``flat`` is
# given. Making them inspects every handler's and filter's signature (some 1,100: most of
# building a Dispatcher, which the tests do once per test); they hold no state of a
# dispatch, so the routers of several Dispatchers share them. Features are declared when
# their modules are imported, before the first ``flat``.
_made: dict[tuple[Routes, ...], dict[str, list[HandlerObject]]] = {}


def flat(features: tuple[Routes, ...], name: str = "features") -> Router:
    """Every feature's handlers on one ``Router``, in the order nested routers would try
    them (a feature's own, then its children's, then the next feature's).

    aiogram walks a tree of routers for each update: at each router it wraps the
    outer middlewares, copies the handler data and recurses, before trying a single
    handler; ``/find`` passed through ~40 routers. On one router only the handlers'
    filters are tried, the same ones in the same order (a message only against the
    handlers its command, dialog state and text let match: ``handler_index``). Our
    features use no router middlewares; a feature-wide filter
    (``routes.message.filter``) is put before the filters of each handler it guarded.
    (aiogram then also lets that filter set the handler's flags, as a ``Command``
    does; the one feature-wide filter, ``InLoop``, sets none.)"""
    router = Router(name=name)
    index_messages(router)
    made = _made.get(features)
    if made is None:
        for feature in features:
            feature.flatten_into(router, {})
        _made[features] = {kind: list(getattr(router, kind).handlers) for kind in OBSERVERS}
    else:
        for kind in OBSERVERS:
            getattr(router, kind).handlers.extend(made[kind])
    return router
