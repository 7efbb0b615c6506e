"""Import and export screens: data in, text and buttons out. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram.utils.formatting import Bold, Text, as_line, as_list
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.imports.linker import Linked
from crm.imports.mapping import Target
from crm.imports.outcome import Outcome
from crm.imports.plan import Policy
from crm.imports.preview import Preview
from crm.imports.required import RequiredChoice
from crm.imports.rows import Rejected
from handlers.imports.callbacks import BatchAction, BatchCb, ImportAction, ImportCb
from handlers.imports.holds_views import hidden_columns
from handlers.imports.nothing_views import nothing_screen
from handlers.imports.preview_counts import preview_counts
from handlers.kit.keyboards import button, keyboard
from handlers.kit.screen import MESSAGE_CHARS, Screen, fitted

MAX_COLUMNS_SHOWN = 30
EMPTY = RequiredChoice.EMPTY
# What a column of a records' file may go to, besides the type's own fields.
RECORD_TARGETS = frozenset({Target.SKIP.value, Target.NAME.value, Target.NEW_FIELD.value})
NOT_LINKED_SHOWN = 10


def target_label(target: str) -> str:
    labels = {
        Target.SKIP: _("— skip —"),
        Target.NAME: _("Name"),
        Target.SURNAME: _("Surname"),
        Target.FIRST_NAME: _("First name"),
        Target.PATRONYMIC: _("Patronymic"),
        Target.PHONE: _("Phone"),
        Target.EMAIL: _("E-mail"),
        Target.COMPANY: _("Company"),
        Target.CITY: _("City"),
        Target.ADDRESS: _("Address"),
        Target.STATUS: _("Status"),
        Target.SOURCE: _("Source"),
        Target.TAGS: _("Tags"),
        Target.MANAGER: _("Responsible"),
        Target.NOTE: _("Note (first comment)"),
        Target.CAME_AT: _("Date the client came"),
        Target.DEAL_TITLE: _("Deal title"),
        Target.DEAL_AMOUNT: _("Deal amount"),
        Target.DEAL_STAGE: _("Deal stage"),
        Target.NEW_FIELD: _("➕ A new field named after the column"),
        Target.ARCHIVED: _("In the archive (yes, no or since a date)"),
        Target.ID: _("Card number (ID) from /export"),
    }
    return labels.get(target, target)  # type: ignore[call-overload, no-any-return]


def field_label(name: str, deal: bool = False) -> str:
    """How a team's field shows as a column's target: a deal's field says so."""
    return _("💼 Deal: {name}").format(name=name) if deal else f"🧩 {name}"


def reason_text(rejected: Rejected) -> str:
    reasons = {
        "bad_phone": _("not a phone number"),
        "bad_email": _("not an e-mail address"),
        "bad_date": _("not a date"),
        "bad_amount": _("not an amount"),
        "no_name": _("no name, company, phone or e-mail"),
        "too_long": _("a field is too long"),
        "unknown_stage": _("no such stage in the pipeline"),
        "bad_field": _("not a value the field takes"),
        "bad_flag": _("not yes, no or a date"),
    }
    if rejected.reason == "required_empty":
        return _("required field «{name}» is empty").format(name=rejected.detail)
    reason = reasons.get(rejected.reason, rejected.reason)
    return f"{reason}: {rejected.detail}" if rejected.detail else reason


