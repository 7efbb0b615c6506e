"""The settings dialogs' steps and what each remembers between them."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialogs import DialogData


class PipelineFlow(StatesGroup):
    stage_name = State()
    new_stage = State()
    stale_days = State()
    reason_text = State()
    new_reason = State()


@dataclass(frozen=True)
class PipelineItem(DialogData):
    """The stage or lost reason a pipeline prompt is about (0: a new one)."""

    pipeline_item: int = 0


class DigestFlow(StatesGroup):
    time = State()


class DayPartFlow(StatesGroup):
    time = State()  # the part of the day is in ``DayPartData``


@dataclass(frozen=True)
class DayPartData(DialogData):
    part: str = ""


class SettingsFlow(StatesGroup):
    timezone = State()
    status_name = State()
    new_status = State()


@dataclass(frozen=True)
class StatusName(DialogData):
    """The client status being renamed."""

    status_code: str = ""
