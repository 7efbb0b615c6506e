"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import ChatId


class GroupAction(StrEnum):
    ON = "on"  # the group hears ``topic``
    OFF = "off"  # it no longer does
    TOGGLE = "toggle"  # an older message's switch, which did not say which way


class GroupCb(CallbackData, prefix="gr"):
    """The subscription switches under /bind's answer in a group."""

    action: GroupAction
    chat_id: ChatId
    topic: str = ""  # re-checked by the CRM against the topics it knows
