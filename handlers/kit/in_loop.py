"""Synchronous filters awaited in the event loop.

Every filter that is not already awaitable (a magic ``F`` expression, a dialog
``State``, a plain function) is wrapped in ``InLoop`` when the router is built:
aiogram runs a synchronous filter in a worker thread (``asyncio.to_thread``), and
a message is checked against dozens of filters before one matches, so without
the wrapper every update paid for dozens of thread hops (measured: ~34 per
``/find``, most of its CPU beyond the SQL).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from aiogram.filters import Filter
from magic_filter import MagicFilter


class InLoop(Filter):
    """A synchronous filter called in the event loop, with the arguments it names."""

    def __init__(self, check: Callable[..., Any]) -> None:
        self.wrapped = check
        self._check = check.resolve if isinstance(check, MagicFilter) else check
        try:
            parameters = list(inspect.signature(self._check).parameters.values())
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            parameters = []
        names: set[str] = set()
        self._all = False
        for position, parameter in enumerate(parameters):
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                self._all = True
            elif position and parameter.kind is not inspect.Parameter.VAR_POSITIONAL:
                names.add(parameter.name)
        self._names = frozenset(names)

    async def __call__(self, event: Any, **kwargs: Any) -> Any:
        if self._all:
            return self._check(event, **kwargs)
        return self._check(event, **{k: v for k, v in kwargs.items() if k in self._names})


def in_loop(check: Any) -> Any:
    """``check`` as a filter aiogram awaits directly (see the module's note)."""
    if isinstance(check, Filter) or inspect.iscoroutinefunction(check):
        return check
    if isinstance(check, MagicFilter) or callable(check):
        return InLoop(check)
    return check
