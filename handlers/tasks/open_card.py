"""/task with a card open: the answer names the card, and "✂️ Not for …" puts the task on none."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.keyboards import cancel_button, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.timeline import shorten
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb
from handlers.tasks.states import NewTask, TaskFlow
from handlers.tasks.views import task_screen
from storage.models import User

routes = Routes(__name__)


async def card_name(crm: Crm, member: User, client_id: int, deal_id: int) -> str:
    if deal_id:
        return (await crm.deals.visible(member, deal_id)).title
    return (await crm.clients.visible(member, client_id)).name


def detach_label(name: str) -> str:
    return _("✂️ Not for {name}").format(name=shorten(name, 30))


@routes.callback_query(OpenCardCb.filter(F.action == OpenCardAction.DETACH_TASK))
async def detach(
    callback: CallbackQuery, callback_data: OpenCardCb, crm: Crm, member: User, state: FSMContext
) -> None:
    """A task /task put on the open card goes on no card: the one being written
    (``ref`` 0), or the one just saved."""
    if callback_data.ref:
        if not await crm.task_edits.detach_as_made(member, callback_data.ref):
            await alert(callback, _("This button is no longer active."))  # on another card since
            return
        await show(callback, *await task_screen(crm, member, callback_data.ref))
        return
    data = await NewTask.load(state)
    if await state.get_state() not in TaskFlow.__all_states_names__ or not data.on_open_card:
        await alert(callback, _("This button is no longer active."))
        return
    await NewTask(due=data.due, day=data.day, title=data.title).save(state)
    await alert(callback, _("The task will be on no card."))
    if isinstance(callback.message, Message):
        await callback.message.edit_reply_markup(reply_markup=keyboard([cancel_button()]))
