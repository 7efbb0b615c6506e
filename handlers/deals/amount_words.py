"""A deal's one line as people type it: the amount at its start, written with spaces or words."""

from __future__ import annotations

import itertools

from crm.parsing.amounts import AmountError, parse_amount

MAX_AMOUNT_WORDS = 4  # "1 500 000 ₽" is the longest amount people type before a title


def split_amount(text: str) -> tuple[int, str]:
    """The amount at the start of ``/deal``'s arguments, and the title after it.

    The longest run of leading words that reads as an amount wins, so ``150 000``
    and ``1,5 млн`` stay whole; a bare number after a number joins it only as a
    group of three digits, so in ``150000 2 chairs`` the title is "2 chairs".
    """
    words = text.split()
    specific: AmountError | None = None
    for count in range(min(len(words), MAX_AMOUNT_WORDS), 0, -1):
        head = words[:count]
        if not _grouped(head):
            continue
        try:
            return parse_amount(" ".join(head)), " ".join(words[count:])
        except AmountError as error:
            if error.code != "not_a_number" and specific is None:
                specific = error
    raise specific or AmountError("not_a_number")


def _grouped(words: list[str]) -> bool:
    return all(
        not (word.isdigit() and before[-1:].isdigit()) or len(word) == 3
        for before, word in itertools.pairwise(words)
    )
