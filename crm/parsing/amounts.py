"""Money as people type it: ``150000``, ``150 000``, ``150к``, ``1,5 млн``, ``1.5m``.

The result is an integer of minor units (kopecks, cents). Pure.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_UNITS = Decimal(10) ** 12  # a trillion: anything larger is a typo


class AmountError(ValueError):
    """``code`` is ``not_a_number``, ``negative``, ``too_large`` or ``too_precise`` (a part of
    a kopeck or a cent: ``0,005``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_MULTIPLIERS = (
    (("тыс", "тысяч", "тысячи", "тысяча", "т", "к", "k", "thousand"), Decimal(1_000)),
    (("млн", "миллион", "миллиона", "миллионов", "м", "m", "mln", "million"), Decimal(1_000_000)),
    (("млрд", "миллиард", "миллиарда", "миллиардов", "b", "bn", "billion"), Decimal(1_000_000_000)),
)
_CURRENCY_WORDS = (
    "₽",
    "$",
    "€",
    "руб",
    "рублей",
    "рубля",
    "рубль",
    "р",
    "rub",
    "usd",
    "eur",
    "dollars",
    "euro",
)
_SHAPE = re.compile(r"^(?P<sign>[-−–]?)\s*(?P<number>\d[\d\s.,']*)\s*(?P<suffix>[^\d\s.,]*)$")


def parse_amount(text: str) -> int:
    """Minor units for what was typed; raises AmountError."""
    cleaned = text.strip().lower().replace("\u00a0", " ").replace("\u202f", " ").rstrip(".")
    for word in sorted(_CURRENCY_WORDS, key=len, reverse=True):
        if cleaned.startswith(word):
            cleaned = cleaned[len(word) :].strip()
        before = cleaned[: -len(word)].strip()[-1:]  # "150000 руб", "10 тыс. руб", "10 т.р."
        if cleaned.endswith(word) and (before.isalnum() or before == "."):
            cleaned = cleaned[: -len(word)].strip()
    cleaned = cleaned.rstrip(".")
    match = _SHAPE.match(cleaned)
    if match is None:
        raise AmountError("not_a_number")
    multiplier = _multiplier(match["suffix"])
    number = _number(match["number"].strip(), has_suffix=multiplier != 1)
    if match["sign"]:
        raise AmountError("negative")
    units = number * multiplier
    if units >= MAX_UNITS:
        raise AmountError("too_large")
    minor = units * 100
    if minor != minor.to_integral_value():  # never rounded away unsaid
        raise AmountError("too_precise")
    return int(minor)


def _multiplier(suffix: str) -> Decimal:
    suffix = suffix.strip(".")
    if not suffix:
        return Decimal(1)
    for words, value in _MULTIPLIERS:
        if suffix in words:
            return value
    raise AmountError("not_a_number")


def _number(text: str, has_suffix: bool) -> Decimal:
    """Digits with spaces, apostrophes, dots and commas as people group and split them.

    A single separator followed by exactly three digits groups thousands
    (``1,500``, ``1.500``) unless a word like ``млн`` follows (``1,5 млн``,
    where it can only be a decimal point) or it follows a zero (``0,500``: no
    number's thousands start with 0); several equal separators group;
    otherwise the last one is the decimal point.
    """
    text = re.sub(r"[\s']", "", text)
    separators = [char for char in text if char in ".,"]
    if not separators:
        digits = text
    else:
        last = max(text.rfind("."), text.rfind(","))
        head, tail = text[:last], text[last + 1 :]
        if len(set(separators)) == 1 and len(separators) > 1:
            _check_groups(text.split(separators[0]))
            digits = text.replace(separators[0], "")
        elif len(separators) == 1 and len(tail) == 3 and not has_suffix and head[:1] != "0":
            digits = head + tail
        else:
            _check_groups(re.split(r"[.,]", head))
            digits = re.sub(r"[.,]", "", head) + "." + tail
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:
        raise AmountError("not_a_number") from exc
    if not value.is_finite():
        raise AmountError("not_a_number")
    return value


def _check_groups(groups: list[str]) -> None:
    """Thousands groups: one to three digits first, then exactly three each."""
    if not groups[0] or (len(groups[0]) > 3 and len(groups) > 1):
        raise AmountError("not_a_number")
    if any(len(group) != 3 for group in groups[1:]):
        raise AmountError("not_a_number")
