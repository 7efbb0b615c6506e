"""The search lines of many cards rebuilt at once from what they hold now.

A client's ``search_text`` is its name, company, city, emails, tags and phones and
then its searchable custom values (``fields_search``); a record's is its title and
its searchable values (``crm.field_values.refresh_search`` keeps one card's line when
one of its values changes). When a field is deleted, every card that held a value of
it (a team's 100,000 clients, maybe) gets its line rebuilt here: the cards are locked
and read, their values and contacts read and their lines written a chunk of cards at
a time, a few statements each, never a statement per card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Text, Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind, value_column
from crm.client_index import search_text, value_words, with_fields
from crm.parsing.fields import SEARCH_TYPES
from crm.parsing.search_text import fold
from crm.row_locks import CHUNK, columns_locked
from storage.json_rows import json_rows, rows_param
from storage.models import Client, ClientEmail, ClientPhone, ClientTag, FieldDef, FieldValue, Record


async def rebuild_search(session: AsyncSession, kind: CardKind, ids: Iterable[int]) -> None:
    """Rebuild the search lines of the clients or records ``ids`` (a deal has none) from
    their values and contacts as they are now, each chunk of cards locked in id order
    first (``crm.row_locks``: a member's change of one of them waits, or is waited for)."""
    if kind == CardKind.DEAL:
        return
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        if kind == CardKind.CLIENT:
            lines = await _client_lines(session, chunk)
        else:
            lines = await _record_lines(session, chunk)
        if lines:
            await _write(session, kind, lines)


async def _write(session: AsyncSession, kind: CardKind, lines: list[dict[str, Any]]) -> None:
    """The chunk's lines written by one statement (``storage.json_rows``)."""
    statement = _update(session.get_bind().dialect.name, kind)
    await session.execute(statement, rows_param(lines))


@lru_cache(maxsize=4)
def _update(dialect: str, kind: CardKind) -> Update:
    """The UPDATE of the lines given as rows of ``c`` (the card), ``f`` (a client's custom
    values) and ``l`` (the line), made once."""
    if kind == CardKind.CLIENT:
        new = json_rows(dialect, {"c": Integer(), "f": Text(), "l": Text()})
        return (
            update(Client)
            .values(fields_search=new["f"], search_text=new["l"])
            .where(Client.id == new["c"])
        )
    new = json_rows(dialect, {"c": Integer(), "l": Text()})
    return update(Record).values(search_text=new["l"]).where(Record.id == new["c"])


async def _words(session: AsyncSession, kind: CardKind, ids: list[int]) -> dict[int, str]:
    """Each card's searchable custom values, as ``crm.field_values.search_words`` gives
    one card's."""
    column = value_column(kind)
    rows = await session.execute(
        select(column, FieldDef.type, FieldValue.text_value)
        .join(FieldDef, FieldDef.id == FieldValue.field_id)
        .where(column.in_(ids), FieldDef.type.in_([t.value for t in SEARCH_TYPES]))
        .order_by(FieldValue.id)
    )
    words: defaultdict[int, list[str]] = defaultdict(list)
    for card_id, type_, text in rows:
        if card_id is not None:  # (it is: the card is among ids)
            words[card_id].extend(value_words(type_, text))
    return {card_id: " ".join(card_words) for card_id, card_words in words.items()}


async def _client_lines(session: AsyncSession, ids: list[int]) -> list[dict[str, Any]]:
    cards = await columns_locked(
        session, Client, ids, Client.id, Client.name, Client.company, Client.city
    )
    words = await _words(session, CardKind.CLIENT, ids)
    phones = await _by_client(session, ClientPhone.client_id, ClientPhone.e164, ids)
    emails = await _by_client(session, ClientEmail.client_id, ClientEmail.email, ids)
    tags = await _by_client(session, ClientTag.client_id, ClientTag.tag, ids)
    lines = []
    for client_id, name, company, city in cards:
        line = search_text(
            name, company, city, emails[client_id], tags[client_id], phones[client_id]
        )
        fields = words.get(client_id, "")
        lines.append({"c": client_id, "f": fields, "l": with_fields(line, fields)})
    return lines


async def _record_lines(session: AsyncSession, ids: list[int]) -> list[dict[str, Any]]:
    cards = await columns_locked(session, Record, ids, Record.id, Record.title)
    words = await _words(session, CardKind.RECORD, ids)
    return [
        {"c": record_id, "l": fold(" ".join([title, words.get(record_id, "")]))}
        for record_id, title in cards
    ]


async def _by_client(
    session: AsyncSession, client: Any, value: Any, ids: list[int]
) -> defaultdict[int, list[str]]:
    rows = await session.execute(select(client, value).where(client.in_(ids)))
    found: defaultdict[int, list[str]] = defaultdict(list)
    for client_id, item in rows:
        found[client_id].append(item)
    return found
