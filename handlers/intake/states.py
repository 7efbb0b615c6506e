"""Dialogs of lead intake."""

from __future__ import annotations

from aiogram.fsm.state import StatesGroup

from handlers.kit.gated import owners_step


class SourceFlow(StatesGroup):
    name = owners_step()  # the owner types a new source's name
