"""A spreadsheet sent with a card open: attach it to the card, or import it?

The open card says "a file sent now goes here", and a file named like a spreadsheet
(.csv, .xlsx…) starts an import. With a card open both are asked about; the answer
does one of them, once. With no card open the file is imported as before
(``handlers.imports.flow``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.clients.notes import attach_to_client
from handlers.imports.flow import is_spreadsheet, start_import
from handlers.kit.files import SentFile
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb
from handlers.opencard.states import PendingFile, take_once
from handlers.opencard.views import file_question
from handlers.records import files as record_files
from storage.models import User

routes = Routes(__name__)


def card_open(message: Message, crm: Crm, member: User) -> dict[str, Any] | bool:
    """A filter: a card is open (recently, ``card_context``); gives the handler ``card``,
    (record, client, deal), 0 for none."""
    window = crm.config.card_context
    record_id = crm.timeline.open_record_id(member, window)
    if record_id is not None:
        return {"card": (record_id, 0, 0)}
    client_id = crm.timeline.open_client_id(member, window)
    if client_id is None:
        return False
    return {"card": (0, client_id, crm.timeline.open_deal_id(member, window) or 0)}


@routes.message(StateFilter(None), F.document, is_spreadsheet, F.chat.type == "private", card_open)
async def attach_or_import(
    message: Message, crm: Crm, member: User, state: FSMContext, card: tuple[int, int, int]
) -> None:
    record_id, client_id, deal_id = card
    if record_id:
        name = (await crm.records.visible(member, record_id)).title
    elif deal_id:
        name = (await crm.deals.visible(member, deal_id)).title
    else:
        name = (await crm.clients.visible(member, client_id)).name
    document = message.document
    assert document is not None
    key = message.message_id % 2**31
    await PendingFile(
        file_key=key,
        file_id=document.file_id,
        file_name=document.file_name or "file",
        file_size=document.file_size,
        file_caption=message.caption,
        file_record=record_id,
        file_client=client_id,
        file_deal=deal_id,
    ).save(state)
    await show(message, file_question(key, document.file_name or "file", name))


ANSWERS = {OpenCardAction.ATTACH_FILE, OpenCardAction.IMPORT_FILE}


@routes.callback_query(OpenCardCb.filter(F.action.in_(ANSWERS)))
async def answered(
    callback: CallbackQuery,
    callback_data: OpenCardCb,
    crm: Crm,
    member: User,
    state: FSMContext,
    bot: Bot,
) -> None:
    """Attach the file to the card open when it was sent, or import it: once."""
    gone = _("This question is already answered or has expired; send the file again.")
    data = await take_once(callback, state, PendingFile, callback_data.ref, gone)
    if data is None:
        return
    async with asked_again(data, state):
        if callback_data.action == OpenCardAction.IMPORT_FILE:
            file = (data.file_id, data.file_name, data.file_size)
            await start_import(callback, state, bot, crm, member, file)
            return
        sent = SentFile("document", data.file_id, data.file_name, data.file_caption)
        if data.file_record:
            await record_files.attach_file(callback, crm, member, data.file_record, sent)
        else:
            card = (data.file_client, data.file_deal or None)
            await attach_to_client(callback, crm, member, card, sent)


@asynccontextmanager
async def asked_again(data: PendingFile, state: FSMContext) -> AsyncIterator[None]:
    """The answer done with ``data`` taken; refused (an archived record, a file too large
    to import…), the question stays, for the other answer."""
    try:
        yield
    except Exception:
        await data.save(state)
        raise
