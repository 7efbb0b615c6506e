"""What an import's preview found in the file: the counts its screen shows, a few rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.imports.rows import Rejected, RowDraft

SAMPLE_ROWS = 3


@dataclass
class Preview:
    rows: int
    new: int
    # Rows of clients already in the base that the reader sees: a row matching one (its
    # phones and e-mails with those of the file's later rows of it), and those later rows.
    existing: int
    in_file: int  # rows repeating an earlier row of a new client: merged into its card
    rejected: int
    deals: int  # new ones: not counting those of ``deals_there``
    sample: list[RowDraft] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # required fields with no column
    lacking: int = 0  # rows without a value for a required field
    refused: list[Rejected] = field(default_factory=list)  # the rows that cannot be read
    # Rows matching a client the reader cannot see (another manager's): never named, skipped
    # with their deals unless created anyway, as "Create anyway" of a new client's duplicate.
    hidden: int = 0
    deals_there: int = 0  # rows whose client in the base has that deal (crm.imports.same_deals)
    updated: int = 0  # the clients of ``existing``: how many "Fill" updates
