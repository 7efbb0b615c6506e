"""A list field's options as the owner types them at once, parted into options. Pure."""

from __future__ import annotations

import pytest

from crm.field_rules import split_options


@pytest.mark.parametrize(
    ("typed", "options"),
    [
        ("опт, розница; дилер", ["опт", "розница", "дилер"]),  # was one option of it all
        ("wholesale, retail; dealer", ["wholesale", "retail", "dealer"]),
        ("Ice\nSteam\nWater", ["Ice", "Steam", "Water"]),  # one a line, as before
        ("Ice\r\nSteam", ["Ice", "Steam"]),
        ("Ice\u2028Steam", ["Ice", "Steam"]),  # any line break str.splitlines knows
        ("опт,розница;дилер", ["опт", "розница", "дилер"]),
        ("1,5", ["1,5"]),  # a decimal comma parts nothing
        ("1,5; 2,5", ["1,5", "2,5"]),
        ("1,5, 2,5", ["1,5", "2,5"]),
        ("тара 1,5 л, тара 5 л", ["тара 1,5 л", "тара 5 л"]),
        ("10, 20", ["10", "20"]),  # a comma before a space is a separator
        ("S,M", ["S", "M"]),
        ("A1,B2", ["A1", "B2"]),  # a digit on one side only
        ("  опт  ,   крупный   опт  ", ["опт", "крупный опт"]),  # blanks trimmed, collapsed
        ("a,,b;;\n\n c ,", ["a", "b", "c"]),  # empty options dropped
        ("Опт, опт; ОПТ\nопт", ["Опт"]),  # a repeat in any case: the first kept
        ("ёж, еж", ["ёж"]),  # ё is е
        ("\u200f, \u200e;", []),  # direction marks alone show nothing
        ("", []),
        (" , ; \n", []),
    ],
)
def test_split_options(typed: str, options: list[str]) -> None:
    assert split_options(typed) == options
