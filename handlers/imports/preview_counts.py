"""The counts of an import's preview: what its rows will make. Pure."""

from __future__ import annotations

from aiogram.utils.formatting import Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.imports.preview import Preview


def preview_counts(preview: Preview, records: bool) -> Text:
    """``records``: the file holds records (it makes no deals)."""
    return as_list(
        _("Rows: {n}").format(n=preview.rows),
        *(
            (
                _("New records: {n}").format(n=preview.new),
                _("Already in the base (by name): {n}").format(n=preview.existing),
                *hidden_line(preview, records),
            )
            if records
            else (
                _("New clients: {n}").format(n=preview.new),
                _("Already in the base (by ID, phone or e-mail): {n}").format(n=preview.existing),
                *hidden_line(preview, records),
            )
        ),
        _("Repeated inside the file: {n}").format(n=preview.in_file),
        *choice_lines(preview, records),
        *(() if records else (_("Deals: {n}").format(n=preview.deals), *there_line(preview))),
        _("Rows that cannot be read: {n}").format(n=preview.rejected),
    )


def hidden_line(preview: Preview, records: bool) -> tuple[str, ...]:
    """Rows matching other managers' cards the reader does not see: counted, never named
    (as a new client's duplicate is not), and what happens to them, which "Fill" does not
    change: they are skipped (a client's row with its deal) unless created anyway."""
    if not preview.hidden:
        return ()
    if records:
        said = _(
            "Other managers' records, not shown to you: {n}. They are skipped "
            "unless you choose “Create anyway”."
        )
    else:
        said = _(
            "Other managers' clients, not shown to you: {n}. They are skipped "
            "(with their deals) unless you choose “Create anyway”."
        )
    return (said.format(n=preview.hidden),)


def there_line(preview: Preview) -> tuple[str, ...]:
    """Deals of the file that their clients in the base already have (the same title and
    amount): "Skip" and "Fill" leave them out, "Create anyway" makes them with new cards."""
    if not preview.deals_there:
        return ()
    said = _(
        "Deals their clients in the base already have (same title and amount): {n}. "
        "They are not added again unless you choose “Create anyway”."
    )
    return (said.format(n=preview.deals_there),)


def choice_lines(preview: Preview, records: bool) -> tuple[str, ...]:
    """What the answers other than "Skip" make of those rows, where the counts above do
    not say it: "Fill" updates each card once however many rows the file has of it, and
    "Create anyway" makes a card of every row."""
    lines = []
    if preview.updated != preview.existing:
        said = (
            _("“Fill in their empty fields” updates {n} of them: some rows are the same record's.")
            if records
            else _(
                "“Fill in their empty fields” updates {n} of them: some rows are the same client's."
            )
        )
        lines.append(said.format(n=preview.updated))
    every = preview.new + preview.existing + preview.hidden + preview.in_file
    if every != preview.new:
        lines.append(_("“Create anyway” makes a new card of every row: {n}.").format(n=every))
    return tuple(lines)
