"""/imports: the list of imports, and undoing one after a confirmation."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text

from crm.access import is_staff
from crm.service import Crm
from handlers.imports.batch_views import (
    PER_PAGE,
    batches_screen,
    undo_confirm_screen,
    undone_text,
)
from handlers.imports.callbacks import BatchAction, BatchCb
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from storage.models import User

routes = Routes(__name__)


async def _list(crm: Crm, member: User, page: int = 0) -> Screen:
    """A page of the imports, newest first (a page past the end shows the last): all of
    them for owners and admins, a manager's own for a manager."""
    pages = max(1, -(-(await crm.imports.batch_count(member)) // PER_PAGE))
    page = min(page, pages - 1)
    batches = await crm.imports.batches(member, PER_PAGE, page * PER_PAGE)
    # A manager's list holds only his own imports (and the team is the staff's to read).
    team = await crm.members.team(member) if is_staff(member) else [member]
    names = {m.id: m.full_name for m in team}
    return batches_screen(batches, names, page, pages)


@routes.message(Command("imports"))
async def list_imports(message: Message, crm: Crm, member: User) -> None:
    await show(message, await _list(crm, member))


@routes.callback_query(BatchCb.filter(F.action == BatchAction.LIST))
async def back_to_list(
    callback: CallbackQuery, callback_data: BatchCb, crm: Crm, member: User
) -> None:
    await show(callback, await _list(crm, member, callback_data.page))


@routes.callback_query(BatchCb.filter(F.action == BatchAction.UNDO))
async def confirm_undo(
    callback: CallbackQuery, callback_data: BatchCb, crm: Crm, member: User
) -> None:
    batch = await crm.imports.batch(member, callback_data.batch_id)
    await show(callback, undo_confirm_screen(batch, callback_data.page))


@routes.callback_query(BatchCb.filter(F.action == BatchAction.UNDO_YES))
async def undo(callback: CallbackQuery, callback_data: BatchCb, crm: Crm, member: User) -> None:
    done = await crm.import_undo.undo(member, callback_data.batch_id)
    await show(callback, Text(undone_text(done)))