def mapping_screen(
    file_name: str,
    headers: list[str],
    mapping: list[str],
    fields: Mapping[str, str],
    holds: str = "",
    notes: Sequence[str] = (),
) -> Screen:
    """``fields``: the team's fields a column may go to, target → label (``field_label``);
    ``holds``: what the file holds (a record type), when not clients; ``notes``: what is
    said under the columns about the file (``formulas_warning``, ``title_note``,
    ``merged_note``)."""
    lines = [
        as_line(
            f"{i + 1}. {(header or '—')[:64]} → ",
            Bold(fields[target] if target in fields else target_label(target)),
        )
        for i, (header, target) in enumerate(zip(headers, mapping, strict=True))
        if i < MAX_COLUMNS_SHOWN or target != Target.SKIP  # a column far right still told
    ]
    more = hidden_columns(len(headers), MAX_COLUMNS_SHOWN) + list(notes)
    heading = as_list(
        Bold(_("Import from {file}").format(file=file_name)),
        _("Where each column goes. Tap a column to change it."),
        sep="\n",
    )
    text = fitted([heading, "\n\n"], lines, more, MESSAGE_CHARS)  # long titles: within 4096
    rows = [
        [button(f"{i + 1}. {(header or '—')[:24]}", ImportCb(action=ImportAction.COLUMN, column=i))]
        for i, header in enumerate(headers[:MAX_COLUMNS_SHOWN])
    ]
    holds = holds or _("👤 Clients and deals")
    what = _("📄 The file holds: {what}").format(what=holds)
    rows.append([button(what[:60], ImportCb(action=ImportAction.WHAT))])
    rows.append(
        [
            button(_("Preview ▶"), ImportCb(action=ImportAction.PREVIEW)),
            button(_("Cancel"), ImportCb(action=ImportAction.CANCEL)),
        ]
    )
    return Screen(text, keyboard(*rows))


def targets_screen(
    header: str, column: int, extra: Mapping[str, str], records: bool = False
) -> Screen:
    """The built-in targets (a record's name only, for ``records``), then ``extra``: the
    team's fields (target → label) and, for the owner, a new field (``Target.NEW_FIELD``)."""
    text = Text(_("Where does the column “{header}” go?").format(header=(header or "—")[:64]))
    builtin = [t for t in Target if t != Target.NEW_FIELD and (not records or t in RECORD_TARGETS)]
    labels = [(t.value, target_label(t)) for t in builtin]
    labels += [(t, label[:40]) for t, label in extra.items() if t != Target.NEW_FIELD]
    if Target.NEW_FIELD in extra:
        labels.append((Target.NEW_FIELD.value, target_label(Target.NEW_FIELD)))
    rows = [
        [
            button(label, ImportCb(action=ImportAction.TARGET, column=column, value=t))
            for t, label in labels[i : i + 2]
        ]
        for i in range(0, len(labels), 2)
    ]
    rows.append([button(_("« Back"), ImportCb(action=ImportAction.MAPPING))])
    return Screen(text, keyboard(*rows))


def required_lines(preview: Preview, choice: RequiredChoice | None) -> list[str]:
    """What the preview says of the required fields: those with no column, the rows
    lacking one, and what the member chose for them."""
    lines = []
    if preview.unmapped:
        names = ", ".join(preview.unmapped)
        lines.append(_("⚠️ Required fields with no column: {names}").format(names=names))
    if preview.lacking:
        lines.append(
            _("⚠️ Rows without a required field: {n}").format(n=preview.lacking)
            + " — "
            + (
                _("they are rejected")
                if choice == RequiredChoice.REJECT
                else _("they are imported with the field empty")
                if choice == RequiredChoice.EMPTY
                else _("reject them, or import them with the field empty?")
            )
        )
    return lines


