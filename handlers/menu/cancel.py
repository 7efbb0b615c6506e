"""/cancel and the Cancel button: leave any dialog from anywhere.

(Any other command or menu button also ends a dialog: see ``LeaveDialogs``.)"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.callbacks import CancelCb
from handlers.kit.keyboards import main_menu
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import User

routes = Routes(__name__)


@routes.message(Command("cancel"))
@routes.message(F.text.casefold().in_({"отмена", "cancel"}))
async def cancel_command(message: Message, state: FSMContext, member: User) -> None:
    had_dialog = await state.get_state() is not None
    await state.clear()
    text = _("Cancelled.") if had_dialog else _("There is nothing to cancel.")
    await message.answer(text, reply_markup=main_menu(member))


@routes.callback_query(CancelCb.filter())
async def cancel_button(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, Text(_("Cancelled.")))
