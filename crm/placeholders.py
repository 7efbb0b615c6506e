"""Placeholders like ``{client.name}`` in templates and rule texts: finding, checking, filling.

Spaces inside the braces are allowed (``{ client.name }`` is the same placeholder);
double braces (``{{client.name}}``) are refused with how to write them.

The values come from a client, its deal and its manager (``record_values``).
Custom fields (``{custom.<key>}``) are accepted for the keys the caller names
as known: the seam where the team's own fields plug in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.errors import ErrorCode, InvalidInput
from crm.money import format_money
from storage.models import Client, ClientPhone, Deal, User

BUILT_IN = (
    "client.name",
    "client.company",
    "client.phone",
    "deal.title",
    "deal.amount",
    "manager.name",
    "manager.phone",
    "today",
)
CUSTOM_PREFIX = "custom."
_NAME = r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)"
# Spaces (not line breaks) inside the braces, as people type them: ``{ client.name }``.
SPACES = r"[^\S\n]*"
PATTERN = re.compile(r"\{" + SPACES + _NAME + SPACES + r"\}")
# ``{{client.name}}``, as other CRMs and Jinja write them: filled as ``{client.name}``, it
# would leave a brace each side of the value ("Dear {Ivan}").
_DOUBLED = re.compile(r"\{\{\s*" + _NAME + r"\s*\}\}")
# A brace opened on a name and not closed after it: "{client.na", "{ client.name, hi".
OPEN_BRACE = re.compile(
    r"\{" + SPACES + r"[A-Za-z_][A-Za-z0-9_.]*(?![A-Za-z0-9_.}]|" + SPACES + r"\})"
)
# Words in braces on one line, as a placeholder is tried in other words: "{клиент.имя}".
_BRACED_WORDS = re.compile(r"\{([^{}\n]*[^\W\d][^{}\n]*)\}")
Values = Mapping[str, str | None]


def find(text: str) -> list[str]:
    """The placeholder names in ``text``, each once, in order of appearance."""
    return list(dict.fromkeys(PATTERN.findall(text)))


def is_known(name: str, custom_keys: Iterable[str] = ()) -> bool:
    if name in BUILT_IN:
        return True
    return name.startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX) :] in set(custom_keys)


def single_braces(text: str) -> None:
    """InvalidInput naming a placeholder written in double braces, and how to write it."""
    doubled = _DOUBLED.search(text)
    if doubled is not None:
        raise InvalidInput(ErrorCode.DOUBLE_BRACES, text=doubled.group(0), name=doubled.group(1))


def check(text: str, custom_keys: Iterable[str] = ()) -> list[str]:
    """The placeholders of ``text``; InvalidInput naming the first unknown one (words in
    braces that are no placeholder: "{клиент.имя}"), one written in double braces, or a
    brace left open after a name."""
    single_braces(text)
    keys = list(custom_keys)
    for inner in _BRACED_WORDS.findall(text):  # a known one in other words is no place
        if not is_known(inner.strip(), keys):
            raise InvalidInput(ErrorCode.UNKNOWN_PLACEHOLDER, name=inner.strip()[:60])
    broken = OPEN_BRACE.search(text)
    if broken is not None:  # sent as typed, the client would get the brace
        start, end = broken.start() - 20, broken.end() + 20  # its own line's words around it
        near = text[max(0, start, text.rfind("\n", 0, broken.start()) + 1) : end].split("\n")[0]
        raise InvalidInput(ErrorCode.BROKEN_PLACEHOLDER, text=near.strip(), typed=True)
    names = find(text)
    for name in names:
        if not is_known(name, keys):
            raise InvalidInput(ErrorCode.UNKNOWN_PLACEHOLDER, name=name)
    return names


def missing(names: Iterable[str], values: Values) -> list[str]:
    """The placeholders that have no value for this record."""
    return [name for name in names if not values.get(name)]


def fill(text: str, values: Values) -> str:
    """``text`` with every placeholder replaced; one without a value becomes empty."""
    return PATTERN.sub(lambda m: values.get(m.group(1)) or "", text)


async def record_values(
    session: AsyncSession,
    *,
    client: Client | None,
    deal: Deal | None,
    language: str,
    timezone: str,
    now: datetime,
    phones: Mapping[int, str] | None = None,
) -> dict[str, str | None]:
    """Every placeholder's value for a client (and its deal), read now.

    ``phones``: clients' first phones read beforehand for many records at once
    (a client missing from it has none).
    """
    if client is None and deal is not None:
        client = await session.get(Client, deal.client_id)
    manager_id = deal.manager_id if deal is not None and deal.manager_id else None
    if manager_id is None and client is not None:
        manager_id = client.manager_id
    manager = await session.get(User, manager_id) if manager_id is not None else None
    phone = None
    if client is not None and phones is not None:
        phone = phones.get(client.id)
    elif client is not None:
        phone = await first_phone(session, client.id)
    values: dict[str, str | None] = {
        "client.name": client.name if client else None,
        "client.company": client.company if client else None,
        "client.phone": phone,
        "deal.title": deal.title if deal else None,
        "deal.amount": (format_money(deal.amount_minor, deal.currency, language) if deal else None),
        "manager.name": manager.full_name or None if manager else None,
        # Members keep no phone of their own yet: their Telegram username stands in.
        "manager.phone": f"@{manager.username}" if manager and manager.username else None,
        "today": now.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y"),
    }
    if client is not None:
        for key, value in (client.custom_fields or {}).items():
            values[CUSTOM_PREFIX + str(key)] = None if value in (None, "") else str(value)
    return values


async def first_phone(session: AsyncSession, client_id: int) -> str | None:
    """The client's first phone (the one a task's reminder and a document show)."""
    return await session.scalar(
        select(ClientPhone.e164)
        .where(ClientPhone.client_id == client_id)
        .order_by(ClientPhone.id)
        .limit(1)
    )