def preview_screen(
    file_name: str, preview: Preview, choice: RequiredChoice | None = None, records: bool = False
) -> Screen:
    """``choice``: the member's answer for rows lacking a required field; until it is
    given (when there are such rows) it is asked instead of the duplicates' question."""
    asking = bool(preview.lacking) and choice is None
    if not preview.sample and not asking:
        return nothing_screen(file_name, preview)
    sample = [
        as_line(
            "• 🗄 " if draft.archived else "• ",  # a new card of it goes to the archive
            Bold(draft.name),
            " ",
            ", ".join(
                [*draft.phones, *draft.emails, *(v for v in (draft.company, draft.city) if v)]
            ),
        )
        for draft in preview.sample
    ]
    counts = preview_counts(preview, records)
    text = Text(
        Bold(_("Preview of {file}").format(file=file_name)),
        "\n\n",
        counts,
        "\n\n",
        _("The first rows as they will be stored:"),
        "\n",
        *sample,
        "\n",
        *(as_line(line) for line in required_lines(preview, choice)),
        ""
        if asking
        else _("What to do with records already in the base?")
        if records
        else _("What to do with clients already in the base?"),
    )
    run, req = ImportAction.RUN, ImportAction.REQUIRED
    rows = (
        [
            [button(_("Reject those rows"), ImportCb(action=req, value=RequiredChoice.REJECT))],
            [button(_("Import with the field empty"), ImportCb(action=req, value=EMPTY))],
        ]
        if asking
        else [
            [button(_("Skip them"), ImportCb(action=run, value=Policy.SKIP))],
            [button(_("Fill in their empty fields"), ImportCb(action=run, value=Policy.FILL))],
            [button(_("Create anyway"), ImportCb(action=run, value=Policy.CREATE))],
        ]
    )
    rows.append(
        [
            button(_("« Columns"), ImportCb(action=ImportAction.MAPPING)),
            button(_("Cancel"), ImportCb(action=ImportAction.CANCEL)),
        ]
    )
    return Screen(text, keyboard(*rows))


def progress_text(file_name: str, done: int, total: int) -> Text:
    said = ngettext(
        "Importing {file}: {done} of {total} row…",
        "Importing {file}: {done} of {total} rows…",
        total,
    )
    return Text(said.format(file=file_name, done=done, total=total))


def result_screen(
    file_name: str, outcome: Outcome, records: bool = False, by_line: bool = False
) -> Screen:
    """``records``: the file held records (it made no deals); ``by_line``: its rows are
    numbered by the line they start on (a CSV, ``Table.by_line``)."""
    merged = _("Repeated inside the file, merged: {n}").format(n=outcome.merged)
    there = _("Deals their clients already had, not added again: {n}")
    text = Text(
        Bold(_("Import of {file} finished").format(file=file_name)),
        "\n\n",
        as_list(
            _("Created: {n}").format(n=outcome.created),
            _("Updated: {n}").format(n=outcome.updated),
            _("Skipped: {n}").format(n=outcome.skipped),
            *([merged] if outcome.merged else []),
            *(() if records else (_("Deals: {n}").format(n=outcome.deals),)),
            *([there.format(n=outcome.deals_there)] if outcome.deals_there else []),
            _("Rejected: {n}").format(n=len(outcome.rejected)),
            *link_lines(outcome.links, by_line),
        ),
    )
    undo = button(
        _("Undo this import"), BatchCb(action=BatchAction.UNDO, batch_id=outcome.batch_id)
    )
    return Screen(text, keyboard([undo]))


def link_lines(linked: Linked, by_line: bool = False) -> list[str]:
    """Links made, and the names not linked (the first few named, with their rows: for a
    CSV, the line the row starts on, as a text editor shows it and the refusal of a quote
    left open names it)."""
    if not linked.rows:
        return []
    lines = [_("Links made: {n}").format(n=linked.made)]
    if linked.not_linked:
        lines.append(_("Names not linked: {n}").format(n=linked.not_linked))
    for name in linked.names[:NOT_LINKED_SHOWN]:
        why = (
            _("several cards have this name")
            if name.reason == "ambiguous"
            else _("no such card among those you see")
        )
        where = _("• line {row}: {name} — {why}") if by_line else _("• row {row}: {name} — {why}")
        lines.append(where.format(row=name.number, name=name.name, why=why))
    if linked.not_linked > NOT_LINKED_SHOWN:
        lines.append(_("…and {n} more").format(n=linked.not_linked - NOT_LINKED_SHOWN))
    return lines
