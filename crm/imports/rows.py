"""One table row, under a mapping, into what a card will hold, or the reason it cannot. Pure."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crm.exports.files import unescaped
from crm.imports.link_cells import link_text
from crm.imports.link_targets import is_link
from crm.imports.mapping import CUSTOM_PREFIX, NAME_PARTS, Target, field_id
from crm.parsing.amounts import AmountError
from crm.parsing.cells import (
    CellValue,
    DateError,
    FlagError,
    cell_amount,
    cell_date,
    cell_emails,
    cell_flag,
    cell_lines,
    cell_phones,
    cell_text,
)
from crm.parsing.fields import FieldValueError, Parsed
from crm.parsing.search_text import shows, tag_text

# Plain strings: comparing with them is several times cheaper than with the enum members.
_SKIP, _PHONE, _EMAIL = str(Target.SKIP.value), str(Target.PHONE.value), str(Target.EMAIL.value)
_CAME_AT, _AMOUNT = str(Target.CAME_AT.value), str(Target.DEAL_AMOUNT.value)
_NOTE = str(Target.NOTE.value)
_ARCHIVED, _ID = str(Target.ARCHIVED.value), str(Target.ID.value)
MAX_ID = 2**63 - 1
LIMITS = {"name": 200, "company": 200, "city": 100, "address": 300, "source": 100}
MAX_NOTE = 4000
MAX_TAG = 64
SHARED_UP_TO = 64  # texts this short are interned (see _shared)


@dataclass(slots=True)
class RowDraft:
    """A row as it will be stored. ``number`` is its row in the sent file."""

    number: int
    name: str
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    company: str | None = None
    city: str | None = None
    address: str | None = None
    status: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    manager: str | None = None
    notes: list[str] = field(default_factory=list)
    came_at: datetime | None = None
    archived: bool = False  # a new card made of it goes to the archive (a found one stays)
    archived_at: datetime | None = None  # since when, if the cell said
    card_id: int | None = None  # the card /export wrote the row of (``card_number``)
    custom: dict[str, Any] = field(default_factory=dict)
    values: dict[int, Parsed] = field(default_factory=dict)  # the team's client fields
    deal_title: str | None = None
    deal_amount: int | None = None
    deal_stage: str | None = None
    deal_values: dict[int, Parsed] = field(default_factory=dict)  # the team's deal fields
    links: Links | None = None  # (link target, a cell's names) each (crm.imports.linker)

    @property
    def has_deal(self) -> bool:
        return bool(
            self.deal_title or self.deal_amount is not None or self.deal_stage or self.deal_values
        )

    def fields(self) -> dict[str, Any]:
        """The card's plain columns, for filling an existing card's empty ones."""
        return {
            "company": self.company,
            "city": self.city,
            "address": self.address,
            "source": self.source,
        }


@dataclass(frozen=True)
class Rejected:
    number: int
    reason: str  # a code: no_name, bad_phone, bad_email, bad_date, bad_amount, too_long
    detail: str = ""


Links = tuple[tuple[str, str], ...]
FieldParser = Callable[[int, str], Parsed]  # field id, text → value; raises FieldValueError


def build_row(
    number: int,
    cells: list[CellValue],
    mapping: list[str],
    region: str,
    parse_field: FieldParser | None = None,
    deal_fields: Collection[int] = (),
    linking: bool | None = None,
) -> RowDraft | Rejected:
    """A draft from the cells; the first thing that cannot be read rejects the row.

    ``deal_fields``: the ids among the ``field_<id>`` targets that are deal fields
    (their values go to the row's deal, the others to the client). ``linking``: whether
    the mapping has a link target (``has_links``; a file without one is not asked per cell)."""
    if linking is None:
        linking = has_links(mapping)
    text: dict[str, list[str]] = {}
    phones: list[str] = []
    emails: list[str] = []
    draft = RowDraft(number=number, name="")
    for column, target in enumerate(mapping):
        value = cells[column] if column < len(cells) else None
        if value is None or target == _SKIP:
            continue
        if type(value) is str and value[:1] == "'":  # maybe a cell our CSV escaped: '+7916…
            value = unescaped(value)
        if target == _PHONE:
            found, bad = cell_phones(value, region)
            if bad:
                return Rejected(number, "bad_phone", ", ".join(bad))
            phones += [p for p in found if p not in phones]
        elif target == _EMAIL:
            found, bad = cell_emails(value)
            if bad:
                return Rejected(number, "bad_email", ", ".join(bad))
            emails += [e for e in found if e not in emails]
        elif target == _CAME_AT:
            try:
                draft.came_at = cell_date(value)
            except DateError:
                return Rejected(number, "bad_date", cell_text(value) or "")
        elif target == _ARCHIVED:
            try:
                draft.archived, draft.archived_at = cell_flag(value)
            except FlagError:
                return Rejected(number, "bad_flag", cell_text(value) or "")
        elif target == _ID:
            draft.card_id = card_number(value)
        elif target == _AMOUNT:
            try:
                draft.deal_amount = cell_amount(value)
            except AmountError:
                return Rejected(number, "bad_amount", cell_text(value) or "")
        elif linking and is_link(target):
            add_links(draft, target, link_text(value))
        elif parse_field is not None and (custom_id := field_id(target)) is not None:
            typed = _field_text(value)
            if shows(typed):
                into = draft.deal_values if custom_id in deal_fields else draft.values
                try:
                    into[custom_id] = parse_field(custom_id, typed)
                except FieldValueError:
                    return Rejected(number, "bad_field", typed[:100])
        else:  # a note keeps its lines, as a typed one does
            line = cell_lines(value) if target == _NOTE else cell_text(value)
            if line:
                text.setdefault(target, []).append(line)
    draft.phones, draft.emails = phones, emails
    return _fill_text(draft, text)


def card_number(value: CellValue) -> int | None:
    """A card's id as /export writes it (a number, or its digits in a CSV); anything else
    (another program's ids: ``A-17``, a UUID) is no card of ours, and the row is matched
    as a row without one is."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        digits = value.strip()
        value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def has_links(mapping: list[str]) -> bool:
    return any(is_link(target) for target in mapping)


def add_links(draft: RowDraft, target: str, names: str | None) -> None:
    """Names for a link column (a second column or row of the same target adds a pair)."""
    if names:
        draft.links = (*(draft.links or ()), (target, names))


def _shared(text: str | None) -> str | None:
    """Short texts that repeat down a column (a city, a status) kept once, not per row."""
    return sys.intern(text) if text is not None and len(text) <= SHARED_UP_TO else text


def _field_text(value: CellValue) -> str:
    """A cell as a person would type it into the field: dates as dd.mm.yyyy, the lines of
    a long text (or of several choices) apart."""
    if isinstance(value, datetime | date):
        return value.strftime("%d.%m.%Y")
    return cell_lines(value) or ""


def _fill_text(draft: RowDraft, text: dict[str, list[str]]) -> RowDraft | Rejected:
    parts = [text[t][0] for t in NAME_PARTS if t in text]
    name = text.get(Target.NAME, [None])[0] or " ".join(parts) or None
    company = text.get(Target.COMPANY, [None])[0]
    # A row with no name is named after its company, phone or e-mail, as people do.
    name = name or company or (draft.phones[0] if draft.phones else None)
    name = name or (draft.emails[0] if draft.emails else None)
    if not name or not any(char.isalnum() for char in name):
        return Rejected(draft.number, "no_name")
    draft.name = name
    draft.company = _shared(company)
    for attribute in ("city", "address", "source", "status", "manager"):
        setattr(draft, attribute, _shared(text.get(attribute, [None])[0]))
    for key, limit in LIMITS.items():
        value = getattr(draft, key)
        if value is not None and len(value) > limit:
            return Rejected(draft.number, "too_long", key)
    for line in text.get(Target.TAGS, []):
        for tag in line.replace(";", ",").split(","):
            tag = tag_text(tag)  # "": none shows
            if tag and tag not in draft.tags:
                draft.tags.append(sys.intern(tag[:MAX_TAG]))
    draft.notes = [note[:MAX_NOTE] for note in text.get(Target.NOTE, [])]
    draft.custom = {
        key.removeprefix(CUSTOM_PREFIX): values[0]
        for key, values in text.items()
        if key.startswith(CUSTOM_PREFIX)
    }
    title = text.get(Target.DEAL_TITLE, [None])[0]
    draft.deal_title = title[:200] if title else None
    draft.deal_stage = text.get(Target.DEAL_STAGE, [None])[0]
    return draft
