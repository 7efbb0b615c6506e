"""What a use case says when it refuses. Handlers turn these into words."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every reason a use case refuses (``CrmError.code``).

    The text for each lives in ``handlers/kit/errors.py`` and its siblings; a test checks
    that every code reads as words in both languages.
    """

    # Access and records that are gone
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    BAD_CARD = "bad_card"
    # Any typed text
    EMPTY = "empty"
    TOO_LONG = "too_long"
    # The team: members, roles, languages, statuses, time zones
    ROLE_UNCHANGED = "role_unchanged"
    ALREADY_ACTIVE = "already_active"
    ALREADY_INACTIVE = "already_inactive"
    MEMBER_INACTIVE = "member_inactive"  # a deactivated member's role: turned on first
    BAD_LANGUAGE = "bad_language"
    BAD_ROLE = "bad_role"
    NO_SUCH_STATUS = "no_such_status"
    NO_SUCH_MEMBER = "no_such_member"
    TOO_MANY_STATUSES = "too_many_statuses"
    BAD_STATUS_NAME = "bad_status_name"
    STATUS_NAME_TAKEN = "status_name_taken"
    BAD_TIMEZONE = "bad_timezone"
    BAD_HOUR = "bad_hour"
    TOO_MANY_TAGS = "too_many_tags"
    # Clients and their timeline
    CLIENT_NOT_VISIBLE = "client_not_visible"
    DUPLICATE_PHONE = "duplicate_phone"
    DUPLICATE_EMAIL = "duplicate_email"
    ALREADY_UNDONE = "already_undone"
    TOO_LATE_TO_UNDO = "too_late_to_undo"
    BAD_CALL_OUTCOME = "bad_call_outcome"
    NOTE_GONE = "note_gone"  # a note to read whole: undone, its id perhaps another's now
    # The pipeline: stages and reasons
    STAGE_GONE = "stage_gone"
    REASON_GONE = "reason_gone"
    CLOSED_STAGE = "closed_stage"
    LAST_OPEN_STAGE = "last_open_stage"
    MOVE_DEALS_FIRST = "move_deals_first"
    STAGE_NAME_TAKEN = "stage_name_taken"
    REASON_TAKEN = "reason_taken"
    TOO_MANY_REASONS = "too_many_reasons"
    TOO_MANY_STAGES = "too_many_stages"
    BAD_STALE_DAYS = "bad_stale_days"
    # Deals
    ALREADY_ON_STAGE = "already_on_stage"
    ALREADY_OPEN = "already_open"
    STAGE_CHANGED = "stage_changed"  # moved by someone else since the button was shown
    SAME_CLIENT = "same_client"
    DEAL_MOVING = "deal_moving"  # moved to other clients again and again while it was changed
    NEGATIVE_AMOUNT = "negative_amount"
    # Tasks
    ALREADY_DONE = "already_done"
    IN_THE_PAST = "in_the_past"
    BAD_PRIORITY = "bad_priority"
    BAD_REMINDER = "bad_reminder"
    BAD_REPEAT = "bad_repeat"
    # Group chats
    NOT_A_GROUP = "not_a_group"
    NOT_BOUND = "not_bound"
    BAD_TOPIC = "bad_topic"
    # Imports
    IMPORT_EMPTY = "import_empty"
    IMPORT_NOT_SPREADSHEET = "import_not_spreadsheet"
    IMPORT_WEB_PAGE = "import_web_page"  # HTML or XML named .xls: saved as .xlsx, it reads
    IMPORT_PASSWORD = "import_password"
    IMPORT_NO_COLUMNS = "import_no_columns"
    IMPORT_NO_TITLE = "import_no_title"  # a file of records with no column of their names
    IMPORT_BAD_COLUMN = "import_bad_column"
    IMPORT_BAD_TARGET = "import_bad_target"
    IMPORT_ALREADY_UNDONE = "import_already_undone"
    IMPORT_RUNNING = "import_running"
    IMPORT_TOO_LARGE = "import_too_large"
    IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
    IMPORT_UNCLOSED_QUOTE = "import_unclosed_quote"  # a CSV's quote never closed: its line
    IMPORT_STRAY_QUOTE = "import_stray_quote"  # a CSV's quote taking rows in: line, end
    IMPORT_CHANGED_SINCE = "import_changed_since"
    # Incoming leads and their sources
    LEAD_YOURS = "lead_yours"
    LEAD_SPAM = "lead_spam"
    LEAD_TAKEN = "lead_taken"
    BAD_ASSIGNMENT = "bad_assignment"
    TEST_SUBMISSION = "test_submission"
    TOO_MANY_SOURCES = "too_many_sources"
    # Custom fields, record types, records and links
    BAD_FIELD_VALUE = "bad_field_value"
    FIELD_REQUIRED = "field_required"
    FIELD_NAME_BUILT_IN = "field_name_built_in"
    FIELD_NAME_TAKEN = "field_name_taken"
    TYPE_NAME_TAKEN = "type_name_taken"
    TYPE_HAS_RECORDS = "type_has_records"
    TOO_MANY_OPTIONS = "too_many_options"
    TOO_MANY_FIELDS = "too_many_fields"
    TOO_MANY_TYPES = "too_many_types"
    FIELD_GONE = "field_gone"
    OPTION_GONE = "option_gone"
    OPTION_TWICE = "option_twice"
    NO_OPTIONS = "no_options"
    NOT_A_LIST_FIELD = "not_a_list_field"
    RECORD_TYPE_GONE = "record_type_gone"
    RECORD_TYPE_ARCHIVED = "record_type_archived"
    RECORD_ARCHIVED = "record_archived"
    RECORD_NOT_VISIBLE = "record_not_visible"  # a task given to one who does not see it
    # A deal moved to a client one of its open tasks' assignees does not see.
    TASK_CLIENT_NOT_VISIBLE = "task_client_not_visible"
    STARTER_TAKEN = "starter_taken"
    NO_SUCH_STARTER = "no_such_starter"
    BAD_EMOJI = "bad_emoji"
    LINK_TO_ITSELF = "link_to_itself"
    ALREADY_LINKED = "already_linked"
    LINK_GONE = "link_gone"
    LINES_ARE_DEAL_AND_RECORD = "lines_are_deal_and_record"
    BAD_QUANTITY = "bad_quantity"
    QUANTITY_TOO_PRECISE = "quantity_too_precise"  # finer than the thousandths kept
    BAD_PRICE = "bad_price"
    LINE_TOO_LARGE = "line_too_large"  # a line's total above the largest amount of a deal
    LINES_TOO_LARGE = "lines_too_large"  # a deal's lines' total above it
    # Automation
    BAD_RULE = "bad_rule"
    TOO_MANY_RULES = "too_many_rules"
    # Templates and email
    UNKNOWN_PLACEHOLDER = "unknown_placeholder"
    BROKEN_PLACEHOLDER = "broken_placeholder"
    DOUBLE_BRACES = "double_braces"
    NOT_DOCX = "not_docx"
    FILE_TOO_BIG = "file_too_big"
    BROKEN_TEMPLATE = "broken_template"
    TOO_MANY_TEMPLATES = "too_many_templates"
    TEMPLATE_GONE = "template_gone"
    TEMPLATE_NAME_TAKEN = "template_name_taken"
    MAIL_OFF = "mail_off"
    NO_EMAIL = "no_email"
    TEMPLATE_EMPTY = "template_empty"  # filled, nothing of it shows: no letter of nothing
    MAIL_FAILED = "mail_failed"
    BUSINESS_NOT_CONNECTED = "business_not_connected"
    BUSINESS_TEMPLATE_GAPS = "business_template_gaps"
    BUSINESS_NO_CHAT = "business_no_chat"
    BUSINESS_NOT_YOURS = "business_not_yours"
    BUSINESS_INBOX_OFF = "business_inbox_off"
    BUSINESS_DISCONNECTED = "business_disconnected"
    BUSINESS_EXCLUDED = "business_excluded"
    BUSINESS_NO_RIGHTS = "business_no_rights"
    BUSINESS_TOO_LATE = "business_too_late"
    BAD_DAY_PART = "bad_day_part"
    DAY_PARTS_ORDER = "day_parts_order"
    NO_LETTERS = "no_letters"
    DEAL_NOT_FRESH = "deal_not_fresh"
    TOO_MANY_FILTERS = "too_many_filters"
    FILL_BAD_PHONE = "fill_bad_phone"
    NOT_FILLABLE = "not_fillable"
    FILL_BAD_AMOUNT = "fill_bad_amount"
    AMOUNT_TOO_PRECISE = "amount_too_precise"
    FILLED_MEANWHILE = "filled_meanwhile"  # a template's "fill it now": someone else's value


