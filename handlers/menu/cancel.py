"""/cancel and the Cancel button: leave any dialog from anywhere.

(Any other command or menu button also ends a dialog: see ``LeaveDialogs``.)"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.callbacks import CancelCb, CancelStepCb
from handlers.kit.cancel_steps import step_code
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
    """An older message's Cancel, or one sent with no dialog waiting: whatever waits now."""
    await state.clear()
    await show(callback, Text(_("Cancelled.")))


@routes.callback_query(CancelStepCb.filter())
async def cancel_step(
    callback: CallbackQuery, callback_data: CancelStepCb, state: FSMContext
) -> None:
    """A question's Cancel ends its own dialog step only: pressed on an older question,
    the one waiting now (another card's, another step's) stays."""
    waiting = await state.get_state()
    if waiting is None or step_code(waiting) != callback_data.step:
        await callback.answer(_("That question is no longer open."), show_alert=True)
        return
    await state.clear()
    await show(callback, Text(_("Cancelled.")))
