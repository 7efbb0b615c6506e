"""Repairing what Excel does to cells: numbers for phones, serials for dates, odd spaces.

A spreadsheet cell arrives as text, a number (``float``/``int``), a ``bool``, a
``date``/``datetime`` or ``None``. These pure functions turn one cell into what
a card stores, repairing the usual damage instead of refusing it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from crm.parsing.amounts import MAX_UNITS, AmountError, parse_amount
from crm.parsing.contacts import (
    EMAIL_LEAD,
    EMAIL_TRAIL,
    EmailError,
    PhoneError,
    parse_email,
    parse_phone,
)
from crm.parsing.fields import UTC_OFFSET, full_year
from crm.parsing.month_names import named_month_date

CellValue = str | int | float | bool | date | datetime | time | timedelta | None

# Characters Excel and copy-paste leave in text: no-break, thin and zero-width spaces.
_ODD_SPACES = str.maketrans(
    {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200b": "", "\ufeff": ""}
)
_UNTIDY = re.compile(r"^\s|\s$|\s\s|[^\S ]|[\u00a0\u202f\u2007\u2009\u200b\ufeff]")
_SCIENTIFIC = re.compile(r"^\s*[+]?\d+(?:[.,]\d+)?[eE][+]?\d+\s*$")
# A number written out as a float (a CSV from pandas): '79161234567.0' is its digits.
_FLOAT_TEXT = re.compile(r"^\+?\d{6,15}[.,]0+$")
# A phone's or an e-mail's cell of dashes alone: none (as a "-" typed at /new's step).
_DASHES_ONLY = re.compile(r"^[-\u2010-\u2015\u2212]+$")
_PHONE_SPLIT = re.compile(r"[;,/\n]|\s{2,}")
_EXTENSION = re.compile(r"\s*(?:доб\.?|ext\.?|x)\s*\d+\s*$", re.IGNORECASE)
_EMAIL_SPLIT = re.compile(r"[;,\s]+")
# A time may carry seconds ('05.03.2026 14:30:15', as amoCRM and Bitrix24 export): dropped.
_DMY = re.compile(
    r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:\s*г\.?)?"  # «01.02.2026 г.» too
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?)?$"
)
# 2024-01-05, maybe a time (seconds and their fraction dropped), maybe an offset from UTC
# (Z, +03:00, -0500), as other systems export a moment; nothing else after it.
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?)?"
    rf"\s*({UTC_OFFSET})?$"
)
_TIME_AFTER = re.compile(r"^(.+?)(?:,?\s+(\d{1,2}):(\d{2}))?$")  # 1 февраля 2025 14:30
# Excel's day zero (serial 1 = 1900-01-01, with its make-believe 29 February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
_MIN_SERIAL, _MAX_SERIAL = 1, 2_958_465  # 1900-01-01 … 9999-12-31
# A serial saved as text (a CSV from Excel): five digits, 1927-05-18 … 2173-10-14, and
# maybe a time of day. Any other number is not one: '12.03' has no year, '2024' is one.
_TEXT_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
# The same range for a number cell (a date column whose format was lost).
_MIN_CELL_SERIAL, _MAX_CELL_SERIAL = 10_000, 100_000


def cell_text(value: CellValue) -> str | None:
    """The cell as one clean line of text; None when it is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):  # as written, never "1e-05" (no number field reads that)
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str) and not _UNTIDY.search(value):
        return value or None  # already one clean line: the common case, kept fast
    text = " ".join(str(value).translate(_ODD_SPACES).split())
    return text or None


def cell_lines(value: CellValue) -> str | None:
    """The cell as text that keeps its line breaks (a note, a long text: as typed), each
    line clean as ``cell_text`` makes it; None when it is empty."""
    if not isinstance(value, str) or ("\n" not in value and "\r" not in value):
        return cell_text(value)
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(" ".join(line.translate(_ODD_SPACES).split()) for line in lines)
    return text.strip("\n") or None


