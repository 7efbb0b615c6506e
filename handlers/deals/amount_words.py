"""A deal's one line as people type it: the amount at its start, written with spaces or words."""

from __future__ import annotations

import itertools
import re

from crm.parsing.amounts import AmountError, parse_amount

# "999 999 999 999,99 руб." and "1 500 тыс. руб." are the longest amounts people type before
# a title.
MAX_AMOUNT_WORDS = 6
# A word with digits that goes on an amount: a group of thousands, the last one perhaps with
# the kopecks ("150 000,50").
_GROUP = re.compile(r"\d{3}(?:[.,]\d+)?")
# A lone letter after the amount, with a title after it, is a unit of the title more often
# than a multiplier: "300 м кабеля" is metres, "100 т щебня" tonnes ("300м", "1,5 млн" and
# "10 т.р." still multiply).
_UNIT_LETTERS = frozenset({"м", "т", "m"})


class SplitError(AmountError):
    """No amount at the start: ``typed`` the words refused ("1 000,0055" too precise), or
    the first word when none reads as an amount."""

    def __init__(self, code: str, typed: str) -> None:
        super().__init__(code)
        self.typed = typed


def split_amount(text: str) -> tuple[int, str]:
    """The amount at the start of ``/deal``'s arguments, and the title after it.

    The longest run of leading words that reads as an amount wins, so ``150 000``
    and ``1,5 млн`` stay whole; a number after a number joins it only as a group of
    three digits, so in ``150000 2 chairs`` and ``50000 2,5 тонны`` the title is what
    follows the first. A run that reads as an amount refused (too large, negative, a part
    of a kopeck) is that refusal, never a shorter amount with the rest in the title.
    """
    words = text.split()
    for count in range(min(len(words), MAX_AMOUNT_WORDS), 0, -1):
        head = words[:count]
        if not _grouped(head) or (count < len(words) and _unit_letter(head)):
            continue
        try:
            return parse_amount(" ".join(head)), " ".join(words[count:])
        except AmountError as error:
            if error.code != "not_a_number":
                raise SplitError(error.code, " ".join(head)) from None
    raise SplitError("not_a_number", words[0] if words else "")


def _grouped(words: list[str]) -> bool:
    """Each word after the first that starts with a digit is a group of thousands after
    a number (not ``2`` in ``150000 2 chairs``, nor ``10k`` in ``5000 10k units``), or the
    number after a currency typed first (``$ 500``, ``₽ 15 000``)."""
    return all(
        not word[:1].isdigit()
        or (index == 0 and not any(char.isdigit() for char in before))
        or (before[-1:].isdigit() and _GROUP.fullmatch(word) is not None)
        for index, (before, word) in enumerate(itertools.pairwise(words))
    )


def _unit_letter(words: list[str]) -> bool:
    """The run ends in a lone letter that may be a unit ("м", "т"), after a number."""
    return len(words) > 1 and words[-1].lower() in _UNIT_LETTERS and words[-2][-1:].isdigit()
