"""What an import did: the counts its result screen and its batch row show."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.imports.linker import Linked, LinkRow
from crm.imports.plan import Plan, root
from crm.imports.rows import Rejected


@dataclass
class Outcome:
    batch_id: int
    created: int = 0
    updated: int = 0
    skipped: int = 0
    merged: int = 0  # rows of a client or record the file had on an earlier row
    deals: int = 0
    deals_there: int = 0  # deals the rows' clients in the base had (crm.imports.same_deals)
    rejected: list[Rejected] = field(default_factory=list)
    links: Linked = field(default_factory=Linked)
    linkable: list[LinkRow] = field(default_factory=list)  # written rows with link cells
    filled: set[int] = field(default_factory=set)  # known cards updated, by any chunk

    def skip(self, work: Plan, index: int) -> None:
        """Row ``index``'s card is in the base and is left as it was (its repeats with it)."""
        self.skipped += 1
        work.skipped.add(index)

    def repeat(self, work: Plan, index: int) -> None:
        """Row ``index`` repeats an earlier one: merged into its card, or skipped with it."""
        if root(work.repeats, index) in work.skipped:
            self.skipped += 1
        else:
            self.merged += 1

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "merged": self.merged,
            "deals": self.deals,
            "deals_there": self.deals_there,
            "rejected": len(self.rejected),
            "links": self.links.made,
            "not_linked": self.links.not_linked,
        }
