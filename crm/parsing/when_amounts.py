"""Counts of time in a when: ``через 2 часа 30 минут``, ``in 1.5 hours``, ``через полтора
часа``, read by ``crm.parsing.when_reading``; and the phrase matcher both use.
"""

from __future__ import annotations

from crm.parsing.when_words import (
    BARE_UNITS,
    COUNT,
    COUNT_WORDS,
    FRACTION,
    HALVES,
    SHIFT_WORDS,
    UNITS,
    Shift,
)


def match_phrase(words: list[str], i: int, table: dict[tuple[str, ...], int]) -> tuple[int, int]:
    """(value, next index) for the longest phrase of ``table`` at ``i``, or (0, i)."""
    for phrase in sorted(table, key=len, reverse=True):
        if tuple(words[i : i + len(phrase)]) == phrase:
            return table[phrase], i + len(phrase)
    return 0, i


def read_shift(words: list[str], i: int) -> tuple[Shift, int] | None:
    """``через 2 часа 30 минут`` / ``in a week`` as (days, minutes, months)."""
    if i >= len(words) or words[i] not in SHIFT_WORDS:
        return None
    j, days, minutes, months = i + 1, 0, 0, 0
    while j < len(words):
        half, after = match_phrase(words, j, HALVES)
        if after == j:
            half, after = _read_fraction(words, j)
        if after > j:
            minutes, j = minutes + half, after
            continue
        count, unit, after = _read_amount(words, j)
        if unit is None or count == 0:
            break
        days, minutes, j = days + count * unit[0], minutes + count * unit[1], after
        months += count * unit[2]
        if j + 1 < len(words) and words[j] in ("и", "and") and _read_amount(words, j + 1)[1]:
            j += 1
    return ((days, minutes, months), j) if j > i + 1 else None


def _read_fraction(words: list[str], j: int) -> tuple[int, int]:
    """(minutes, next index) for ``1.5 часа``, ``1,5ч``, ``2.25 hours`` (whole minutes of
    hours only: ``1.5 дня`` is no moment), or (0, j)."""
    match = FRACTION.fullmatch(words[j])
    if match is None:
        return 0, j
    unit, after = (
        (match[3], j + 1) if match[3] else (words[j + 1] if j + 1 < len(words) else "", j + 2)
    )
    tenths = int(match[1]) * 10 ** len(match[2]) + int(match[2])
    minutes, remainder = divmod(tenths * 60, 10 ** len(match[2]))
    if UNITS.get(unit) != (0, 60, 0) or remainder or not minutes:
        return 0, j
    return minutes, after


def _read_amount(words: list[str], j: int) -> tuple[int, Shift | None, int]:
    """(count, unit, next index) for ``2 часа``, ``2ч``, ``an hour``, ``час``; unit None if not."""
    nxt = words[j + 1] if j + 1 < len(words) else ""
    if match := COUNT.fullmatch(words[j]):
        if match[2]:
            return int(match[1]), UNITS.get(match[2]), j + 1
        return int(match[1]), UNITS.get(nxt), j + 2
    if words[j] in COUNT_WORDS:
        return COUNT_WORDS[words[j]], UNITS.get(nxt), j + 2
    if words[j] in BARE_UNITS:
        return 1, UNITS[words[j]], j + 1
    return 0, None, j
