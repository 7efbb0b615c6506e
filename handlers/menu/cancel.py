"""/cancel and the Cancel button: leave any dialog from anywhere.

(Any other command or menu button also ends a dialog: see ``LeaveDialogs``.)"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.alerts import alert
from handlers.kit.callbacks import CancelCb, CancelStepCb, CloseCb
from handlers.kit.cancel_steps import no_longer_open, own_question, step_code
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
    """An older message's Cancel, or one sent with no dialog waiting: whatever waits now,
    unless the dialog waiting is known to have asked elsewhere (``own_question``)."""
    if await own_question(callback, state) is False:
        await alert(callback, no_longer_open())
        return
    await state.clear()
    await show(callback, Text(_("Cancelled.")))


@routes.callback_query(CancelStepCb.filter())
async def cancel_step(
    callback: CallbackQuery, callback_data: CancelStepCb, state: FSMContext
) -> None:
    """A question's Cancel ends its own question only: pressed on an older one (another
    step's, or the same step's on another card), the one waiting now stays."""
    waiting = await state.get_state()
    own = waiting is not None and step_code(waiting) == callback_data.step
    if not own or not await own_question(callback, state):
        await alert(callback, no_longer_open())
        return
    await state.clear()
    await show(callback, Text(_("Cancelled.")))


@routes.callback_query(CloseCb.filter())
async def close_screen(callback: CallbackQuery) -> None:
    """A screen no dialog asked (a call's outcome) closed: the question waiting stays."""
    await show(callback, Text(_("Cancelled.")))
