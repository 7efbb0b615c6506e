"""Starting a deal: "💼 New deal" on a client's card, or /deal while a card is open.

``/deal 150 000 Supply contract`` creates it at once; ``/deal`` alone and the button
ask for the amount (which may be skipped: unknown, 0) and the title (skipped: the
client's name). An amount that cannot be read is asked again, with examples.
"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import CrmError
from crm.parsing.amounts import AmountError, parse_amount
from crm.service import Crm
from handlers.deals.amount_words import SplitError, split_amount
from handlers.deals.callbacks import NewDealAction, NewDealCb
from handlers.deals.screen import amount_error_text, amount_examples, deal_screen, send_deal
from handlers.deals.states import NewDeal, NewDealFlow
from handlers.kit.alerts import alert
from handlers.kit.errors import error_text
from handlers.kit.keyboards import button, cancel_row, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.timeline import shorten
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb
from handlers.records.views import required_question
from storage.models import Client, User

routes = Routes(__name__)

PRIVATE = F.chat.type == "private"


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
    client = await crm.clients.visible(member, client_id)
    args = (command.args or "").strip()
    if not args:
        await ask_amount(message, state, client, edit=False, detachable=True)
        return
    try:
        amount, title = split_amount(args)
    except SplitError as error:  # a second chance, in the dialog
        why = amount_error_text(error.code, error.typed)
        await ask_amount(message, state, client, edit=False, intro=why, detachable=True)
        return
    await NewDeal(client_id=client.id, amount=amount).save(state)
    await create(message, crm, member, state, title or None, edit=False, open_card=client.name)


@routes.callback_query(NewDealCb.filter(F.action == NewDealAction.START))
async def start_from_card(
    callback: CallbackQuery, callback_data: NewDealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    await state.clear()
    if isinstance(callback.message, Message):
        await ask_amount(callback.message, state, client, edit=True)


# --- the steps ----------------------------------------------------------------------------------


def _keyboard(skip_text: str, action: NewDealAction, client_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [button(skip_text, NewDealCb(action=action, client_id=client_id))], cancel_row()
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
    target: Message,
    state: FSMContext,
    client: Client,
    *,
    edit: bool,
    intro: str = "",
    detachable: bool = False,
) -> None:
    """``detachable``: the client is the open card's (/deal), so the question offers
    "Not for them" in case the member meant another client."""
    await state.set_state(NewDealFlow.amount)
    await NewDeal(client_id=client.id, name=client.name).save(state)
    question = _("New deal with {name}. What is the amount?").format(name=client.name)
    text = f"{intro}\n{question}" if intro else f"{question} {amount_examples()}"
    skip = _keyboard(_("⏭ Skip: amount unknown"), NewDealAction.SKIP_AMOUNT, client.id)
    if detachable:
        other = OpenCardCb(action=OpenCardAction.NOT_THIS_CARD, ref=client.id)
        label = _("✂️ Not for {name}").format(name=shorten(client.name, 30))
        skip.inline_keyboard.insert(1, [button(label, other)])
    await _put(target, text, skip, edit=edit)


@routes.callback_query(OpenCardCb.filter(F.action == OpenCardAction.NOT_THIS_CARD))
async def not_this_card(
    callback: CallbackQuery, callback_data: OpenCardCb, crm: Crm, member: User, state: FSMContext
) -> None:
    """The deal asked about is not for the open card's client: the dialog ends, the card closes."""
    data = await NewDeal.load(state)
    live = await _live(state, NewDealFlow.amount, callback_data.ref)
    if not live or not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    await state.clear()
    await crm.timeline.close_card(member)
    text = _(
        "Not for {name}, then. Open the card of the client you mean (/find or /clients) "
        "and send /deal again."
    ).format(name=data.name or "")
    await _put(callback.message, text, None, edit=True)


async def ask_title(target: Message, state: FSMContext, *, edit: bool, intro: str = "") -> None:
    await state.set_state(NewDealFlow.title)
    data = await NewDeal.load(state)
    question = _("What is the deal called? Skip, and it is named after the client.")
    text = f"{intro}\n{question}" if intro else question
    skip_text = _("⏭ Skip: “{name}”").format(name=shorten(data.name or "", 40))
    skip = _keyboard(skip_text, NewDealAction.SKIP_TITLE, data.client_id)
    await _put(target, text, skip, edit=edit)


async def _live(state: FSMContext, step: State, client_id: int) -> bool:
    """A Skip button works only in its own step of the dialog it was shown in."""
    data = await NewDeal.load(state)
    return await state.get_state() == step.state and data.client_id == client_id


@routes.message(NewDealFlow.amount, F.text)
async def typed_amount(message: Message, state: FSMContext) -> None:
    raw = message.text or ""
    try:
        amount = parse_amount(raw)
    except AmountError as error:
        data = await NewDeal.load(state)
        why = amount_error_text(error.code, raw)
        skip = _keyboard(_("⏭ Skip: amount unknown"), NewDealAction.SKIP_AMOUNT, data.client_id)
        await _put(message, why, skip, edit=False)
        return
    data = await NewDeal.load(state)
    data.amount = amount
    await data.save(state)
    await ask_title(message, state, edit=False)


