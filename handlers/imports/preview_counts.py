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
