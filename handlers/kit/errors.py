"""What to tell a person whose action the CRM refused."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from handlers.kit.automation_texts import automation_error_text, template_error_text
from handlers.kit.entity_errors import entity_error_text


def error_text(error: CrmError) -> str:
    """What to tell a person whose action the CRM refused."""
    entity = entity_error_text(error)
    if entity is not None:
        return entity
    texts = {
        "not_allowed": _("You don't have access to this."),
        "not_found": _("This record no longer exists."),
        "role_unchanged": _("The member already has this role."),
        "already_active": _("The member is already active."),
        "already_inactive": _("The member is already deactivated."),
        "bad_language": _("This language is not supported."),
        "bad_role": _("There is no such role."),
        "no_such_status": _("There is no such status any more."),
        "no_such_member": _("This member is not in the team any more."),
        "already_undone": _("That was already removed."),
        "too_late_to_undo": _("It is too late to undo that; it stays in the history."),
        "bad_call_outcome": _("This button is no longer active."),
        "stage_gone": _("This stage no longer exists."),
        "reason_gone": _("This reason no longer exists."),
        "closed_stage": _("A won or lost stage can only be renamed."),
        "last_open_stage": _("This is the only open stage; the pipeline needs at least one."),
        "move_deals_first": _("This stage has deals; choose where to move them first."),
        "already_done": _("Already done."),
        "in_the_past": _("That moment has already passed."),
        "bad_priority": _("This button is no longer active."),
        "bad_reminder": _("This button is no longer active."),
        "bad_repeat": _("This button is no longer active."),
        "already_on_stage": _("The deal is already at this stage."),
        "already_open": _("The deal is already open."),
        "same_client": _("The deal is already on this client."),
        "negative_amount": _("The amount cannot be negative."),
        "import_empty": _("The file has no rows to import: the sheet is empty."),
        "import_not_spreadsheet": _(
            "This is not a spreadsheet I can read. Send an .xlsx, .xls, .ods or .csv file."
        ),
        "import_password": _(
            "The workbook is protected with a password. Save it without one and send it again."
        ),
        "import_no_columns": _(
            "I found no column with names, phones, e-mails or companies. "
            "Check the header row, or choose the columns with the buttons."
        ),
        "import_bad_column": _("This button is no longer active."),
        "import_bad_target": _("This button is no longer active."),
        "import_already_undone": _("This import was already undone."),
        "import_running": _("This import is still running; undo it when it has finished."),
        "lead_yours": _("This lead is already yours."),
        "lead_spam": _("This lead was marked as spam."),
        "bad_assignment": _("Choose active members of the team for this source."),
        "test_submission": _("That was only a form's connection check."),
    }
    if error.code == "client_not_visible":
        return _(
            "{member} cannot see the client “{client}” (responsible: {responsible}). "
            "Give the client to {member} or leave it unassigned first."
        ).format(
            member=_bounded(error.params.get("member")),
            client=_bounded(error.params.get("client")),
            responsible=_bounded(error.params.get("responsible")) or "—",
        )
    if error.code == "stage_name_taken":
        return _("There is already a stage called “{name}”. Choose another name.").format(
            name=_bounded(error.params.get("name"))
        )
    if error.code in ("duplicate_phone", "duplicate_email"):
        if not error.params.get("visible"):
            return _("{value} is already on another client's card, which you cannot see.").format(
                value=_bounded(error.params.get("value"))
            )
        return _("{value} is already on the card of {name}.").format(
            value=_bounded(error.params.get("value")), name=_bounded(error.params.get("name"))
        )
    special = automation_error_text(error) or template_error_text(error)
    if special is not None:
        return special
    if error.code == "empty":
        return _("This cannot be empty. Please send it again.")
    if error.code == "deal_not_fresh":
        return _(
            "This deal can no longer be taken back: it has moved on since. "
            "Change or delete it on its card."
        )
    if error.code == "day_parts_order":
        return _(
            "Morning comes before afternoon, and afternoon before evening: pick a time between."
        )
    if error.code == "bad_day_part":
        return _("This button is no longer active.")
    if error.code == "no_letters":
        return _("A name needs at least one letter or digit. Please send the name again.")
    if error.code == "too_long":
        return _("That is too long: at most {limit} characters. Please send a shorter one.").format(
            limit=error.params.get("limit", "")
        )
    if error.code == "too_many_tags":
        return _("A client can have at most {limit} tags.").format(limit=error.params.get("limit"))
    if error.code == "too_many_statuses":
        return _("There can be at most {limit} statuses.").format(limit=error.params.get("limit"))
    if error.code == "bad_status_name":
        return _("A status name is 1 to {limit} characters.").format(
            limit=error.params.get("limit")
        )
    if error.code == "bad_timezone":
        return _(
            "“{value}” is not a time zone I know. Send a name like Europe/Moscow, "
            "Asia/Yekaterinburg or UTC."
        ).format(value=_bounded(error.params.get("value")))
    if error.code == "too_many_stages":
        return _("A pipeline can have at most {limit} stages.").format(
            limit=error.params.get("limit")
        )
    if error.code == "lead_taken":
        return _("Too late: {name} has already taken this lead.").format(
            name=error.params.get("name", "")
        )
    if error.code == "too_many_sources":
        return _("There can be at most {limit} lead sources.").format(
            limit=error.params.get("limit")
        )
    if error.code == "bad_stale_days":
        return _("Send a whole number of days from 1 to {limit}.").format(
            limit=error.params.get("limit")
        )
    if error.code == "import_too_large":
        return _(
            "The file is larger than {limit} MB, more than Telegram lets a bot download. "
            "Split it into smaller files."
        ).format(limit=error.params.get("limit"))
    if error.code == "import_too_many_rows":
        return _("The file has more than {limit} rows. Split it into smaller files.").format(
            limit=error.params.get("limit")
        )
    if error.code == "import_changed_since":
        return _(
            "Cannot undo: {count} imported cards were changed since, among them {names}. "
            "Undoing would throw that work away."
        ).format(count=error.params.get("count"), names=", ".join(error.params.get("names", [])))
    return texts.get(error.code, _("Something went wrong. Please try again."))


def _bounded(value: object, limit: int = 64) -> str:
    """A user's input quoted back, never long enough to push an answer past Telegram's limit."""
    text = " ".join(str(value if value is not None else "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
