"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import LooseMemberId as MemberId
from handlers.kit.callbacks import LooseRecordId as RecordId


class DealAction(StrEnum):
    OPEN = "open"
    PAGE = "page"  # an older message's: ``page`` a page of CARD_EVENTS events
    FROM = "from"  # the history from the ``page``-th event (0: the newest)
    STAGES = "stages"
    MOVE = "move"  # to ``item_id``, a stage
    REOPEN = "reopen"
    LOST = "lost"
    LOST_PICK = "lost_pick"  # ``item_id``: a listed reason
    EDIT = "edit"
    EDIT_FIELD = "edit_field"  # ``field``
    COMMENT = "comment"
    MANAGER = "manager"
    SET_MANAGER = "set_manager"  # ``member_id``, 0 for nobody
    DELETE = "delete"  # the question, with what goes with it
    DELETE_YES = "delete_yes"
    CLIENT = "client"  # the question: which client to move it to
    SET_CLIENT = "set_client"  # ``item_id``: the client


class DealField(StrEnum):
    AMOUNT = "amount"
    TITLE = "title"
    EXPECTED_CLOSE = "expected_close"
    NONE = ""


class DealCb(CallbackData, prefix="dl"):
    """A button on or about one deal; ``item_id`` is the action's stage or reason (on
    MANAGER: the page of the team shown); ``at`` the stage the deal was on when a stage's
    button was shown (0: not checked)."""

    action: DealAction
    deal_id: RecordId
    page: RecordId = 0
    item_id: RecordId = 0
    member_id: MemberId = 0
    field: DealField = DealField.NONE
    at: RecordId = 0


class NewDealAction(StrEnum):
    START = "start"
    SKIP_AMOUNT = "skip_amount"
    SKIP_TITLE = "skip_title"


class NewDealCb(CallbackData, prefix="nd"):
    """Starting a deal from a client's card."""

    action: NewDealAction
    client_id: RecordId


class DealsAction(StrEnum):
    SHOW = "show"
    STAGE = "stage"


class DealsCb(CallbackData, prefix="dls"):
    """/deals: the overview, a stage's list, filters. ``f`` packs the filters as letters."""

    action: DealsAction
    stage_id: RecordId = 0
    page: RecordId = 0
    f: str = ""


class DealFieldsAction(StrEnum):
    FIELDS = "fields"  # the deal fields that can filter
    FIELD = "field"  # one list or yes/no field's choices
    RANGE = "range"  # ask for a number, money or date field's range


class DealFieldsCb(CallbackData, prefix="dlf"):
    """/deals filtered by custom fields; ``f``: the filters as ``DealsCb.f`` packs them."""

    action: DealFieldsAction
    field_id: RecordId = 0
    f: str = ""
