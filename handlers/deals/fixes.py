"""Fixing a deal made by mistake (issue 10, item 12): the owner deletes it, after a question
that says what goes with it; and it is moved to another client (search, then pick).

Both start from the deal's "✏️ Edit" screen; every press is checked again by the CRM.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm import visibility
from crm.parsing.search_text import shows
from crm.service import Crm
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealAction, DealCb
from handlers.deals.screen import back_to_deal, refresh_deal
from handlers.deals.states import DealEditFlow, OneDeal
from handlers.kit.keyboards import button, keyboard, pick
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.timeline import shorten
from storage.models import User

routes = Routes(__name__)
FOUND_SHOWN = 8


def fix_buttons(deal_id: int, page: int, reader: User) -> list[InlineKeyboardButton]:
    """The edit screen's row: another client, and (for the owner) delete."""
    row = [button(_("👤 Another client"), DealCb(action=DealAction.CLIENT, deal_id=deal_id))]
    if visibility.can_delete(reader):
        data = DealCb(action=DealAction.DELETE, deal_id=deal_id, page=page)
        row.append(button(_("🗑 Delete the deal"), data))
    return row


# --- delete ---------------------------------------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == DealAction.DELETE))
async def ask_delete(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    tasks = await crm.deal_edits.deletion_preview(member, callback_data.deal_id)
    events = await crm.deal_edits.history_count(member, callback_data.deal_id)
    deal = await crm.deals.visible(member, callback_data.deal_id)
    text = _(
        "Delete the deal “{title}” for good? Its open and done tasks go with it: {tasks}. "
        "Its history entries ({events}) stay on the client's timeline. This cannot be undone."
    ).format(title=deal.title, tasks=tasks, events=events)
    yes = DealCb(action=DealAction.DELETE_YES, deal_id=deal.id)
    no = DealCb(action=DealAction.OPEN, deal_id=deal.id, page=callback_data.page)
    await show(
        callback,
        Text(text),
        keyboard([button(_("🗑 Yes, delete"), yes), button(_("◀️ No, back"), no)]),
    )


@routes.callback_query(DealCb.filter(F.action == DealAction.DELETE_YES))
async def delete(callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User) -> None:
    deal = await crm.deals.visible(member, callback_data.deal_id)
    title, client_id = deal.title, deal.client_id
    tasks = await crm.deal_edits.delete(member, deal.id)
    text = _("🗑 The deal “{title}” is deleted, and its tasks: {tasks}.").format(
        title=title, tasks=tasks
    )
    card = ClientCb(action="open", client_id=client_id)
    await show(callback, Text(text), keyboard([button(_("👤 Open the client"), card)]))


# --- another client -----------------------------------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == DealAction.CLIENT))
async def ask_client(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    deal = await crm.deals.changeable(member, callback_data.deal_id)
    await state.set_state(DealEditFlow.client)
    await OneDeal(deal_id=deal.id).save(state)
    await show(callback, Text(client_question(deal.title)), keyboard([back_to_deal(deal.id)]))


def client_question(title: str) -> str:
    return _("Send the name (or phone, company) of the client to move “{title}” to.").format(
        title=title
    )


@routes.message(DealEditFlow.client, F.text)
async def typed_client(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    async with keep_asking(state, again=(), forget=True):  # gone meanwhile: the question ends
        deal = await crm.deals.changeable(member, (await OneDeal.load(state)).deal_id)
    if not shows(message.text or ""):  # nothing to look for: the question again
        await message.answer(client_question(deal.title))
        return
    found = [
        client
        for client in await crm.client_queries.search(member, message.text or "", FOUND_SHOWN + 1)
        if client.id != deal.client_id
    ]
    if not found:
        query = shorten(" ".join((message.text or "").split()), 50)
        text = _("No other client found by “{query}”. Send another name, or /cancel.")
        await message.answer(text.format(query=query))
        return
    choices = [
        (
            "👤 " + shorten(client.name, 50),
            DealCb(action=DealAction.SET_CLIENT, deal_id=deal.id, item_id=client.id),
        )
        for client in found[:FOUND_SHOWN]
    ]
    markup = keyboard(*pick(choices), [back_to_deal(deal.id)])
    await message.answer(
        _("Move “{title}” to which client?").format(title=deal.title), reply_markup=markup
    )


@routes.message(DealEditFlow.client)
async def client_not_text(message: Message) -> None:
    await message.answer(_("Send it as text, or /cancel."))


@routes.callback_query(DealCb.filter(F.action == DealAction.SET_CLIENT))
async def set_client(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    deal = await crm.deal_edits.move_to_client(member, callback_data.deal_id, callback_data.item_id)
    if await state.get_state() == DealEditFlow.client.state:
        await state.clear()
    await refresh_deal(callback, crm, member, deal.id)
    await callback.answer(_("The deal is moved."))
