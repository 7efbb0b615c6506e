"""Starting a deal: "💼 New deal" on a client's card, or /deal while a card is open.

``/deal 150 000 Supply contract`` creates it at once; ``/deal`` alone and the button
ask for the amount (which may be skipped: unknown, 0) and the title (skipped: the
client's name). An amount that cannot be read is asked again, with examples.
"""

from __future__ import annotations

import itertools

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.parsing.amounts import AmountError, parse_amount
from crm.service import Crm
from handlers.deals.callbacks import NewDealCb
from handlers.deals.screen import amount_error_text, amount_examples, deal_screen, send_deal
from handlers.kit.errors import error_text
from handlers.kit.keyboards import cancel_button
from handlers.kit.routes import Routes
from handlers.kit.timeline import shorten
from storage.models import Client, User

routes = Routes(__name__)

PRIVATE = F.chat.type == "private"
MAX_AMOUNT_WORDS = 4  # "1 500 000 ₽" is the longest amount people type before a title


class NewDealFlow(StatesGroup):
    amount = State()
    title = State()


def split_amount(text: str) -> tuple[int, str]:
    """The amount at the start of ``/deal``'s arguments, and the title after it.

    The longest run of leading words that reads as an amount wins, so ``150 000``
    and ``1,5 млн`` stay whole; a bare number after a number joins it only as a
    group of three digits, so in ``150000 2 chairs`` the title is "2 chairs".
    """
    words = text.split()
    specific: AmountError | None = None
    for count in range(min(len(words), MAX_AMOUNT_WORDS), 0, -1):
        head = words[:count]
        if not _grouped(head):
            continue
        try:
            return parse_amount(" ".join(head)), " ".join(words[count:])
        except AmountError as error:
            if error.code != "not_a_number" and specific is None:
                specific = error
    raise specific or AmountError("not_a_number")


def _grouped(words: list[str]) -> bool:
    return all(
        not (word.isdigit() and before[-1:].isdigit()) or len(word) == 3
        for before, word in itertools.pairwise(words)
    )


# --- starting -----------------------------------------------------------------------------------


@routes.message(Command("deal"), PRIVATE)
async def deal_command(
    message: Message, command: CommandObject, crm: Crm, member: User, state: FSMContext
) -> None:
    await state.clear()
    client_id = crm.timeline.open_client_id(member, crm.config.card_context)
    if client_id is None:
        await message.answer(
            _(
                "Open the client's card first (/find or /clients), then send "
                "/deal 150000 Title, or press “💼 New deal” on the card."
            )
        )
        return
    try:
        client = await crm.clients.visible(member, client_id)
    except CrmError as error:
        await message.answer(error_text(error))
        return
    args = (command.args or "").strip()
    if not args:
        await ask_amount(message, state, client, edit=False)
        return
    try:
        amount, title = split_amount(args)
    except AmountError as error:  # a second chance, in the dialog
        why = amount_error_text(error.code, args.split()[0])
        await ask_amount(message, state, client, edit=False, intro=why)
        return
    await state.set_data({"client_id": client.id, "amount": amount})
    await create(message, crm, member, state, title or None, edit=False)


@routes.callback_query(NewDealCb.filter(F.action == "start"))
async def start_from_card(
    callback: CallbackQuery, callback_data: NewDealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.clear()
    if isinstance(callback.message, Message):
        await ask_amount(callback.message, state, client, edit=True)
    await callback.answer()


# --- the steps ----------------------------------------------------------------------------------


def _keyboard(skip_text: str, action: str, client_id: int) -> InlineKeyboardMarkup:
    skip = NewDealCb(action=action, client_id=client_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=skip_text, callback_data=skip)],
            [cancel_button()],
        ]
    )


async def _put(
    target: Message, text: str, keyboard: InlineKeyboardMarkup | None, *, edit: bool
) -> None:
    body = Text(text).as_kwargs()
    if edit:
        await target.edit_text(**body, reply_markup=keyboard)
    else:
        await target.answer(**body, reply_markup=keyboard)


