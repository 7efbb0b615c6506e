"""Creating a client from a draft: its card opens at once, or a known phone or email is
asked about first (Open the client that has it, or Create anyway).

The draft waits in the FSM data under ``draft``; while the question is open the state
is ``DuplicateFlow.prompt``, which is the proof that its buttons are live: a second
press of Create anyway finds it gone and creates nothing.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.clients import DuplicateFound
from crm.errors import CrmError
from crm.parsing.fields import FieldType
from crm.parsing.quick_add import QuickClient, parse_quick_add
from crm.parsing.quick_fields import share_extra, take_links
from crm.service import Crm
from handlers.clients.callbacks import NewClientAction, NewClientCb
from handlers.clients.screen import card_screen, send_card
from handlers.clients.states import DuplicateFlow, NewClientData, NewClientFlow
from handlers.kit.alerts import alert
from handlers.kit.keyboards import cancel_button
from handlers.kit.labels import format_phone
from handlers.kit.routes import Routes
from handlers.records.views import required_question
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
    data = await NewClientData.load(state)
    if await ask_required(target, crm, state, data, edit=edit):
        return None
    try:
        created = await crm.new_cards.client(member, data.draft(), data.values())
    except CrmError as error:
        return error
    if isinstance(created, DuplicateFound):
        await state.set_state(DuplicateFlow.prompt)
        await put(target, *duplicate_prompt(created), edit=edit)
        return None
    await state.clear()
    if data.note:  # a forwarded text waited for the required fields
        await crm.timeline.comment(member, created.id, data.note)
    await open_card(target, crm, member, created.id, edit=edit)
    return None


async def ask_required(
    target: Message, crm: Crm, state: FSMContext, data: NewClientData, *, edit: bool
) -> bool:
    """Ask the next required custom field the draft lacks; False when none is left."""
    given = data.values()
    missing = [f for f in await crm.new_cards.required(CardKind.CLIENT) if f.id not in given]
    if not missing:
        return False
    await state.set_state(NewClientFlow.field)
    await replace(data, asking=missing[0].id).save(state)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]])
    await put(target, Text(required_question(missing[0])), keyboard, edit=edit)
    return True


async def quick_add(crm: Crm, line: str) -> tuple[QuickClient, dict[str, str]]:
    """The one-line quick add, with the required link, email and phone fields it holds
    (``crm.parsing.quick_fields``): the rest of them is asked in the dialog."""
    required = await crm.new_cards.required(CardKind.CLIENT)
    of_type = {t: [f.id for f in required if f.type == t] for t in FieldType}
    taken = take_links(line, of_type[FieldType.URL])
    parsed = parse_quick_add(taken.line, crm.config.default_phone_region)
    phones, by_phone = share_extra(parsed.phones, of_type[FieldType.PHONE])
    emails, by_email = share_extra(parsed.emails, of_type[FieldType.EMAIL])
    custom = {str(k): v for k, v in (taken.values | by_phone | by_email).items()}
    return replace(parsed, phones=phones, emails=emails), custom


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
        await alert(callback, _("This button is no longer active."))
        return
    data = await NewClientData.load(state)
    await state.clear()  # before anything is awaited on the database: one press, one client
    created = await crm.new_cards.client(member, data.draft(), data.values(), force=True)
    assert not isinstance(created, DuplicateFound)  # force skips the check
    await open_card(callback.message, crm, member, created.id, edit=True)


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.OPEN_DUP))
async def open_duplicate(
    callback: CallbackQuery, callback_data: NewClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    await open_card(callback.message, crm, member, callback_data.client_id, edit=True)
    if await state.get_state() == DuplicateFlow.prompt.state:
        await state.clear()  # the existing client was chosen; the draft is dropped


@routes.message(DuplicateFlow.prompt, ~F.contact)
async def duplicate_waits(message: Message, state: FSMContext) -> None:
    await message.answer(
        _("Choose a button above: open the existing client or create a new one anyway. /cancel")
    )
