"""A feature's handlers declared once; a fresh aiogram ``Router`` built from them per Dispatcher.

aiogram's routers are usually module-level objects, and a router belongs to one
parent: a process that builds several Dispatchers (every test does) would have
to steal them back. ``Routes`` keeps the same decorator style
(``@routes.message(...)``, ``@routes.callback_query(...)``) but only records what
was declared; ``build()`` makes a new ``Router`` each time, so nothing global is
ever re-parented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiogram import Router

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
                target.filter(*observer.filters)
            for handler, filters, kwargs in observer.handlers:
                target.register(handler, *filters, **kwargs)
        for child in self._children:
            router.include_router(child.build())
        return router
