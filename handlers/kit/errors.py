"""What to tell a person whose action the CRM refused."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.errors import CrmError, ErrorCode
from crm.parsing.search_text import shows
from crm.parsing.when import WhenError
from handlers.kit.automation_texts import automation_error_text, template_error_text
from handlers.kit.business_texts import business_error_text
from handlers.kit.entity_errors import entity_error_text


def empty_text() -> str:
    """What a step says to a text of nothing (or nothing visible): it asks again."""
    return _("This cannot be empty. Please send it again.")


def year_problem() -> str:
    """A date whose year no one means (01.01.0000, 1.01.1025): said so, not "no such day"."""
    return _("That year is not valid: check the year.")


def day_problem(error: WhenError) -> str | None:
    """Why a date typed is no day of the calendar (31.04; 29.02 of a year without it;
    01.01.0000), or None for a refusal of another kind (not a date at all, in the past)."""
    if error.code == "no_such_day" and error.next_day is not None:
        return _("The coming February has no 29th; the next 29 February is in {year}.").format(
            year=error.next_day.year
        )
    if error.code == "no_such_day":
        return _("There is no such day in the calendar: check the day and the month.")
    if error.code == "bad_year":
        return year_problem()
    return None


def quoting(why: str, typed: str) -> str:
    """``why``, a refusal that quotes what was typed; the "empty" answer instead when
    nothing of that shows (a paste of marks, quoted, would be empty quotes)."""
    return why if shows(typed) else empty_text()


def error_text(error: CrmError) -> str:
    """What to tell a person whose action the CRM refused."""
    entity = entity_error_text(error) or business_error_text(error)
    if entity is not None:
        return entity
    texts = {
        ErrorCode.NOT_ALLOWED: _("You don't have access to this."),
        ErrorCode.NOT_FOUND: _("This record no longer exists."),
        ErrorCode.BAD_CARD: _("This button is no longer active."),
        ErrorCode.NOT_A_GROUP: _("This works only in a group chat."),
        ErrorCode.NOT_BOUND: _("This chat is not bound."),
        ErrorCode.BAD_HOUR: _("An hour is a whole number from 0 to 23."),
        ErrorCode.BAD_TOPIC: _("This button is no longer active."),
        ErrorCode.ROLE_UNCHANGED: _("The member already has this role."),
        ErrorCode.ALREADY_ACTIVE: _("The member is already active."),
        ErrorCode.ALREADY_INACTIVE: _("The member is already deactivated."),
        ErrorCode.MEMBER_INACTIVE: _(
            "The member is deactivated. Reactivate them first to change their role."
        ),
        ErrorCode.BAD_LANGUAGE: _("This language is not supported."),
        ErrorCode.BAD_ROLE: _("There is no such role."),
        ErrorCode.NO_SUCH_STATUS: _("There is no such status any more."),
        ErrorCode.NO_SUCH_MEMBER: _("This member is not in the team any more."),
        ErrorCode.ALREADY_UNDONE: _("That was already removed."),
        ErrorCode.TOO_LATE_TO_UNDO: _("It is too late to undo that; it stays in the history."),
        ErrorCode.BAD_CALL_OUTCOME: _("This button is no longer active."),
        ErrorCode.NOTE_GONE: _("This note is no longer there."),
        ErrorCode.STAGE_GONE: _("This stage no longer exists."),
        ErrorCode.REASON_GONE: _("This reason no longer exists."),
        ErrorCode.CLOSED_STAGE: _("A won or lost stage can only be renamed."),
        ErrorCode.LAST_OPEN_STAGE: _(
            "This is the only open stage; the pipeline needs at least one."
        ),
        ErrorCode.MOVE_DEALS_FIRST: _("This stage has deals; choose where to move them first."),
        ErrorCode.ALREADY_DONE: _("Already done."),
        ErrorCode.IN_THE_PAST: _("That moment has already passed."),
        ErrorCode.BAD_PRIORITY: _("This button is no longer active."),
        ErrorCode.BAD_REMINDER: _("This button is no longer active."),
        ErrorCode.BAD_REPEAT: _("This button is no longer active."),
        ErrorCode.ALREADY_ON_STAGE: _("The deal is already at this stage."),
        ErrorCode.ALREADY_OPEN: _("The deal is already open."),
        ErrorCode.STAGE_CHANGED: _(
            "The deal has moved to another stage meanwhile; here it is as it is now."
        ),
        ErrorCode.SAME_CLIENT: _("The deal is already on this client."),
        ErrorCode.DEAL_MOVING: _(
            "The deal is being moved to another client right now. Please try again."
        ),
        ErrorCode.NEGATIVE_AMOUNT: _("The amount cannot be negative."),
        ErrorCode.IMPORT_EMPTY: _("The file has no rows to import: the sheet is empty."),
        ErrorCode.IMPORT_NOT_SPREADSHEET: _(
            "This is not a spreadsheet I can read. Send an .xlsx, .xls, .ods or .csv file."
        ),
        ErrorCode.IMPORT_WEB_PAGE: _(
            "This file holds a web page (HTML or XML) under a spreadsheet's name, as some "
            "programs save their “Excel” exports. Open it in Excel or LibreOffice, save it "
            "as .xlsx and send that."
        ),
        ErrorCode.IMPORT_PASSWORD: _(
            "The workbook is protected with a password. Save it without one and send it again."
        ),
        ErrorCode.IMPORT_NO_COLUMNS: _(
            "I found no column with names, phones, e-mails or companies. "
            "Check the header row, or choose the columns with the buttons."
        ),
        ErrorCode.IMPORT_BAD_COLUMN: _("This button is no longer active."),
        ErrorCode.IMPORT_NO_TITLE: _(
            "Choose the column that holds the records' names (“Name”) with the buttons."
        ),
        ErrorCode.IMPORT_BAD_TARGET: _("This button is no longer active."),
        ErrorCode.IMPORT_ALREADY_UNDONE: _("This import was already undone."),
        ErrorCode.IMPORT_RUNNING: _("This import is still running; undo it when it has finished."),
        ErrorCode.LEAD_YOURS: _("This lead is already yours."),
        ErrorCode.LEAD_SPAM: _("This lead was marked as spam."),
        ErrorCode.BAD_ASSIGNMENT: _("Choose active members of the team for this source."),
        ErrorCode.TEST_SUBMISSION: _("That was only a form's connection check."),
    }
    if error.code in (ErrorCode.CLIENT_NOT_VISIBLE, ErrorCode.RECORD_NOT_VISIBLE):
        said = (
            _(
                "{member} cannot see the client “{client}” (responsible: {responsible}). "
                "Give the client to {member} or leave it unassigned first."
            )
            if error.code == ErrorCode.CLIENT_NOT_VISIBLE
            else _(
                "{member} cannot see the card “{name}” (responsible: {responsible}). "
                "Give the card to {member} or leave it unassigned first."
            )
        )
        return said.format(
            member=_bounded(error.params.get("member")),
            client=_bounded(error.params.get("client")),
            name=_bounded(error.params.get("name")),
            responsible=_bounded(error.params.get("responsible")) or "—",
        )
    if error.code == ErrorCode.TASK_CLIENT_NOT_VISIBLE:
        return _(
            "The deal's task “{task}” is {member}'s, who cannot see the client “{client}” "
            "(responsible: {responsible}). Give the client to {member} or leave it unassigned, "
            "or give the task to someone else first."
        ).format(
            task=_bounded(error.params.get("task"), 40),
            member=_bounded(error.params.get("member")),
            client=_bounded(error.params.get("client")),
            responsible=_bounded(error.params.get("responsible")) or "—",
        )
    if error.code == ErrorCode.STAGE_NAME_TAKEN:
        return _("There is already a stage called “{name}”. Choose another name.").format(
            name=_bounded(error.params.get("name"))
        )
    if error.code in (ErrorCode.DUPLICATE_PHONE, ErrorCode.DUPLICATE_EMAIL):
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
    if error.code == ErrorCode.EMPTY:
        return empty_text()
    if error.code == ErrorCode.DEAL_NOT_FRESH:
        return _(
            "This deal can no longer be taken back: it has moved on since. "
            "Change or delete it on its card."
        )
    if error.code == ErrorCode.DAY_PARTS_ORDER:
        return _(
            "Morning comes before afternoon, and afternoon before evening: pick a time between."
        )
    if error.code == ErrorCode.BAD_DAY_PART:
        return _("This button is no longer active.")
    if error.code == ErrorCode.NO_LETTERS:
        return _("A name needs at least one letter or digit. Please send the name again.")
    if error.code == ErrorCode.TOO_LONG:
        return _("That is too long: at most {limit} characters. Please send a shorter one.").format(
            limit=error.params.get("limit", "")
        )
    if error.code == ErrorCode.TOO_MANY_TAGS:
        return _("A client can have at most {limit} tags.").format(limit=error.params.get("limit"))
    if error.code == ErrorCode.TOO_MANY_STATUSES:
        return _("There can be at most {limit} statuses.").format(limit=error.params.get("limit"))
    if error.code == ErrorCode.STATUS_NAME_TAKEN:
        return _("There is a status “{name}” already. Please send another name.").format(
            name=_bounded(error.params.get("name"))
        )
    if error.code == ErrorCode.BAD_STATUS_NAME:
        return _("A status name is 1 to {limit} characters.").format(
            limit=error.params.get("limit")
        )
    if error.code == ErrorCode.BAD_TIMEZONE:
        return _(
            "“{value}” is not a time zone I know. Send a name like Europe/Moscow, "
            "Asia/Yekaterinburg or UTC."
        ).format(value=_bounded(error.params.get("value")))
    if error.code == ErrorCode.REASON_TAKEN:
        return _("There is already a reason “{name}”. Send another one.").format(
            name=_bounded(error.params.get("name"))
        )
    if error.code == ErrorCode.TOO_MANY_REASONS:
        return _("There can be at most {limit} reasons: delete one you no longer use.").format(
            limit=error.params.get("limit")
        )
    if error.code == ErrorCode.TOO_MANY_STAGES:
        return _("A pipeline can have at most {limit} stages.").format(
            limit=error.params.get("limit")
        )
    if error.code == ErrorCode.LEAD_TAKEN:
        return _("Too late: {name} has already taken this lead.").format(
            name=error.params.get("name", "")
        )
    if error.code == ErrorCode.TOO_MANY_SOURCES:
        return _("There can be at most {limit} lead sources.").format(
            limit=error.params.get("limit")
        )
    if error.code == ErrorCode.BAD_STALE_DAYS:
        return _("Send a whole number of days from 1 to {limit}.").format(
            limit=error.params.get("limit")
        )
    if error.code == ErrorCode.IMPORT_TOO_LARGE:
        return _(
            "The file is larger than {limit} MB, more than Telegram lets a bot download. "
            "Split it into smaller files."
        ).format(limit=error.params.get("limit"))
    if error.code == ErrorCode.IMPORT_TOO_MANY_ROWS:
        return _("The file has more than {limit} rows. Split it into smaller files.").format(
            limit=error.params.get("limit")
        )
    if error.code == ErrorCode.IMPORT_UNCLOSED_QUOTE:
        return _(
            'The file has a quote (") that is never closed: it opens on line {line}, and '
            "everything after it would be read as one cell. Nothing was imported. Close or "
            "remove that quote and send the file again."
        ).format(line=error.params.get("line"))
    if error.code == ErrorCode.IMPORT_STRAY_QUOTE:
        return _(
            'The file has a quote (") at the start of a cell on line {line} that is closed '
            "only on line {end}: the rows between would be read as one cell. Nothing was "
            'imported. Remove that quote (or write it twice, "") and send the file again.'
        ).format(line=error.params.get("line"), end=error.params.get("end"))
    if error.code == ErrorCode.IMPORT_CHANGED_SINCE:
        return _changed_since(error)
    return texts.get(error.code, _("Something went wrong. Please try again."))


def _changed_since(error: CrmError) -> str:
    """An import's undo refused: the changed cards the member sees named, those he does
    not (another manager's now) only counted."""
    count = int(error.params.get("count") or 0)
    hidden = int(error.params.get("hidden") or 0)
    names = ", ".join(error.params.get("names", []))
    if not names:  # every one of them is another manager's now
        head = ngettext(
            "Cannot undo: {count} imported card was changed since and is another "
            "manager's now, not shown to you.",
            "Cannot undo: {count} imported cards were changed since and are other "
            "managers' now, not shown to you.",
            count,
        )
    else:
        head = ngettext(
            "Cannot undo: {count} imported card was changed since ({names}).",
            "Cannot undo: {count} imported cards were changed since, among them {names}.",
            count,
        )
    said = [head.format(count=count, names=names)]
    if names and hidden:
        said.append(
            ngettext(
                "Of them, {hidden} is another manager's card now, not shown to you.",
                "Of them, {hidden} are other managers' cards now, not shown to you.",
                hidden,
            ).format(hidden=hidden)
        )
    return " ".join([*said, _("Undoing would throw that work away.")])


def _bounded(value: object, limit: int = 64) -> str:
    """A user's input quoted back, never long enough to push an answer past Telegram's limit."""
    text = " ".join(str(value if value is not None else "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
