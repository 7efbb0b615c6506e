"""What a sent file holds: clients (with their deals) or records of one of the team's
types. Choosing re-proposes where each column goes: a record's name and its type's fields."""

from __future__ import annotations

from typing import Any, cast

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery

from crm.service import Crm
from handlers.imports.callbacks import ImportAction, ImportCb
from handlers.imports.flow import on_screen, screen_of, shown
from handlers.imports.holds_views import holds_screen
from handlers.imports.states import ImportData
from handlers.imports.targets import client_targets, record_targets
from handlers.kit.routes import Routes

routes = Routes(__name__)


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.WHAT))
async def ask_what(callback: CallbackQuery, state: FSMContext, crm: Crm) -> None:
    await shown(callback, state, holds_screen(await crm.record_types.all()))


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.HOLDS))
async def holds(
    callback: CallbackQuery, callback_data: ImportCb, state: FSMContext, crm: Crm
) -> None:
    data = cast(ImportData, await state.get_data())
    type_id = callback_data.column
    if type_id == 0:
        joined = data.get("joined", [])
        hints = data.get("hints", [])
        data["mapping"], data["fields"] = await client_targets(crm, data["headers"], joined, hints)
        data["type_id"], data["holds"] = 0, ""
    else:
        record_type = await crm.record_imports.record_type(type_id)  # gone, archived: refused
        data["type_id"], data["holds"] = type_id, f"{record_type.emoji} {record_type.plural}"
        hints = data.get("hints", [])
        data["mapping"], data["fields"] = await record_targets(crm, type_id, data["headers"], hints)
    data.pop("required", None)  # the rows lacking a required field are another question now
    await state.set_data(cast(dict[str, Any], data))
    await shown(callback, state, screen_of(data))
