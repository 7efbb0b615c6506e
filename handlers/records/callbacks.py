"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import MemberId, Page, RecordId, TypeId


class Ent(StrEnum):
    # any card: its custom fields and its links
    FIELDS = "f"
    EDIT_VALUE = "ev"
    CLEAR_VALUE = "cv"
    LINKS = "l"
    LINK_TYPE = "lt"  # choose what kind of card to link
    LINK_PICK = "lp"  # a search result picked
    UNLINK = "u"
    FOLLOW = "fo"  # a deal's amount follows its lines (item 1 on, 0 off)
    # record types and records
    TYPES = "t"
    LIST = "ls"
    RECORD = "r"
    NEW_RECORD = "n"
    ARCHIVE = "a"
    RESTORE = "rs"
    DELETE = "d"
    DELETE_YES = "dy"
    COMMENT = "c"  # a comment on a record's timeline
    SEARCH = "q"  # find a type's records by name (item 1: in the archive)
    FILES = "fs"  # an older message's: the files on the card's page (``page``: its first event)
    SHOWN_FILES = "sf"  # the files of the ``page`` events the card showed, ``item`` the newest
    FILE = "fi"  # send one back (``item``: its event)
    UNDO = "ud"  # an older message's Undo (``item``: its event; ``UndoCb`` now)
    MANAGER = "m"  # who is responsible: the choices (RecordManagerCb)
    # the owner's settings
    SETTINGS = "s"
    FIELD_LIST = "fl"
    ADD_FIELD = "af"
    FIELD_TYPE = "ft"
    FIELD = "fd"
    FIELD_REQUIRED = "fr"
    FIELD_UP = "fu"
    FIELD_DELETE = "fx"
    FIELD_DELETE_YES = "fy"
    STARTER = "st"
    SKIP_STARTER = "sk"
    NEW_TYPE = "nt"
    TYPE = "ty"
    TYPE_ARCHIVE = "ta"
    TYPE_DELETE = "td"  # asks first (what goes with it, the rules that use it)
    TYPE_DELETE_YES = "tdy"
    # renames in the owner's settings (values are kept: they hold ids, not names)
    FIELD_RENAME = "fn"
    OPTIONS = "o"
    OPTION_RENAME = "on"
    OPTION_ADD = "oa"
    OPTION_DELETE = "od"
    OPTION_DELETE_YES = "oy"
    TYPE_RENAME = "tn"
    TYPE_EMOJI = "te"


class EntCb(CallbackData, prefix="en"):
    """``kind`` and ``card``: the card the screen is about (client, deal, record);
    ``type_id``: a record type; ``item``: a field, link, option or picked card id;
    ``page``: a page (on MANAGER: of the team), the first event of a card's history
    (``Ent.RECORD``, ``item`` FROM_EVENT), or the option of the field in ``item`` (option
    rename)."""

    action: Ent
    kind: str = ""
    card: RecordId = 0
    type_id: TypeId = 0
    item: RecordId = 0
    page: Page = 0


class RecList(StrEnum):
    SHOW = "s"  # the list with the filters in ``f``
    FIELDS = "f"  # the type's fields that can filter
    FIELD = "v"  # one list or yes/no field's choices
    RANGE = "r"  # ask for a number, money or date field's range


class RecordListCb(CallbackData, prefix="rl"):
    """A record type's list filtered by its custom fields; ``f``: the filters packed by
    ``handlers.kit.field_filters.pack`` (untrusted: unpacked and checked on each press)."""

    action: RecList
    type_id: TypeId = 0
    page: Page = 0
    archived: bool = False
    field_id: RecordId = 0
    f: str = ""


class RecordManagerCb(CallbackData, prefix="rm"):
    """Make ``member_id`` (0: nobody) responsible for the record ``record_id``; a member's
    Telegram id does not fit ``EntCb.item``."""

    record_id: RecordId
    member_id: MemberId = 0
