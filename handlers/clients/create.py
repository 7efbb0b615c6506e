"""Creating a client from a draft: its card opens at once, or a known phone or email is
asked about first (Open the client that has it, or Create anyway).

The draft waits in the FSM data under ``draft``; while the question is open the state
is ``DuplicateFlow.prompt``, which is the proof that its buttons are live: a second
press of Create anyway finds it gone and creates nothing.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.clients import DuplicateFound
from crm.errors import CrmError
from crm.service import Crm
from handlers.clients.callbacks import NewClientAction, NewClientCb
from handlers.clients.screen import card_screen, send_card
from handlers.clients.states import DuplicateFlow, NewClientData
from handlers.kit.keyboards import cancel_button
from handlers.kit.labels import format_phone
from handlers.kit.routes import Routes
from storage.models import User

routes = Routes(__name__)


# --- shared by the new-client dialogs -----------------------------------------------------------


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def put(
    target: Message, text: Text, keyboard: InlineKeyboardMarkup | None, *, edit: bool
) -> None:
    """Edit the pressed message into the next screen, or answer a typed one."""
    if edit:
        await target.edit_text(**text.as_kwargs(), reply_markup=keyboard)
    else:
        await target.answer(**text.as_kwargs(), reply_markup=keyboard)


async def open_card(target: Message, crm: Crm, member: User, client_id: int, *, edit: bool) -> None:
    if edit:
        await put(target, *await card_screen(crm, member, client_id), edit=True)
    else:
        await send_card(target, crm, member, client_id)


# --- creating ------------------------------------------------------------------------------------


async def create_and_open(
    target: Message, crm: Crm, member: User, state: FSMContext, *, edit: bool
) -> CrmError | None:
    """Create the client from the draft in ``state`` and open its card, or ask about the
    duplicate. A refused field (empty, too long) is returned for the caller to ask again."""
    try:
        created = await crm.clients.create(member, (await NewClientData.load(state)).draft())
    except CrmError as error:
        return error
    if isinstance(created, DuplicateFound):
        await state.set_state(DuplicateFlow.prompt)
        await put(target, *duplicate_prompt(created), edit=edit)
        return None
    await state.clear()
    await open_card(target, crm, member, created.id, edit=edit)
    return None


def duplicate_prompt(found: DuplicateFound) -> tuple[Text, InlineKeyboardMarkup]:
    force = InlineKeyboardButton(
        text=_("➕ Create anyway"), callback_data=NewClientCb(action=NewClientAction.FORCE).pack()
    )
    if not found.visible or found.name is None:  # nothing of it is shown, not even its name
        text = _("A client with this phone already exists and belongs to another manager.")
        if found.by == "email":
            text = _("A client with this email already exists and belongs to another manager.")
        return Text(text), InlineKeyboardMarkup(inline_keyboard=[[force], [cancel_button()]])
    text = _("{name} already has the phone {value}.")
    if found.by == "email":
        text = _("{name} already has the email {value}.")
    value = format_phone(found.value) if found.by == "phone" else found.value
    text = text.format(name=found.name, value=value)
    text += (" " + _("That client is in the archive.")) if found.archived else ""
    open_button = InlineKeyboardButton(
        text=_("👤 Open {name}").format(name=shorten(found.name)),
        callback_data=NewClientCb(
            action=NewClientAction.OPEN_DUP, client_id=found.client_id
        ).pack(),
    )
    rows = [[open_button], [force], [cancel_button()]]
    return Text(text), InlineKeyboardMarkup(inline_keyboard=rows)


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.FORCE))
async def create_anyway(callback: CallbackQuery, crm: Crm, member: User, state: FSMContext) -> None:
    live = await state.get_state() == DuplicateFlow.prompt.state
    if not live or not isinstance(callback.message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    draft = (await NewClientData.load(state)).draft()
    await state.clear()  # before anything is awaited on the database: one press, one client
    created = await crm.clients.create(member, draft, force=True)
    assert not isinstance(created, DuplicateFound)  # force skips the check
    await open_card(callback.message, crm, member, created.id, edit=True)


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.OPEN_DUP))
async def open_duplicate(
    callback: CallbackQuery, callback_data: NewClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if not isinstance(callback.message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await open_card(callback.message, crm, member, callback_data.client_id, edit=True)
    if await state.get_state() == DuplicateFlow.prompt.state:
        await state.clear()  # the existing client was chosen; the draft is dropped


@routes.message(DuplicateFlow.prompt, ~F.contact)
async def duplicate_waits(message: Message, state: FSMContext) -> None:
    await message.answer(
        _("Choose a button above: open the existing client or create a new one anyway. /cancel")
    )