def _number_digits(value: int | float | str) -> str | None:
    """Digits of a phone stored as a number: ``79161234567.0`` or ``7.9161234567E+10``."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or number <= 0:
        return None
    return str(int(number))


def _whole(scientific: str) -> bool:
    """Whether a number in scientific notation written as text holds every digit: Excel
    shows a long phone as ``7.99912E+10`` and saves that to a CSV, its last digits gone
    (read as ``79991200000`` it would be another number, or merge two clients)."""
    mantissa, _, exponent = scientific.strip().upper().partition("E")
    decimals = len(mantissa.replace(",", ".").partition(".")[2])
    return decimals >= int(exponent)


_SEPARATORS = re.compile(r"[\s()\-.]")
# Russian mobiles outside the 93x block, where libphonenumber's pattern is 9[0-24-9]\d{8}
# with no exceptions: a file of 100,000 of them would spend most of its time in the parser.
_RU_MOBILE = re.compile(r"(?:\+7|7|8)?(9[0-24-9]\d{8})")


def _ru_mobile(text: str) -> str | None:
    match = _RU_MOBILE.fullmatch(_SEPARATORS.sub("", text))
    return f"+7{match[1]}" if match else None


def cell_phones(value: CellValue, region: str) -> tuple[list[str], list[str]]:
    """Phones of a cell in E.164, and the parts that are not phones.

    One cell may hold several numbers (``8 916 123-45-67, +7 495 …``); numbers
    stored as numbers, in scientific notation or as float text are read as their digits; a
    ten-digit ``9…`` or an eleven-digit ``8…`` is a Russian number.
    """
    if value is None or isinstance(value, bool | date | time | timedelta):
        return [], []
    if isinstance(value, int | float):
        digits = _number_digits(value)
        parts = [digits] if digits else [str(value)]
    else:
        text = str(value).translate(_ODD_SPACES).strip()
        if _DASHES_ONLY.match(text):
            return [], []
        if _SCIENTIFIC.match(text):
            digits = _number_digits(text) if _whole(text) else None
            parts = [digits] if digits else [text]
        elif _FLOAT_TEXT.match(text):
            parts = [re.split(r"[.,]", text)[0]]
        else:
            parts = [part.strip() for part in _PHONE_SPLIT.split(text)]
    phones: list[str] = []
    bad: list[str] = []
    for part in parts:
        part = _EXTENSION.sub("", part).strip()
        if not part:
            continue
        try:
            phone = _ru_mobile(part) if region == "RU" else None
            phone = phone or parse_phone(part, region).e164
        except PhoneError:
            bad.append(part)
            continue
        if phone not in phones:
            phones.append(phone)
    return phones, bad


def cell_emails(value: CellValue) -> tuple[list[str], list[str]]:
    """E-mails of a cell (several allowed, split by commas, semicolons or spaces)."""
    text = cell_text(value)
    if text is None or _DASHES_ONLY.match(text):
        return [], []
    emails: list[str] = []
    bad: list[str] = []
    for part in _EMAIL_SPLIT.split(text):
        # Wrappers and a stop as a typed one may have: «ivan@mail.ru», ivan@mail.ru.
        part = part.strip().lstrip(EMAIL_LEAD).rstrip(EMAIL_TRAIL).removeprefix("mailto:")
        if not part:
            continue
        try:
            email = parse_email(part)
        except EmailError:
            bad.append(part)
            continue
        if email not in emails:
            emails.append(email)
    return emails, bad


class DateError(ValueError):
    pass


def _offset(written: str | None) -> timedelta:
    """An ISO moment's offset from UTC (``+03:00``, ``-0500``, ``Z``; none is UTC)."""
    if not written or written == "Z":
        return timedelta()
    digits = written[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return -offset if written[0] == "-" else offset


def cell_date(value: CellValue) -> datetime | None:
    """A moment (UTC, midnight for a bare day) from a date cell, a serial, dd.mm.yyyy text
    (the day first, always) or a date with the month's name (``1 февраля 2025``).

    A day and month without a year ('12.03') is refused as not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, bool | time | timedelta):
        raise DateError("not a date")
    if isinstance(value, int | float):
        if not _MIN_CELL_SERIAL <= value < _MAX_CELL_SERIAL:  # 2024 is a year, 12.03 no date
            raise DateError("not a date")
        return _serial(float(value))
    text = " ".join(str(value).translate(_ODD_SPACES).split())
    if not text:
        return None
    if _TEXT_SERIAL.match(text):
        return _serial(float(text.replace(",", ".")))
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = int(match[1]), int(match[2]), full_year(match[3])
            hour, minute = int(match[4] or 0), int(match[5] or 0)
            return datetime(year, month, day, hour, minute, tzinfo=UTC)
        match = _ISO.match(text)
        if match:
            year, month, day, hour, minute = (int(p) if p else 0 for p in match.groups()[:5])
            return datetime(year, month, day, hour, minute, tzinfo=UTC) - _offset(match[6])
        match = _TIME_AFTER.match(text)
        named = named_month_date(match[1]) if match else None
        if match and named:
            hour, minute = int(match[2] or 0), int(match[3] or 0)
            return datetime(full_year(named[2]), named[1], named[0], hour, minute, tzinfo=UTC)
    except ValueError as exc:
        raise DateError("no such day") from exc
    raise DateError("not a date")


def _serial(number: float) -> datetime:
    if not _MIN_SERIAL <= number <= _MAX_SERIAL:
        raise DateError("serial out of range")
    moment = datetime.combine(_EXCEL_EPOCH, time(), tzinfo=UTC) + timedelta(days=number)
    return moment.replace(second=0, microsecond=0)


def cell_amount(value: CellValue) -> int | None:
    """Money in minor units: numbers as stored, text as people write it (``150к``)."""
    if value is None or isinstance(value, bool | date | time | timedelta):
        if value is None:
            return None
        raise AmountError("not_a_number")
    if isinstance(value, int | float):
        if value < 0:
            raise AmountError("negative")
        units = Decimal(repr(value))
        if units >= MAX_UNITS:
            raise AmountError("too_large")
        return int((units * 100).quantize(Decimal(1)))
    text = cell_text(value)
    return None if text is None else parse_amount(text)


_YES = frozenset({"да", "д", "yes", "y", "true", "истина", "1", "+", "x", "х", "v", "✓", "✔"})
_NO = frozenset({"нет", "н", "no", "n", "false", "ложь", "0", "-", "–", "—"})


class FlagError(ValueError):
    pass


def cell_flag(value: CellValue) -> tuple[bool, datetime | None]:
    """A yes-or-no cell where a date says yes and since when (/export's "Archived on"):
    ``(True, None)`` for ``да``, ``yes``, ``1``, ``✓``…; ``(True, the day)`` for a date;
    ``(False, None)`` for an empty cell, ``нет``, ``no``, ``0``, ``-``. FlagError otherwise."""
    if isinstance(value, bool):
        return value, None
    text = cell_text(value)
    if text is None:
        return False, None
    word = text.casefold().rstrip(".!")
    if word in _YES or word in _NO:
        return word in _YES, None
    try:
        day = cell_date(value)
    except DateError as exc:
        raise FlagError(text) from exc
    return day is not None, day
