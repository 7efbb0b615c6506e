"""Ranges of a number, money or date field as people type them for a list filter. Pure.

``от 10000 до 50000``, ``from 10k to 50k``, ``10000-50000``, ``10 000 – 50 000``,
``> 5000``, ``≥ 5000``, ``больше 5000``, ``до 50000``, ``< 100``,
``01.03.2026-31.03.2026``, ``с 01.03.2026``, ``2026-03-01 - 2026-03-31``, or one
value (exactly that). Each end is read the way a value of the field is
(``crm.parsing.fields``): money in minor units, numbers as floats, dates as days.
Both ends are included; a strict ``>``/``<`` moves the end by the smallest step
(a day, a kopeck, the next float). Ends given in reverse order are swapped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from crm.parsing.fields import RANGE_TYPES, FieldType, FieldValueError, parse_number_bound

Bound = int | float | date

_FROM_TO = re.compile(
    r"^(?:от|с|from|between)\s+(?P<low>.+?)\s+(?:до|по|to|and|till|until)\s+(?P<high>.+)$"
)
_PREFIXES = (
    # longest first, so ">=" is not read as ">" followed by "=5"
    (">=", "low"),
    ("≥", "low"),
    ("=>", "low"),
    ("<=", "high"),
    ("≤", "high"),
    ("=<", "high"),
    (">", "after"),
    ("<", "before"),
    ("больше", "after"),
    ("более", "after"),
    ("свыше", "after"),
    ("позже", "after"),
    ("после", "after"),
    ("over", "after"),
    ("above", "after"),
    ("more than", "after"),
    ("after", "after"),
    ("меньше", "before"),
    ("менее", "before"),
    ("раньше", "before"),
    ("less than", "before"),
    ("below", "before"),
    ("under", "before"),
    ("before", "before"),
    ("от", "low"),
    ("с", "low"),
    ("from", "low"),
    ("since", "low"),
    ("min", "low"),
    ("до", "high"),
    ("по", "high"),
    ("up to", "high"),  # as the list's filter line says it back in English
    ("to", "high"),
    ("till", "high"),
    ("until", "high"),
    ("max", "high"),
)
_DASHES = "-–—"
_BARE_NUMBER = re.compile(r"\d[\d\s.,']*")  # a sum with no word: "10", "1,5", "10 000"
_AFTER_NUMBER = re.compile(r"^\d[\d\s.,']*")  # an end's number, before its word
MAX_RANGE_TEXT = 100


@dataclass(frozen=True)
class Range:
    low: Bound | None = None
    high: Bound | None = None


def parse_range(type_: FieldType, text: str) -> Range:
    """The range ``text`` names for a field of ``type_``; raises FieldValueError
    (``not_a_range``, or the code of a bad end: ``not_a_number``, ``not_a_date``…)."""
    if type_ not in RANGE_TYPES:
        raise FieldValueError("not_a_range")
    raw = " ".join(text.lower().replace("\u00a0", " ").split())
    if not raw or len(raw) > MAX_RANGE_TEXT:
        raise FieldValueError("not_a_range")
    match = _FROM_TO.match(raw)
    if match:
        return _ordered(*_ends(type_, match["low"], match["high"]))
    for prefix, meaning in _PREFIXES:
        if raw.startswith(prefix) and _word_ends(raw, prefix):
            rest = raw[len(prefix) :].strip()
            if not rest:
                raise FieldValueError("not_a_range")
            value = _end(type_, rest)
            if meaning == "low":
                return Range(low=value)
            if meaning == "high":
                return Range(high=value)
            try:
                if meaning == "after":
                    return Range(low=_step(value, +1))
                return Range(high=_step(value, -1))
            except OverflowError:  # "> 31.12.9999": no day past the calendar's last
                raise FieldValueError("not_a_date") from None
    split = _split_at_dash(type_, raw)
    if split is not None:
        return _ordered(*split)
    value = _end(type_, raw)
    return Range(low=value, high=value)


def _word_ends(raw: str, prefix: str) -> bool:
    """A word prefix must end where a word does (``до 5`` but not ``дом``)."""
    if not prefix[-1].isalpha():
        return True
    rest = raw[len(prefix) :]
    return not rest or not rest[0].isalpha()


def _end(type_: FieldType, text: str) -> Bound:
    return parse_number_bound(type_, text.strip())


def _ends(type_: FieldType, first: str, second: str) -> tuple[Bound, Bound]:
    """Both ends of a range. A bare sum before one with a word takes the word, as it is
    said: "10-20 тыс", "от 1 до 2 млн" are 10 000 to 20 000 and 1 to 2 million, not 10 ₽
    and 1 ₽ to them. Unless that would pass or reach the second end: "от 500 000 до 1 млн"
    is half a million to a million, not a million to 500 billion, and "от 1 до 1 млн" 1 ₽
    to a million, not a million alone."""
    second_end = _end(type_, second)
    word = _AFTER_NUMBER.sub("", second.strip(), count=1).strip()
    if type_ == FieldType.MONEY and word and _BARE_NUMBER.fullmatch(first.strip()):
        try:
            worded = _end(type_, f"{first.strip()} {word}")
        except FieldValueError:
            pass  # the word does not go with it ("1,2,3"): the end as typed, or its refusal
        else:
            if worded < second_end:  # type: ignore[operator]  # "от 1 до 1 млн": 1 ₽ up
                return worded, second_end
    return _end(type_, first), second_end


def _split_at_dash(type_: FieldType, raw: str) -> tuple[Bound, Bound] | None:
    """``a-b`` where both sides read as values; the first dash that splits it so wins."""
    for index, char in enumerate(raw):
        if char not in _DASHES or index == 0:
            continue
        left, right = raw[:index].strip(), raw[index + 1 :].strip()
        if not left or not right:
            continue
        try:
            return _ends(type_, left, right)
        except FieldValueError:
            continue
    return None


def _ordered(low: Bound, high: Bound) -> Range:
    if type(low) is not type(high):  # cannot happen for one type; kept honest
        raise FieldValueError("not_a_range")
    return Range(low=low, high=high) if low <= high else Range(low=high, high=low)  # type: ignore[operator]


def _step(value: Bound, direction: int) -> Bound:
    """The next value past ``value`` in ``direction``: a strict bound made inclusive."""
    if isinstance(value, date):
        return value + timedelta(days=direction)
    if isinstance(value, float):
        return math.nextafter(value, math.inf if direction > 0 else -math.inf)
    return value + direction
