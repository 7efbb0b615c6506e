"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import MemberId, Page, RecordId


class CardAction(StrEnum):
    OPEN = "open"
    PAGE = "page"  # an older message's: ``page`` a page of CARD_PAGE events
    FROM = "from"  # the history from the ``page``-th event
    STATUS = "status"
    SET_STATUS = "set_status"
    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"
    DELETE = "delete"
    DELETE_YES = "delete_yes"
    MANAGER = "manager"
    SET_MANAGER = "set_manager"
    FILES = "files"  # an older message's: ``at`` of the events read from ``page`` on
    SHOWN_FILES = "sfiles"  # the files of ``at`` events shown, the newest ``ref``
    FILE = "file"
    DEALS = "deals"
    EDIT = "edit"
    EDIT_FIELD = "edit_field"
    TAGS = "tags"
    UNTAG = "untag"
    COMMENT = "comment"
    CALL = "call"
    CALL_OUTCOME = "call_outcome"
    CALL_SAVE = "call_save"
    UNDO = "undo"  # an older message's Undo (``UndoCb`` now)
    CONTACTS = "contacts"  # ``code``: phones or emails, one button each
    CONTACT_ADD = "contact_add"  # ``code``: phones or emails
    UNCONTACT = "uncontact"  # ``code``: p or e and the value's token; asks first
    UNCONTACT_YES = "uncontact_yes"


class ClientCb(CallbackData, prefix="cl"):
    """A button on or about one client's card.

    ``page``: the first event of the card's history shown, to come back to (0: the
    newest; a page of ten on an older message's PAGE button). ``ref``: the event the
    action is about (a file, a note to undo). ``code``: a status code, a field name,
    a call outcome or a tag's token. ``at``: the page of the client's deal list; on
    FILES and SHOWN_FILES, how many of the page's events the card showed (0: all ten
    read; SHOWN_FILES: ``ref`` is the newest of them); on MANAGER, the page of the team
    shown.
    ``member_id``: the new responsible (0: nobody).
    """

    action: CardAction
    client_id: RecordId
    page: Page = 0
    ref: RecordId = 0
    code: str = ""
    at: Page = 0
    member_id: MemberId = 0


class ListAction(StrEnum):
    PAGE = "page"
    MENU = "menu"
    ASK = "ask"
    TYPE_PERIOD = "type_period"
    RESET = "reset"
    ARCHIVE = "archive"
    DEALS = "deals"
    OVERDUE = "overdue"
    STATUS = "status"
    TAG = "tag"
    CITY = "city"
    MANAGER = "manager"
    PERIOD = "period"
    FIELD = "field"  # code: "<field id>.<choice>" (empty choice: any)
    FIELD_RANGE = "field_range"  # code: the field id; the range is typed
    FIELDS_CLEAR = "fields_clear"


class ClientListCb(CallbackData, prefix="cls"):
    """The client list: a page, the filter menu, a filter's choices, a choice, or reset.

    The choice: ``code`` (which filter to ASK about, a status code, a tag's or city's
    token, a preset period), ``on`` (archive, open deals, overdue tasks) or
    ``member_id`` (the responsible; 0: nobody). Empty: any. On ASK about the
    responsible, a tag or a city, ``member_id`` is the page of the choices shown (empty:
    the first).
    """

    action: ListAction
    page: Page = 0
    code: str = ""
    on: bool | None = None
    member_id: MemberId | None = None


class NewClientAction(StrEnum):
    SKIP_PHONE = "skip_phone"
    SKIP_EMAIL = "skip_email"
    SKIP_COMPANY = "skip_company"
    SKIP_CITY = "skip_city"
    SKIP_SOURCE = "skip_source"
    SOURCE = "source"  # ``n``: one of the usual sources the question offered
    SAVE = "save"  # save the client as it is now, skipping the steps left
    FORCE = "force"
    OPEN_DUP = "open_dup"
    FWD_NEW = "fwd_new"
    FWD_ADD = "fwd_add"
    FWD_FIND = "fwd_find"


SKIPS = {
    NewClientAction.SKIP_PHONE: "phone",
    NewClientAction.SKIP_EMAIL: "email",
    NewClientAction.SKIP_COMPANY: "company",
    NewClientAction.SKIP_CITY: "city",
    NewClientAction.SKIP_SOURCE: "source",
}


class NewClientCb(CallbackData, prefix="nc"):
    """The new-client dialog: skip a step, create despite a duplicate, open the duplicate."""

    action: NewClientAction
    client_id: RecordId = 0
    n: Page = 0
