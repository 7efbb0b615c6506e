"""The Telegram Business inbox's buttons. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import MemberId, RecordId


class BizAction(StrEnum):
    SETTINGS = "settings"  # /settings → Telegram Business
    INBOX = "inbox"  # the owner switches the inbox on (``on``) or off for the team
    DEAL = "deal"  # the member's "open a deal for a new contact": ``on``
    REPLY = "reply"  # write into the client's chat from the card
    EXCLUDE = "exclude"  # leave the client's chat out of the card (``on``) or take it back
    TEMPLATE = "template"  # fill ``template_id`` for the client and show it before sending
    SEND = "send"  # send the filled template shown
    TAKE_BACK = "take_back"  # record again a chat left out whose card was deleted: ``chat``


class BizCb(CallbackData, prefix="bz"):
    action: BizAction
    client_id: RecordId = 0
    template_id: RecordId = 0
    on: bool = False
    chat: MemberId = 0  # a customer's Telegram id
