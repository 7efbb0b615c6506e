"""Custom field values typed by a person: checked and turned into what is stored. Pure.

Each field type has one parser. A parser takes the text and returns a
``Parsed`` value (the typed columns of a ``field_values`` row, or option ids for
a list field) or raises ``FieldValueError`` with a code the handlers put into
words. ``plain`` turns a stored value back into the JSON-able form events keep.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.clock_time import parse_clock_time
from crm.parsing.contacts import EmailError, PhoneError, parse_email, parse_phone
from crm.parsing.month_names import named_month_date
from crm.parsing.search_text import fold, shows


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    YES_NO = "yes_no"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"


LIST_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
RANGE_TYPES = frozenset({FieldType.NUMBER, FieldType.MONEY, FieldType.DATE})
FILTER_TYPES = LIST_TYPES | RANGE_TYPES | {FieldType.YES_NO}
SEARCH_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.PHONE, FieldType.EMAIL})
MAX_TEXT = 500
MAX_LONG_TEXT = 3000
MAX_URL = 500
MAX_NUMBER = Decimal(10) ** 15

_YES = frozenset({"да", "д", "yes", "y", "+", "1", "true", "✅", "есть"})
_NO = frozenset({"нет", "н", "no", "n", "-", "0", "false", "❌"})
_NUMBER = re.compile(r"^[-−]?\d+(?:[.,]\d+)?$")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?:\s*(?:г\.?|года))?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# An offset from UTC as ISO writes one after a time: Z, +03:00, -0500 (-14:00 to +14:00).
UTC_OFFSET = r"(?:Z|[+-](?:0\d|1[0-4]):?[0-5]\d)"
# A time of day after the date, as pasted from another system or a phone (the time is let
# go, with its offset from UTC): ``31.12.2026 14:30``, ``2026-12-31T14:30:00+03:00``,
# ``1 мая 2025 г., в 14:30``. The date is the one written, wherever its offset.
_AT_TIME = re.compile(
    r"^(?P<day>.*?\S)(?:T|\s*,\s*(?:в\s+)?|\s+(?:в\s+)?)"
    r"(?P<time>\d{1,2}[:.]\d{2})(?::[0-5]\d(?:[.,]\d+)?)?"
    rf"(?:\s*{UTC_OFFSET})?$",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}$")  # as IDNA's ASCII


class FieldValueError(ValueError):
    """``code``: empty, not_a_number, not_a_date, bad_year, not_yes_no, not_in_list, bad_phone,
    bad_email, bad_url, too_long, too_large, negative; ``limit`` for too_long."""

    def __init__(self, code: str, limit: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


@dataclass(frozen=True)
class Option:
    id: int
    name: str


@dataclass(frozen=True)
class Parsed:
    """What one value stores: the typed columns, or the chosen options of a list field."""

    int_value: int | None = None
    num_value: float | None = None
    date_value: date | None = None
    text_value: str | None = None
    option_ids: tuple[int, ...] = field(default_factory=tuple)
    search: str = ""  # folded text a search matches, for the searchable types


def parse_value(
    type_: FieldType, text: str, options: tuple[Option, ...] = (), region: str = "RU"
) -> Parsed:
    """Parse ``text`` as a value of ``type_``; raises FieldValueError."""
    raw = text.strip()
    if type_ in (FieldType.TEXT, FieldType.LONG_TEXT):
        value = " ".join(raw.split()) if type_ == FieldType.TEXT else raw
        if not shows(value):
            raise FieldValueError("empty")
        limit = MAX_TEXT if type_ == FieldType.TEXT else MAX_LONG_TEXT
        if len(value) > limit:
            raise FieldValueError("too_long", limit)
        return Parsed(text_value=value, search=fold(value))
    if type_ == FieldType.NUMBER:
        return _number(raw)
    if type_ == FieldType.MONEY:
        try:
            return Parsed(int_value=parse_amount(raw))
        except AmountError as error:
            raise FieldValueError(error.code) from None
    if type_ == FieldType.DATE:
        return Parsed(date_value=parse_date(raw))
    if type_ == FieldType.YES_NO:
        word = fold(raw).rstrip(".!")
        if word in _YES:
            return Parsed(int_value=1)
        if word in _NO:
            return Parsed(int_value=0)
        raise FieldValueError("not_yes_no")
    if type_ in LIST_TYPES:
        return _choices(type_, raw, options)
    if type_ == FieldType.PHONE:
        try:
            phone = parse_phone(raw, region)
        except PhoneError:
            raise FieldValueError("bad_phone") from None
        return Parsed(text_value=phone.e164, search=phone.digits)
    if type_ == FieldType.EMAIL:
        try:
            email = parse_email(raw)
        except EmailError:
            raise FieldValueError("bad_email") from None
        return Parsed(text_value=email, search=email)
    return _url(raw)


def _number(raw: str) -> Parsed:
    compact = raw.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not _NUMBER.match(compact):
        raise FieldValueError("not_a_number")
    number = Decimal(compact.replace(",", ".").replace("−", "-")) + 0  # "-0" is 0
    if abs(number) >= MAX_NUMBER:
        raise FieldValueError("too_large")
    shown = format(number.normalize(), "f") if number == number.to_integral() else str(number)
    return Parsed(num_value=float(number), text_value=shown)


def full_year(written: str) -> int:
    """A year as written in a date: two digits are 1970–2069 ('85' is 1985, '27' 2027),
    for a field's value and an import's date cell alike; four are the year itself ('0000'
    is no year, never 2000)."""
    year = int(written)
    if len(written) != 2:
        return year
    return year + (2000 if year < 70 else 1900)


def parse_date(raw: str) -> date:
    """``31.12.2026`` (``г.`` after it or not), ``31/12/26`` (the day first, always),
    ``2026-12-31``, ``1 февраля 2026``, ``Feb 1, 2026``; a time of day after the date
    (``31.12.2026 14:30``, ``1 мая 2025, в 14:30``) is let go, anything else after it is
    no date. Raises FieldValueError."""
    text = raw.strip()
    timed = _AT_TIME.match(text)
    if timed and parse_clock_time(timed["time"]) is not None:
        text = timed["day"]
    match = _YMD.match(text)
    named = None if match else named_month_date(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif named:
        day, month, year = named[0], named[1], full_year(named[2])
    else:
        match = _DMY.match(text)
        if not match:
            raise FieldValueError("not_a_date")
        day, month, year = int(match[1]), int(match[2]), full_year(match[3])
    if year < 1:  # 01.01.0000: the calendar has no year 0; said so, not "not a date"
        raise FieldValueError("bad_year")
    try:
        return date(year, month, day)
    except ValueError:
        raise FieldValueError("not_a_date") from None


def parse_number_bound(type_: FieldType, text: str) -> int | float | date:
    """One end of a filter range, read the way a value of ``type_`` is."""
    parsed = parse_value(type_, text)
    if type_ == FieldType.DATE:
        assert parsed.date_value is not None
        return parsed.date_value
    if type_ == FieldType.MONEY:
        assert parsed.int_value is not None
        return parsed.int_value
    assert parsed.num_value is not None
    return parsed.num_value


# Several options typed at once are parted as the owner's list of them is (``split_options``):
# a comma between digits parts nothing ("0,5 л, 1,5 л" is two). Then at every comma ("1,2":
# the first and the second), when that reads no option.
_SPLITS = (re.compile(r"[;\n]|(?<!\d),|,(?!\d)"), re.compile(r"[,;\n]"))


def _choices(type_: FieldType, raw: str, options: tuple[Option, ...]) -> Parsed:
    if type_ == FieldType.CHOICE:
        return _chosen([raw], options)
    error = FieldValueError("not_in_list")
    for parts in ([raw], *(split.split(raw) for split in _SPLITS)):
        try:
            return _chosen(parts, options)
        except FieldValueError as refused:
            error = refused
    raise error


def _chosen(parts: list[str], options: tuple[Option, ...]) -> Parsed:
    by_name = {fold(option.name): option.id for option in options}
    chosen: list[int] = []
    for part in parts:
        key = fold(part)
        if not key:
            continue
        option_id = by_name.get(key)
        if option_id is None and key.isdigit() and 1 <= int(key) <= len(options):
            option_id = options[int(key) - 1].id  # "2": the second option
        if option_id is None:
            raise FieldValueError("not_in_list")
        if option_id not in chosen:
            chosen.append(option_id)
    if not chosen:
        raise FieldValueError("not_in_list")
    return Parsed(option_ids=tuple(chosen))


def _url(raw: str) -> Parsed:
    if len(raw) > MAX_URL:
        raise FieldValueError("too_long", MAX_URL)
    if not raw or any(char.isspace() for char in raw):
        raise FieldValueError("bad_url")
    text = raw if re.match(r"^[a-z][a-z0-9+.-]*://", raw, re.I) else f"https://{raw}"
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise FieldValueError("bad_url") from None
    if parts.scheme.lower() not in ("http", "https") or not _site(host):
        raise FieldValueError("bad_url")
    return Parsed(text_value=text, search=fold(text))


def _site(host: str) -> bool:
    """A domain whose last part has a letter (``31.12.2026`` is a date), or an IPv4 address.

    A domain of any script (``münchen.de``, ``пример.рф``, ``例え.テスト``) is checked in the
    ASCII form IDNA gives it (``xn--mnchen-3ya.de``); it is kept as typed."""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or over-long part, or what no domain can hold
        return False
    if _HOST.match(ascii_host) and any(char.isalpha() for char in host.rsplit(".", 1)[-1]):
        return True
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True