async def ask_amount(
    target: Message, state: FSMContext, client: Client, *, edit: bool, intro: str = ""
) -> None:
    await state.set_state(NewDealFlow.amount)
    await state.set_data({"client_id": client.id, "name": client.name})
    question = _("New deal with {name}. What is the amount?").format(name=client.name)
    text = f"{intro}\n{question}" if intro else f"{question} {amount_examples()}"
    keyboard = _keyboard(_("⏭ Skip: amount unknown"), "skip_amount", client.id)
    await _put(target, text, keyboard, edit=edit)


async def ask_title(target: Message, state: FSMContext, *, edit: bool, intro: str = "") -> None:
    await state.set_state(NewDealFlow.title)
    data = await state.get_data()
    name = str(data.get("name", ""))
    question = _("What is the deal called? Skip, and it is named after the client.")
    text = f"{intro}\n{question}" if intro else question
    skip_text = _("⏭ Skip: “{name}”").format(name=shorten(name, 40))
    keyboard = _keyboard(skip_text, "skip_title", int(data.get("client_id", 0)))
    await _put(target, text, keyboard, edit=edit)


async def _live(state: FSMContext, step: State, client_id: int) -> bool:
    """A Skip button works only in its own step of the dialog it was shown in."""
    data = await state.get_data()
    return await state.get_state() == step.state and data.get("client_id") == client_id


@routes.message(NewDealFlow.amount, F.text)
async def typed_amount(message: Message, state: FSMContext) -> None:
    raw = message.text or ""
    try:
        amount = parse_amount(raw)
    except AmountError as error:
        data = await state.get_data()
        why = amount_error_text(error.code, raw)
        keyboard = _keyboard(
            _("⏭ Skip: amount unknown"), "skip_amount", int(data.get("client_id", 0))
        )
        await _put(message, why, keyboard, edit=False)
        return
    await state.update_data(amount=amount)
    await ask_title(message, state, edit=False)


@routes.callback_query(NewDealCb.filter(F.action == "skip_amount"))
async def skip_amount(callback: CallbackQuery, callback_data: NewDealCb, state: FSMContext) -> None:
    live = await _live(state, NewDealFlow.amount, callback_data.client_id)
    if not live or not isinstance(callback.message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await state.update_data(amount=0)
    await ask_title(callback.message, state, edit=True)
    await callback.answer()


@routes.message(NewDealFlow.title, F.text)
async def typed_title(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await create(message, crm, member, state, message.text or "", edit=False)


@routes.callback_query(NewDealCb.filter(F.action == "skip_title"))
async def skip_title(
    callback: CallbackQuery, callback_data: NewDealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    live = await _live(state, NewDealFlow.title, callback_data.client_id)
    if not live or not isinstance(callback.message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()
    await create(callback.message, crm, member, state, None, edit=True)


@routes.message(NewDealFlow.amount)
@routes.message(NewDealFlow.title)
async def not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


async def create(
    target: Message, crm: Crm, member: User, state: FSMContext, title: str | None, *, edit: bool
) -> None:
    """Create the deal from the dialog's data and open its card; a refused title is asked again."""
    data = await state.get_data()
    client_id, amount = int(data.get("client_id", 0)), int(data.get("amount", 0))
    try:
        deal = await crm.deals.create(member, client_id, amount, title)
    except CrmError as error:
        if error.params.get("field") == "title":
            if "name" not in data:
                client = await crm.clients.visible(member, client_id)
                await state.update_data(name=client.name)
            await ask_title(target, state, edit=False, intro=error_text(error))
            return
        await state.clear()
        await _put(target, error_text(error), None, edit=edit)
        return
    await state.clear()
    if edit:
        await show_deal(target, crm, member, deal.id)
    else:
        await send_deal(target, crm, member, deal.id)


async def show_deal(target: Message, crm: Crm, member: User, deal_id: int) -> None:
    text, keyboard = await deal_screen(crm, member, deal_id)
    await target.edit_text(**text.as_kwargs(), reply_markup=keyboard)
