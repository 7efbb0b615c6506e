"""Words for the refusals of custom fields, record types, records and links."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode


def value_reason(reason: str, limit: object) -> str:
    texts = {
        "empty": _("This cannot be empty. Please send it again."),
        "not_a_number": _("That is not a number. Send digits, like 12 or 12.5."),
        "not_a_date": _("That is not a date. Send it like 31.12.2026 or 31 December 2026."),
        "bad_year": _("That year is not valid. Send the date like 31.12.2026 or 31 December 2026."),
        "not_yes_no": _("Send yes or no."),
        "not_in_list": _("That is not one of the options."),
        "bad_phone": _("That is not a phone number."),
        "bad_email": _("That is not an email address."),
        "bad_url": _("That is not a link. Send it like example.com."),
        "negative": _("The amount cannot be negative."),
        "too_large": _("That number is too large."),
        "too_precise": _(
            "An amount has at most two digits after the decimal point (kopecks, cents)."
        ),
        "not_a_range": _("Send a range, like 10000-50000, от 10000 до 50000, > 5000 or < 100."),
    }
    if reason == "too_long":
        return _("That is too long: at most {limit} characters.").format(limit=limit)
    return texts.get(reason, _("That value does not fit this field."))


def entity_error_text(error: CrmError) -> str | None:
    """The text for a code of this feature, or None when the code is not ours."""
    params = error.params
    if error.code == ErrorCode.BAD_FIELD_VALUE:
        return "{name}: {reason}".format(
            name=params.get("name", ""),
            reason=value_reason(str(params.get("reason")), params.get("limit")),
        )
    if error.code == ErrorCode.FIELD_REQUIRED:
        return _("“{name}” is required.").format(name=params.get("name", ""))
    if error.code == ErrorCode.FIELD_NAME_BUILT_IN:
        return _("“{name}” is a built-in field already. Choose another name.").format(
            name=params.get("name", "")
        )
    if error.code == ErrorCode.FIELD_NAME_TAKEN:
        return _("There is a field named “{name}” already.").format(name=params.get("name", ""))
    if error.code == ErrorCode.TYPE_NAME_TAKEN:
        return _("There is a record type named “{name}” already.").format(
            name=params.get("name", "")
        )
    if error.code == ErrorCode.TYPE_HAS_RECORDS:
        return _("This type has {count} records; archive it instead.").format(
            count=params.get("count", 0)
        )
    if error.code in (
        ErrorCode.TOO_MANY_OPTIONS,
        ErrorCode.TOO_MANY_FIELDS,
        ErrorCode.TOO_MANY_TYPES,
    ):
        return _("That is over the limit of {limit}.").format(limit=params.get("limit"))
    if error.code == ErrorCode.TOO_MANY_FILTERS:
        return _("Too many field filters for the list's buttons to carry; clear one first.")
    texts = {
        ErrorCode.FIELD_GONE: _("This field no longer exists."),
        ErrorCode.OPTION_GONE: _("This option no longer exists."),
        ErrorCode.NOT_A_LIST_FIELD: _("This field has no list of options."),
        ErrorCode.NO_SUCH_STARTER: _("This button is no longer active."),
        ErrorCode.OPTION_TWICE: _("Each option must differ from the others."),
        ErrorCode.NO_OPTIONS: _("A list field needs at least one option."),
        ErrorCode.RECORD_TYPE_GONE: _("This record type no longer exists."),
        ErrorCode.RECORD_TYPE_ARCHIVED: _("This record type is in the archive."),
        ErrorCode.RECORD_ARCHIVED: _("This card is in the archive: restore it to add files."),
        ErrorCode.STARTER_TAKEN: _("This type was added already."),
        ErrorCode.BAD_EMOJI: _("Send one emoji."),
        ErrorCode.LINK_TO_ITSELF: _("A card cannot be linked to itself."),
        ErrorCode.ALREADY_LINKED: _("These cards are linked already."),
        ErrorCode.LINK_GONE: _("This link no longer exists."),
        ErrorCode.LINES_ARE_DEAL_AND_RECORD: _(
            "A quantity is kept only between a deal and a record."
        ),
        ErrorCode.BAD_QUANTITY: _("Send a quantity from 0.001 to 999,999,999."),
        ErrorCode.QUANTITY_TOO_PRECISE: _(
            "A quantity is kept to thousandths: the smallest step is 0.001, and this one has "
            "more digits after the point. Send it with three at most."
        ),
        ErrorCode.BAD_PRICE: _("The price is out of range."),
        ErrorCode.LINE_TOO_LARGE: _(
            "The quantity times the price is more than a deal's amount can be "
            "(less than a trillion). Check the zeros."
        ),
        ErrorCode.LINES_TOO_LARGE: _(
            "The deal's lines would add up to more than a deal's amount can be "
            "(less than a trillion). Check the quantities and prices."
        ),
    }
    return texts.get(error.code)