def amount_refusal(code: str) -> ErrorCode:
    """The refusal of a typed amount by its parser's ``code`` (``AmountError``): a part of
    a kopeck is told as such, anything else as not an amount."""
    return ErrorCode.AMOUNT_TOO_PRECISE if code == "too_precise" else ErrorCode.FILL_BAD_AMOUNT


def refuse_filled(only_if_empty: bool, old: object) -> None:
    """For a write meant only to fill an empty field (``only_if_empty``: a template's
    "fill it now", checked under the card's lock): ``FILLED_MEANWHILE`` when the field has
    a value now (``old`` as its text, empty when falsy), someone else's, which stays."""
    if only_if_empty and old:
        raise Conflict(ErrorCode.FILLED_MEANWHILE)


class CrmError(Exception):
    """A refusal with a machine-readable ``code`` and the values to explain it."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class NotAllowed(CrmError):
    """The actor may not do this, or may not see the record (the two look the same)."""

    def __init__(self, code: ErrorCode = ErrorCode.NOT_ALLOWED, **params: Any) -> None:
        super().__init__(code, **params)


class NotFound(CrmError):
    def __init__(self, code: ErrorCode = ErrorCode.NOT_FOUND, **params: Any) -> None:
        super().__init__(code, **params)


class InvalidInput(CrmError):
    pass


class Conflict(CrmError):
    """The record changed under the user: already done, already used, gone."""
