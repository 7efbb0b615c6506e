"""What an import's preview found in the file: the counts its screen shows, a few rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.imports.rows import Rejected, RowDraft

SAMPLE_ROWS = 3


@dataclass
class Preview:
    rows: int
    new: int
    existing: int  # rows matching a client already in the base that the reader sees
    in_file: int  # rows repeating an earlier row's phone or e-mail
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
