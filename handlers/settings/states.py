"""The settings dialogs' steps."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialog import DialogData


class PipelineFlow(StatesGroup):
    stage_name = State()
    new_stage = State()
    stale_days = State()
    reason_text = State()
    new_reason = State()


class DigestFlow(StatesGroup):
    time = State()


class DayPartFlow(StatesGroup):
    time = State()  # the part of the day is in ``DayPartData``


class DayPartData(DialogData):
    part: str = ""


class SettingsFlow(StatesGroup):
    timezone = State()
    status_name = State()
    new_status = State()
