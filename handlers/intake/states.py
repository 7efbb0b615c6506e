"""Dialogs of lead intake."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class SourceFlow(StatesGroup):
    name = State()  # the owner types a new source's name
