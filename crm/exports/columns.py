"""The fixed columns of each export; titles are given by the caller in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm.exports.files import Column, Kind

CLIENT_COLUMNS = (
    Column("id", "ID", Kind.NUMBER, 8),
    Column("name", "Name", width=28),
    Column("phones", "Phones", width=22),
    Column("emails", "Emails", width=26),
    Column("company", "Company", width=24),
    Column("city", "City", width=16),
    Column("address", "Address", width=30),
    Column("status", "Status", width=12),
    Column("source", "Source", width=16),
    Column("tags", "Tags", width=20),
    Column("manager", "Responsible", width=20),
    # /import reads "Created" and "Archived on" as moments in the reader's zone (as written).
    Column("created_at", "Created", Kind.DATETIME, 17),
    Column("last_activity_at", "Last activity", Kind.DATETIME, 17),
    # Empty for an active client; /import reads a date (or yes) here as "to the archive", and
    # the moment (in the reader's zone, as written) as since when.
    Column("archived_at", "Archived on", Kind.DATETIME, 17),
)
# Deals and tasks name their id column after themselves: /import takes an "ID" column for the
# number of a client's card, and a deal's or task's id beside a client's name is not that.
DEAL_COLUMNS = (
    Column("deal_id", "Deal ID", Kind.NUMBER, 8),
    Column("deal", "Deal", width=28),  # /import takes "Deal" ("Сделка") for the deal's title
    Column("client", "Client", width=28),
    Column("stage", "Stage", width=16),
    Column("amount", "Amount", Kind.MONEY, 14),
    Column("currency", "Currency", width=9),
    Column("manager", "Responsible", width=20),
    Column("created_at", "Created", Kind.DATE, 12),
    Column("expected_close", "Expected close", Kind.DATE, 14),
    Column("closed_at", "Closed", Kind.DATE, 12),
    Column("lost_reason", "Lost reason", width=20),
)
TASK_COLUMNS = (
    Column("task_id", "Task ID", Kind.NUMBER, 8),
    Column("title", "Task", width=36),
    Column("due_at", "Due", Kind.DATETIME, 17),
    Column("priority", "Priority", width=10),
    Column("assignee", "Assignee", width=20),
    Column("client", "Client", width=28),
    Column("deal", "Deal", width=28),
    Column("record", "Record", width=28),  # a record of the team's own type: "Supplier: Acme"
    Column("done_at", "Done", Kind.DATETIME, 17),
)
RECORD_COLUMNS = (
    Column("id", "ID", Kind.NUMBER, 8),
    Column("title", "Title", width=32),
    Column("manager", "Responsible", width=20),
    Column("created_at", "Created", Kind.DATE, 12),
    Column("last_activity_at", "Last activity", Kind.DATETIME, 17),
)
# The link columns' titles: linked clients and deals (record types are named by their plural).
LINK_TITLES = {"clients": "Linked clients", "deals": "Linked deals"}


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes
    rows: int


def titled(columns: Sequence[Column], titles: Mapping[str, str]) -> list[Column]:
    return [Column(c.key, titles.get(c.key, c.title), c.kind, c.width) for c in columns]


def link_titles(titles: Mapping[str, str]) -> dict[str, str]:
    return {key: titles.get(f"linked_{key}", title) for key, title in LINK_TITLES.items()}
