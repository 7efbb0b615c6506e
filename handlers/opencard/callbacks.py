"""The buttons of the open card. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import RecordId


class OpenCardAction(StrEnum):
    COMMENT = "comment"  # the text asked about is a comment on the open card
    SEARCH = "search"  # the text asked about is a search
    DETACH_TASK = "detach_task"  # ``ref``: a task made on the open card, to be on no card
    NOT_THIS_CARD = "not_this"  # /deal: not for the open card (``ref``: its client)
    TAKE_BACK_DEAL = "take_back"  # ``ref``: a deal /deal just made on the open card
    FULL_TEXT = "full"  # an older message's "Read whole" (``WholeNoteCb`` now)
    ATTACH_FILE = "attach"  # ``ref``: a spreadsheet sent with a card open, goes on the card
    IMPORT_FILE = "import"  # ``ref``: that spreadsheet is imported instead


class OpenCardCb(CallbackData, prefix="oc"):
    """``ref``: the question's key (the message asked about), a task, a client or an event."""

    action: OpenCardAction
    ref: RecordId = 0


class WholeNoteCb(CallbackData, prefix="wn"):
    """ "📖 Read whole": ``ref``, an event whose note the timeline shows cut; ``check``, its
    ``crm.timeline.note_check`` (another note may have its id by the time it is pressed)."""

    ref: RecordId
    check: str
