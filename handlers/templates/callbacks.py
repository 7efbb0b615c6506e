"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import RecordId


class TplAction(StrEnum):
    # /settings → Templates (the owner)
    LIST = "list"
    ADD_TEXT = "add_text"
    ADD_DOC = "add_doc"
    OPEN = "open"
    DELETE = "delete"
    DELETE_YES = "delete_yes"
    NEW_FILE = "new_file"  # a document template's screen: "send its new file"
    REPLACE = "replace"  # a document template's file swapped for the one just sent
    # "📨 Send" on a card (any member who sees the card)
    PICK = "pick"
    CHOOSE = "choose"
    FILL = "fill"
    READY = "ready"
    EMAIL = "email"


class TplCb(CallbackData, prefix="tp"):
    """``template_id`` for a template; ``client_id`` or ``deal_id`` for the card it is sent from."""

    action: TplAction
    template_id: RecordId = 0
    client_id: RecordId = 0
    deal_id: RecordId = 0
