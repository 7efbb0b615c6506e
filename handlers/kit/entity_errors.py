"""Words for the refusals of custom fields, record types, records and links."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError


def value_reason(reason: str, limit: object) -> str:
    texts = {
        "not_a_number": _("That is not a number. Send digits, like 12 or 12.5."),
        "not_a_date": _("That is not a date. Send it like 31.12.2026."),
        "not_yes_no": _("Send yes or no."),
        "not_in_list": _("That is not one of the options."),
        "bad_phone": _("That is not a phone number."),
        "bad_email": _("That is not an email address."),
        "bad_url": _("That is not a link. Send it like example.com."),
        "negative": _("The amount cannot be negative."),
        "too_large": _("That number is too large."),
        "not_a_range": _("Send a range, like 10000-50000, от 10000 до 50000, > 5000 or < 100."),
    }
    if reason == "too_long":
        return _("That is too long: at most {limit} characters.").format(limit=limit)
    return texts.get(reason, _("That value does not fit this field."))


def entity_error_text(error: CrmError) -> str | None:
    """The text for a code of this feature, or None when the code is not ours."""
    params = error.params
    if error.code == "bad_field_value":
        return "{name}: {reason}".format(
            name=params.get("name", ""),
            reason=value_reason(str(params.get("reason")), params.get("limit")),
        )
    if error.code == "field_required":
        return _("“{name}” is required.").format(name=params.get("name", ""))
    if error.code == "field_name_built_in":
        return _("“{name}” is a built-in field already. Choose another name.").format(
            name=params.get("name", "")
        )
    if error.code == "field_name_taken":
        return _("There is a field named “{name}” already.").format(name=params.get("name", ""))
    if error.code == "type_name_taken":
        return _("There is a record type named “{name}” already.").format(
            name=params.get("name", "")
        )
    if error.code == "type_has_records":
        return _("This type has {count} records; archive it instead.").format(
            count=params.get("count", 0)
        )
    if error.code in ("too_many_options", "too_many_fields", "too_many_types", "too_many_filters"):
        return _("That is over the limit of {limit}.").format(limit=params.get("limit"))
    texts = {
        "field_gone": _("This field no longer exists."),
        "option_twice": _("Each option must differ from the others."),
        "option_gone": _("This option no longer exists."),
        "bad_card": _("This button is no longer active."),
        "not_a_list_field": _("This field has no options."),
        "no_options": _("A list field needs at least one option."),
        "record_type_gone": _("This record type no longer exists."),
        "record_type_archived": _("This record type is in the archive."),
        "starter_taken": _("This type was added already."),
        "bad_emoji": _("Send one emoji."),
        "link_to_itself": _("A card cannot be linked to itself."),
        "already_linked": _("These cards are linked already."),
        "link_gone": _("This link no longer exists."),
        "lines_are_deal_and_record": _("A quantity is kept only between a deal and a record."),
        "bad_quantity": _("Send a quantity greater than zero."),
        "bad_price": _("The price is out of range."),
    }
    return texts.get(error.code)
