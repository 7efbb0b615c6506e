"""The team's required fields in an import: which rows lack them, and what the member chose
to do with those rows (return them in the rejected file, or import them with the fields
left empty, flagged on the card as leads are). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from crm.imports.mapping import FIELD_PREFIX
from crm.imports.rows import RowDraft


class RequiredChoice(StrEnum):
    REJECT = "reject"  # a row lacking a required value goes to the rejected file
    EMPTY = "empty"  # it is imported, the field left empty and flagged on the card


@dataclass(frozen=True)
class Required:
    """The required fields, id → name, of clients and of deals."""

    client: Mapping[int, str]
    deal: Mapping[int, str]

    def client_missing(self, draft: RowDraft) -> list[str]:
        return [name for i, name in self.client.items() if i not in draft.values]

    def deal_missing(self, draft: RowDraft) -> list[str]:
        if not draft.has_deal:
            return []
        return [name for i, name in self.deal.items() if i not in draft.deal_values]

    def lacking(self, draft: RowDraft) -> str | None:
        """The first required field the row has no value for (its client's, then its deal's)."""
        missing = [*self.client_missing(draft), *self.deal_missing(draft)]
        return missing[0] if missing else None

    def unmapped(self, targets: list[str], deals: bool) -> list[str]:
        """The required fields no column goes to (a deal's only when the file makes deals)."""
        columns = set(targets)
        fields = [*self.client.items(), *(self.deal.items() if deals else ())]
        return [name for i, name in fields if f"{FIELD_PREFIX}{i}" not in columns]
