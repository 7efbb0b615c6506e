"""The buttons of lead intake. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import MemberId, Page, RecordId


class LeadAction(StrEnum):
    TAKE = "take"
    SPAM = "spam"
    LIST = "list"


class LeadCb(CallbackData, prefix="ld"):
    action: LeadAction
    lead_id: RecordId = 0
    # Pressed on /incoming, which is shown again after: its page + 1 (0: on a lead's notice).
    # LIST: the page to show, the same way.
    listed: Page = 0


class SourceAction(StrEnum):
    LIST = "list"
    ADD = "add"
    SHOW = "show"
    QUEUE = "queue"
    MEMBER = "member"  # all leads to member_id
    TURN_IN = "turn_in"  # member_id takes leads in turn with the others
    TURN_OUT = "turn_out"  # member_id no longer does
    DEAL_ON = "deal_on"  # each lead opens a deal too
    DEAL_OFF = "deal_off"  # it does not
    TURN = "turn"  # an older message's, which did not say in or out
    DEAL = "deal"  # an older message's, which did not say on or off
    TOKEN = "token"
    REMOVE = "remove"


class SourceCb(CallbackData, prefix="ls"):
    action: SourceAction
    source_id: RecordId = 0
    member_id: MemberId = 0


class SourceTeamCb(CallbackData, prefix="lst"):
    """The team's buttons on a source's screen, a page of members at a time (a team may
    pass Telegram's 100 buttons): ``SHOW`` a page, ``MEMBER``, ``TURN_IN`` and
    ``TURN_OUT`` as ``SourceCb``'s, the screen staying on ``page``. ``SourceCb``'s member
    buttons, on a screen from before the pages, still work (they show the first page)."""

    action: SourceAction
    source_id: RecordId = 0
    member_id: MemberId = 0
    page: Page = 0