@routes.callback_query(NewDealCb.filter(F.action == NewDealAction.SKIP_AMOUNT))
async def skip_amount(callback: CallbackQuery, callback_data: NewDealCb, state: FSMContext) -> None:
    live = await _live(state, NewDealFlow.amount, callback_data.client_id)
    if not live or not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    data = await NewDeal.load(state)
    data.amount = 0
    await data.save(state)
    await ask_title(callback.message, state, edit=True)


@routes.message(NewDealFlow.title, F.text)
async def typed_title(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await create(message, crm, member, state, message.text or "", edit=False)


@routes.callback_query(NewDealCb.filter(F.action == NewDealAction.SKIP_TITLE))
async def skip_title(
    callback: CallbackQuery, callback_data: NewDealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    live = await _live(state, NewDealFlow.title, callback_data.client_id)
    if not live or not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    await create(callback.message, crm, member, state, None, edit=True)


@routes.message(NewDealFlow.field, F.text)
async def typed_field(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """A required custom field's value, checked now: a refusal is told and the question
    stays. A field no longer required (or deleted) meanwhile is simply not asked again."""
    data = await NewDeal.load(state)
    required = await crm.new_cards.required(CardKind.DEAL)
    field = next((f for f in required if f.id == data.asking), None)
    if field is not None:
        crm.field_values.parse(field, message.text or "")
        kept = tuple(item for item in data.custom if item[0] != field.id)
        data.custom = (*kept, (field.id, message.text or ""))
        await data.save(state)
    await create(message, crm, member, state, data.title, edit=False)


@routes.message(NewDealFlow.amount)
@routes.message(NewDealFlow.title)
@routes.message(NewDealFlow.field)
async def not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


async def create(
    target: Message,
    crm: Crm,
    member: User,
    state: FSMContext,
    title: str | None,
    *,
    edit: bool,
    open_card: str | None = None,
) -> None:
    """Create the deal from the dialog's data and open its card; a refused title is asked again.

    ``open_card``: made at once for the open card's client (this name), so the card offers
    to take it back (kept in the dialog while required fields or a new title are asked)."""
    data = await NewDeal.load(state)
    data.title, data.open_card = title, open_card or data.open_card  # kept while fields are asked
    given = data.values()
    missing = [f for f in await crm.new_cards.required(CardKind.DEAL) if f.id not in given]
    if missing:  # asked in the same dialog, one by one; the deal is created after the last
        data.asking = missing[0].id
        await data.save(state)
        await state.set_state(NewDealFlow.field)
        await _put(target, required_question(missing[0]), keyboard(cancel_row()), edit=edit)
        return
    try:
        deal = await crm.new_cards.deal(member, data.client_id, data.amount, title, given)
    except CrmError as error:  # not only told: a refused title is asked again, else the dialog ends
        if error.params.get("field") == "title":
            if data.name is None:
                data.name = (await crm.clients.visible(member, data.client_id)).name
            data.title = None  # the refused one is not kept (too long: not stored anywhere)
            await data.save(state)
            await ask_title(target, state, edit=False, intro=error_text(error))
            return
        await state.clear()
        await _put(target, error_text(error), None, edit=edit)
        return
    await state.clear()
    if data.open_card is not None:
        text, buttons = await deal_screen(crm, member, deal.id)
        back = OpenCardCb(action=OpenCardAction.TAKE_BACK_DEAL, ref=deal.id)
        label = _("✂️ Not for {name}: take it back").format(name=shorten(data.open_card, 30))
        buttons.inline_keyboard.append([button(label, back)])
        await show(target, text, buttons)
    elif edit:
        await show_deal(target, crm, member, deal.id)
    else:
        await send_deal(target, crm, member, deal.id)


@routes.callback_query(OpenCardCb.filter(F.action == OpenCardAction.TAKE_BACK_DEAL))
async def take_back(
    callback: CallbackQuery, callback_data: OpenCardCb, crm: Crm, member: User
) -> None:
    """/deal made a deal on the open card, and it was not meant for that client."""
    deal = await crm.deals.visible(member, callback_data.ref)
    await crm.deal_edits.take_back(member, deal.id)
    await crm.timeline.close_card(member)
    text = _(
        "The deal “{title}” is taken back. Open the card of the client you mean "
        "(/find or /clients) and send /deal again."
    ).format(title=shorten(deal.title, 60))
    await show(callback, Text(text), None)


async def show_deal(target: Message, crm: Crm, member: User, deal_id: int) -> None:
    text, keyboard = await deal_screen(crm, member, deal_id)
    await target.edit_text(**text.as_kwargs(), reply_markup=keyboard)
