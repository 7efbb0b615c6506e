"""The rules of custom field definitions that need no database: names, options, reading a
typed value. Pure."""

from __future__ import annotations

import re

from crm.cards import CardKind
from crm.errors import ErrorCode, InvalidInput
from crm.parsing.fields import FieldType, FieldValueError, Option, Parsed, parse_value
from crm.parsing.search_text import fold, one_line, shows
from storage.models import FieldDef

MAX_FIELD_NAME = 60
MAX_FIELDS = 50
MAX_OPTIONS = 100
MAX_OPTION_NAME = 60

# Built-in fields of each kind of card, in both languages, folded: a custom field may not
# take one of these names.
BUILT_IN = {
    CardKind.CLIENT: frozenset(
        [
            "имя",
            "name",
            "телефон",
            "телефоны",
            "phone",
            "phones",
            "email",
            "emails",
            "почта",
            "e-mail",
            "компания",
            "company",
            "город",
            "city",
            "адрес",
            "address",
            "статус",
            "status",
            "источник",
            "source",
            "теги",
            "тег",
            "tags",
            "tag",
            "менеджер",
            "manager",
            "ответственный",
            "responsible",
        ]
    ),
    CardKind.DEAL: frozenset(
        [
            "название",
            "title",
            "сумма",
            "amount",
            "этап",
            "stage",
            "клиент",
            "client",
            "менеджер",
            "manager",
            "ответственный",
            "responsible",
            "закрытие",
            "close",
        ]
    ),
    CardKind.RECORD: frozenset(
        ["название", "title", "name", "имя", "ответственный", "responsible"]
    ),
}


def clean_name(name: str, limit: int = MAX_FIELD_NAME, what: str = "field_name") -> str:
    text = one_line(name)
    if not text:
        raise InvalidInput(ErrorCode.EMPTY, field=what)
    if len(text) > limit:
        raise InvalidInput(ErrorCode.TOO_LONG, field=what, limit=limit)
    return text


def options_of(field: FieldDef) -> tuple[Option, ...]:
    return tuple(Option(int(item["id"]), str(item["name"])) for item in field.options)


def parse_for_field(field: FieldDef, text: str, region: str) -> Parsed:
    """The text as a value of the field, or InvalidInput with the reason: one reading and
    one refusal for a value typed on a card and one a rule waits for or writes."""
    try:
        return parse_value(FieldType(field.type), text, options_of(field), region)
    except FieldValueError as error:
        raise InvalidInput(
            ErrorCode.BAD_FIELD_VALUE, reason=error.code, name=field.name, limit=error.limit
        ) from None


# A list field's options typed at once: a new line, a semicolon, or a comma that is not a
# decimal one (``1,5`` is one option: a digit on both sides).
# The line breaks are those of ``str.splitlines``.
_OPTION_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029;]|(?<!\d),|,(?!\d)")


def split_options(text: str) -> list[str]:
    """A list field's options as the owner types them: ``опт, розница; дилер`` or one a
    line. Blanks are trimmed; empty options and repeats (in any case, ё as е) dropped."""
    options: list[str] = []
    seen: set[str] = set()
    for part in _OPTION_BREAK.split(text):
        name = one_line(part)
        if name and fold(name) not in seen:
            seen.add(fold(name))
            options.append(name)
    return options


def added_options(existing: list[str], text: str) -> list[str]:
    """Options added to a list field, typed as when it is made (``VIP, Partner``: two),
    checked with the field's own: one there already (by name) refuses them all."""
    names = split_options(text) or [""]  # (no option at all: refused as a blank one)
    added = [clean_name(name, MAX_OPTION_NAME, "option") for name in names]
    clean_options(existing + added)
    return added


def clean_options(names: list[str]) -> list[str]:
    cleaned = [clean_name(name, MAX_OPTION_NAME, "option") for name in names if shows(name)]
    if len(cleaned) > MAX_OPTIONS:
        raise InvalidInput(ErrorCode.TOO_MANY_OPTIONS, limit=MAX_OPTIONS)
    folded = [fold(name) for name in cleaned]
    if len(set(folded)) != len(folded):
        raise InvalidInput(ErrorCode.OPTION_TWICE)
    return cleaned
