"""Where each column of a sent table goes: proposed from its header, changeable by a person.

Headers are matched in Russian and English in their usual spellings after
folding (case, ``ё``, punctuation). A column that matches nothing is skipped
unless a person picks a target for it: a field, the team's own client field
(``field_<id>``; a header named like one is matched to it), or a new field
named after the column (``new_field``, made when the import runs), or links to
the cards a cell names (``links_…``, see ``link_targets``).
``custom:<key>`` targets store into ``Client.custom_fields`` under that key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from crm.errors import ErrorCode, InvalidInput
from crm.imports.header_words import SYNONYMS
from crm.imports.link_targets import LINK_CLIENTS, LINK_DEALS, is_link, link_to
from crm.parsing.search_text import fold


class Target(StrEnum):
    SKIP = "skip"
    NAME = "name"
    SURNAME = "surname"
    FIRST_NAME = "first_name"
    PATRONYMIC = "patronymic"
    PHONE = "phone"
    EMAIL = "email"
    COMPANY = "company"
    CITY = "city"
    ADDRESS = "address"
    STATUS = "status"
    SOURCE = "source"
    TAGS = "tags"
    MANAGER = "manager"
    NOTE = "note"
    CAME_AT = "came_at"
    DEAL_TITLE = "deal_title"
    DEAL_AMOUNT = "deal_amount"
    DEAL_STAGE = "deal_stage"
    NEW_FIELD = "new_field"  # a new client field named after the column
    ARCHIVED = "archived"  # the card goes to the archive (yes, да, a date: our /export's column)
    ID = "id"  # our /export's card number: the row is that card's if it still has the row's name


# Targets a column may hold once; phones, e-mails, tags and notes may come from several.
REPEATABLE = frozenset(
    {Target.PHONE, Target.EMAIL, Target.TAGS, Target.NOTE, Target.SKIP, Target.NEW_FIELD}
)
NAME_PARTS = (Target.SURNAME, Target.FIRST_NAME, Target.PATRONYMIC)
DEAL_TARGETS = frozenset({Target.DEAL_TITLE, Target.DEAL_AMOUNT, Target.DEAL_STAGE})
CUSTOM_PREFIX = "custom:"
FIELD_PREFIX = "field_"  # ``field_<id>``: no ":" (the separator of callback data)

_BY_HEADER = {
    _key: Target(target) for target, names in SYNONYMS.items() for _key in (fold(n) for n in names)
}
_PUNCT = re.compile(r"[^\w]+")
# The words of an e-mail or a phone closing a longer header ("Рабочий e-mail"); not "номер",
# which ends many a header of other numbers ("Договор номер"), nor a bare "mail".
_CONTACT_ENDS = sorted(
    (k for k, t in _BY_HEADER.items() if t in (Target.EMAIL, Target.PHONE)),
    key=len,
    reverse=True,
)
_CONTACT_ENDS = [k for k in _CONTACT_ENDS if k not in ("номер", "mail")]
# Words of a header about an e-mail or a phone that is not the client's own: its status, a
# subscription, a consent, a manager's ("Статус email", "Подписка на email", "Last email",
# "Телефон менеджера"), another number ("Номер заказа"): such a column holds no contact of
# the client's, and its "да"s, dates and numbers, taken for contacts, would reject every row.
_NOT_THE_CLIENTS = frozenset(
    fold(word)
    for word in (
        *("статус", "подписка", "подписки", "подписан", "согласие", "согласен", "рассылку"),
        *("менеджера", "ответственного", "последний", "последнее", "дата", "проверен"),
        *("status", "subscription", "subscribed", "unsubscribed", "consent", "opt", "opted"),
        *("manager", "manager's", "managers", "last", "date", "verified", "bounced"),
        # "Номер заказа": a number, not a phone ("Номер телефона" is named whole)
        *("заказа", "договора", "счета", "счёта", "факса", "карты", "паспорта", "сделки"),
        *("order", "contract", "invoice", "fax", "card", "passport", "deal"),
    )
)


def header_key(header: str) -> str:
    """A header folded for matching: ``E-mail:`` and ``email`` are one."""
    text = _PUNCT.sub(" ", fold(header)).strip()
    return text


def guess(header: str) -> str:
    """The target a header suggests, or ``skip``."""
    key = header_key(header)
    if not key:
        return Target.SKIP
    if key in _BY_HEADER:
        return _BY_HEADER[key]
    squeezed = key.replace(" ", "")
    for name, target in _BY_HEADER.items():
        if name.replace(" ", "") == squeezed:
            return target
    words = key.split(" ")
    found = _by_words(key, words)
    if found in (Target.EMAIL, Target.PHONE) and _NOT_THE_CLIENTS.intersection(words):
        return Target.SKIP  # "Статус email", "Email менеджера": about one, not the client's
    return found


def _by_words(key: str, words: list[str]) -> str:
    """What a header no synonym names whole suggests by its words."""
    # "Рабочий e-mail", "Адрес e-mail", "Work phone": an e-mail's or a phone's words at the
    # end decide (the first word is no address of the client's then).
    for name in _CONTACT_ENDS:
        if key.endswith(" " + name):
            return _BY_HEADER[name]
    # "Телефон 2", "Телефон1", "Email (рабочий)", "Мобильный тел." : the first word decides
    # ("E-mail (рабочий)": the first two, "e mail", being one).
    first = words[0].rstrip("0123456789")
    found = _BY_HEADER.get(first) or _BY_HEADER.get(" ".join(words[:2]))
    if found in REPEATABLE or found in (Target.COMPANY, Target.CITY, Target.ADDRESS):
        return found
    return Target.SKIP


def propose(
    headers: list[str],
    fields: Mapping[str, int] | None = None,
    links: Mapping[str, str] | None = None,
) -> list[str]:
    """One target per column; a target that may appear once goes to its first column.

    ``fields``: the team's client fields by folded name; a header named like one
    of them goes to it (the team's own name wins over a built-in synonym).
    ``links``: link targets by folded header (``link_targets.link_headers``), next;
    but a record type's plural only for a header nothing else claims, or for a second
    column of that header: a type named "Теги" does not take the tags' column.
    """
    taken: set[str] = set()
    seen: set[str] = set()
    mapping: list[str] = []
    own, linked = fields or {}, links or {}
    for header in headers:
        folded = fold(header)
        target: str = f"{FIELD_PREFIX}{own[folded]}" if folded in own else guess(header)
        if folded in linked and folded not in own:
            link = linked[folded]
            # A second column of one header: the export's "Теги" of a type so named.
            if link in (LINK_CLIENTS, LINK_DEALS) or target == Target.SKIP or folded in seen:
                target = link
        seen.add(folded)
        if target not in REPEATABLE and not is_link(target) and target in taken:
            target = Target.SKIP
        taken.add(target)
        mapping.append(target)
    return _bare_number_not_a_phone(headers, mapping)


_BARE_NUMBER = "номер"  # a phone's column alone in a file; beside a «Телефон», a row's number


def _bare_number_not_a_phone(headers: list[str], mapping: list[str]) -> list[str]:
    """A column headed «Номер» goes nowhere when another column is the phone: it is then
    the row's or an order's number (1, 2, 3…), and as a phone it rejected every row."""
    bare = [c for c, h in enumerate(headers) if header_key(h) == _BARE_NUMBER]
    if bare and any(t == Target.PHONE and c not in bare for c, t in enumerate(mapping)):
        return [Target.SKIP if c in bare else t for c, t in enumerate(mapping)]
    return mapping


def check(mapping: list[str]) -> list[str]:
    """Refuses a mapping that cannot make a card (no name, company, phone or e-mail)."""
    known = {t.value for t in Target}
    for target in mapping:
        custom = target.startswith(CUSTOM_PREFIX) or field_id(target) is not None
        custom = custom or link_to(target) is not None
        if target not in known and not custom:
            raise InvalidInput(ErrorCode.IMPORT_BAD_TARGET, target=target[:40])
    useful = {Target.NAME, Target.COMPANY, Target.PHONE, Target.EMAIL, *NAME_PARTS}
    if not useful & set(mapping):
        raise InvalidInput(ErrorCode.IMPORT_NO_COLUMNS)
    return mapping


def change(mapping: list[str], column: int, target: str) -> list[str]:
    """A person's choice for one column; a single-use target leaves the column that had it
    (links are not single-use: two columns may name cards of one kind)."""
    if not 0 <= column < len(mapping):
        raise InvalidInput(ErrorCode.IMPORT_BAD_COLUMN)
    updated = list(mapping)
    if target not in REPEATABLE and not is_link(target):
        updated = [Target.SKIP if t == target else t for t in updated]
    updated[column] = target
    return updated


def field_id(target: str) -> int | None:
    """The client field a ``field_<id>`` target names, or None."""
    number = target.removeprefix(FIELD_PREFIX)
    if number == target or not (number.isascii() and number.isdigit()) or len(number) > 10:
        return None
    return int(number)
