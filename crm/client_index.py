"""What client search matches against, built from a client's fields. Pure."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers

from crm.errors import ErrorCode, InvalidInput
from crm.parsing.contacts import phone_digits_query, without_marks
from crm.parsing.fields import FieldType
from crm.parsing.search_text import fold


def phone_forms(e164: str) -> list[str]:
    """Digit strings a person may type for this phone: full international and national."""
    digits = e164.lstrip("+")
    forms = [digits]
    if e164.startswith("+7") and len(e164) == 12:  # +7: ten national digits, no parse needed
        return [digits, digits[1:]]
    try:
        national = str(phonenumbers.parse(e164).national_number)
    except phonenumbers.NumberParseException:
        national = ""
    if national and national != digits:
        forms.append(national)
    return forms


def value_words(type_: str, text: str | None) -> list[str]:
    """What a searchable custom value puts into its card's search line: a phone field's
    digit forms, another's folded text (nothing for an empty one)."""
    if not text:
        return []
    return phone_forms(text) if type_ == FieldType.PHONE else [fold(text)]


def search_text(
    name: str,
    company: str | None,
    city: str | None,
    emails: Iterable[str],
    tags: Iterable[str],
    phones: Iterable[str],
) -> str:
    words = [name, company or "", city or "", *emails, *tags]
    digits = [form for phone in phones for form in phone_forms(phone)]
    return fold(" ".join(part for part in (*words, *digits) if part))


def with_fields(line: str, fields_search: str | None) -> str:
    """A client's whole search line: ``line`` (``search_text``) and its searchable custom
    values (``Client.fields_search``, kept by crm.field_values)."""
    return f"{line} {fields_search}" if line and fields_search else line or fields_search or ""


MAX_QUERY = 200  # characters of a search


def searched_terms(query: str) -> list[str]:
    """``query_terms`` of a search of at most MAX_QUERY characters; a longer one is
    refused (``TOO_LONG``): a thousand words make a query too deep for SQLite."""
    if len(" ".join(query.split())) > MAX_QUERY:
        raise InvalidInput(ErrorCode.TOO_LONG, field="search", limit=MAX_QUERY)
    return query_terms(query)


def query_terms(query: str) -> list[str]:
    """The folded words of a search; a phone-like query becomes one digits term.

    ``8 999 123`` is read as a Russian national number: the trunk ``8`` is
    dropped so it matches the national form stored for +7 numbers, and so is a
    trunk ``0`` (``020 7946 0000``, ``030…``, Belarus's ``80 29…``) for the national
    form of other countries' numbers (a shorter term finds more, never less). A query
    that starts with ``+`` (``+7 9``) is the start of an international number
    however few digits it has: its digits, since no search text holds a ``+``
    next to a digit's place in a number. A word's leading ``#`` is dropped: tags
    are kept without it (``#опт`` finds the tag ``опт``). Quotes, brackets and
    punctuation around a word are dropped (``Petrov, Ivan``, ``"Romashka"``, ``Ivan.``):
    kept, ``petrov,`` was looked for and found nothing; the bare word finds every card the
    word with them did, and more.
    """
    # a number in quotes, with a stop after it, or copied with direction marks: the number
    bare = bare_word(without_marks(query).strip())
    international = bare.startswith("+")
    digits = phone_digits_query(bare, min_digits=1) if international else phone_digits_query(bare)
    if digits is not None:
        if len(digits) >= 2 and digits.startswith("8") and len(digits) <= 11:
            digits = digits[1:]
        if not international and len(digits) >= 3 and digits.startswith("0"):
            digits = digits[1:]  # a trunk 0 (020 7946…, 030…, BY 80 29…): only widens
        return [digits]
    words = (bare_word(word).lstrip("#") for word in fold(query).split(" "))
    return [word for word in words if word]


_AROUND = ",;:!?()[]{}<>\"'«»“”„‘’"  # around a word: no part of what it looks for


def bare_word(word: str) -> str:
    """A typed word without the quotes, brackets and punctuation around it (its ``#``
    kept: ``#vip,`` is ``#vip``), a stop after them too: ``«Romashka».`` is ``Romashka``
    (the stop was dropped alone, and the search looked for ``romashka»``); a leading
    ``.`` is kept (``.net``). ``<anna@mail.ru>``, as a mail program copies it, is the
    address."""
    return word.lstrip(_AROUND).rstrip(_AROUND + ".…")
