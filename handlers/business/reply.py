"""From the card: reply into the client's Telegram chat, or leave the chat out of the card.

A reply is typed, or made from one of the team's text templates (filled for
the client and shown before "Send"). It is checked twice: when Reply is
pressed (rights, the 24 hours) and again right before it is sent through the
connection (``business_connection_id``); what Telegram refuses is told, not
recorded.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.business.replies import reply_text
from crm.service import Crm
from handlers.business.callbacks import BizAction, BizCb
from handlers.business.states import ReplyData, ReplyFlow
from handlers.business.views import reply_question, template_preview
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.kit.alerts import alert
from handlers.kit.keyboards import button, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import User

log = logging.getLogger(__name__)

routes = Routes(__name__)

# Telegram's answer when the customer's last message is more than 24 hours old.
TOO_LATE = "BUSINESS_PEER_USAGE_MISSING"


def back_to_card(client_id: int) -> list[InlineKeyboardButton]:
    return [button(_("◀️ Card"), ClientCb(action=CardAction.OPEN, client_id=client_id))]


@routes.callback_query(BizCb.filter(F.action == BizAction.REPLY))
async def ask_reply(
    callback: CallbackQuery, callback_data: BizCb, crm: Crm, member: User, state: FSMContext
) -> None:
    target = await crm.business_replies.target(member, callback_data.client_id)
    client = await crm.clients.visible(member, target.client_id)
    await state.set_state(ReplyFlow.text)
    await ReplyData(reply_client_id=target.client_id).save(state)
    templates = await crm.business_replies.text_templates()
    await show(callback, *reply_question(client.name, target.client_id, templates))


@routes.message(ReplyFlow.text, F.text)
async def send_typed(message: Message, bot: Bot, crm: Crm, member: User, state: FSMContext) -> None:
    data = await ReplyData.load(state)
    text = reply_text(message.text)  # empty or too long: asked again, the dialog stays
    await state.clear()
    await deliver(message, bot, crm, member, data.reply_client_id, text)


@routes.message(ReplyFlow.text)
async def not_text(message: Message) -> None:
    await message.answer(_("Only text can be sent from the card. Send the reply as text."))


@routes.callback_query(BizCb.filter(F.action == BizAction.TEMPLATE))
async def fill_template(
    callback: CallbackQuery, callback_data: BizCb, crm: Crm, member: User, state: FSMContext
) -> None:
    target = await crm.business_replies.target(member, callback_data.client_id)
    text = await crm.business_replies.from_template(
        member, callback_data.template_id, target.client_id
    )
    client = await crm.clients.visible(member, target.client_id)
    await state.set_state(ReplyFlow.text)
    await ReplyData(reply_client_id=target.client_id, reply_text=text).save(state)
    await show(callback, *template_preview(client.name, target.client_id, text))


@routes.callback_query(BizCb.filter(F.action == BizAction.SEND))
async def send_template(
    callback: CallbackQuery,
    callback_data: BizCb,
    bot: Bot,
    crm: Crm,
    member: User,
    state: FSMContext,
) -> None:
    data = await ReplyData.load(state)
    if not data.reply_text or data.reply_client_id != callback_data.client_id:
        await alert(callback, _("This button is no longer active."))
        return
    await state.clear()
    await callback.answer()
    await deliver(callback, bot, crm, member, data.reply_client_id, data.reply_text)


async def deliver(
    event: Message | CallbackQuery, bot: Bot, crm: Crm, member: User, client_id: int, text: str
) -> None:
    """Send ``text`` into the client's chat from the member's account, and note it on the card."""
    target = await crm.business_replies.target(member, client_id)
    back = keyboard(back_to_card(target.client_id))
    try:
        sent = await bot.send_message(
            target.chat_id, text, business_connection_id=target.connection_id
        )
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.info("Telegram refused a reply from client %s: %s", target.client_id, error.message)
        said = (
            _(
                "Too late: Telegram lets you reply through the bot only within 24 hours of "
                "the customer's last message. Write to them in Telegram yourself."
            )
            if TOO_LATE in error.message
            else _("Telegram did not let the bot send this reply: {reason}").format(
                reason=error.message[:200]
            )
        )
        await show(event, Text(said), back)
        return
    await crm.business_replies.sent(member, target, sent.message_id, text)
    await show(event, Text(_("Sent into the client's Telegram chat; it is on the card.")), back)


@routes.callback_query(BizCb.filter(F.action == BizAction.EXCLUDE))
async def exclude(callback: CallbackQuery, callback_data: BizCb, crm: Crm, member: User) -> None:
    await crm.business_replies.set_excluded(member, callback_data.client_id, callback_data.on)
    said = (
        _("This chat is left out: nothing more of it goes onto the card.")
        if callback_data.on
        else _("This chat goes onto the card again.")
    )
    await callback.answer(said)
    await show(callback, Text(said), keyboard(back_to_card(callback_data.client_id)))
