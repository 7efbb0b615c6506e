"""The settings dialogs' steps and what each remembers between them."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialogs import DialogData
from handlers.kit.gated import owners_step


class PipelineFlow(StatesGroup):
    stage_name = owners_step()
    new_stage = owners_step()
    stale_days = owners_step()
    reason_text = owners_step()
    new_reason = owners_step()


@dataclass(frozen=True)
class PipelineItem(DialogData):
    """The stage or lost reason a pipeline prompt is about (0: a new one)."""

    pipeline_item: int = 0


class DigestFlow(StatesGroup):
    time = owners_step()


class DayPartFlow(StatesGroup):
    time = owners_step()  # the part of the day is in ``DayPartData``


@dataclass(frozen=True)
class DayPartData(DialogData):
    part: str = ""


class SettingsFlow(StatesGroup):
    timezone = State()
    status_name = owners_step()
    new_status = owners_step()


@dataclass(frozen=True)
class StatusName(DialogData):
    """The client status being renamed."""

    status_code: str = ""
