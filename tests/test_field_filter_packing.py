"""Custom field filters packed into callback data and read back; forged data is dropped;
the chosen ranges in words."""

from __future__ import annotations

import math
from datetime import date

import pytest

from bot.i18n import build_i18n
from crm.errors import InvalidInput
from crm.field_filters import FieldFilter, from_plain, to_plain
from crm.parsing.fields import FieldType
from crm.parsing.ranges import parse_range
from handlers.deals.callbacks import DealsAction, DealsCb
from handlers.kit.field_filters import pack, unpack, value_words, with_filter
from storage.models import FieldDef

CASES = [
    (FieldFilter(12, option_ids=(3,)),),
    (FieldFilter(14, yes=True), FieldFilter(15, yes=False)),
    (FieldFilter(15, low=date(2026, 3, 1), high=date(2026, 3, 31)),),
    (FieldFilter(16, low=500_001),),
    (FieldFilter(16, low=-36, high=10**12 - 1),),
    (FieldFilter(19, low=date(1, 1, 1), high=date(9999, 12, 31)),),
    (FieldFilter(17, high=1.4999999999999998), FieldFilter(18, low=-5.0, high=10.0)),
    (FieldFilter(17, low=math.nextafter(5.0, math.inf), high=math.nextafter(0.0, -math.inf)),),
]


@pytest.mark.parametrize("filters", CASES)
def test_pack_round_trip(filters: tuple[FieldFilter, ...]) -> None:
    assert unpack(pack(filters)) == filters
    assert tuple(from_plain(to_plain(item)) for item in filters) == filters


@pytest.mark.parametrize(
    ("typed", "packed"),
    [
        ("> 5", "7rs5_"),  # the typed number, not the 17 digits of the float past it
        ("< 10", "7r_s10"),
        ("> -2.5", "7rs-2.5_"),
        ("< 0", "7r_s0"),
        (">= 5", "7rn5.0_"),
        ("1.5-2.5", "7rn1.5_n2.5"),
    ],
)
def test_a_strict_bound_packs_as_typed(typed: str, packed: str) -> None:
    found = parse_range(FieldType.NUMBER, typed)
    item = FieldFilter(7, low=found.low, high=found.high)
    assert pack((item,)) == packed
    assert unpack(packed) == (item,)


def test_a_button_of_old_still_unpacks() -> None:
    assert unpack("7rn5.000000000000001_") == (FieldFilter(7, low=5.000000000000001),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("zz", ()),
        ("12o", ()),
        ("12o3x", ()),
        ("12r_", ()),  # a range open at both ends filters nothing
        ("12rx1_", ()),
        ("12rs_", ()),
        ("12rsinf_", ()),
        ("12rnnan_", ()),
        ("12rninf_", ()),
        ("12rd20260231_", ()),  # too long for a day
        ("12rdzzzzzz_", ()),
        ("12rd0_", ()),  # day 0 does not exist
        ("12ri-zz_iA", ()),
        ("1234567890y", ()),
        ("12y,12n", (FieldFilter(12, yes=False),)),  # one filter per field: the last
        ("12y,,13o1", (FieldFilter(12, yes=True), FieldFilter(13, option_ids=(1,)))),
        ("1y,2y,3y,4y,5y,6y", tuple(FieldFilter(i, yes=True) for i in range(1, 6))),
    ],
)
def test_unpack_drops_what_is_malformed(text: str, expected: tuple[FieldFilter, ...]) -> None:
    assert unpack(text) == expected


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "x",
        {},
        {"f": "1"},
        {"f": True},
        {"f": 1, "o": ["1"]},
        {"f": 1, "y": "yes"},
        {"f": 1, "lo": ["d", "2026-02-30"]},
        {"f": 1, "lo": ["i", 1.5]},
        {"f": 1, "hi": ["q", 1]},
    ],
)
def test_from_plain_refuses_what_is_malformed(stored: object) -> None:
    assert from_plain(stored) is None


def test_two_date_ranges_fit_in_a_deals_button() -> None:
    filters = (
        FieldFilter(123, low=date(2026, 3, 1), high=date(2026, 3, 31)),
        FieldFilter(124, low=date(2025, 1, 1), high=date(2026, 12, 31)),
    )
    packed = pack(filters)
    assert unpack(packed) == filters
    wide = DealsCb(action=DealsAction.STAGE, stage_id=10**9, page=10**4, f="ms|" + packed)
    assert len(wide.pack().encode()) <= 64


def test_five_field_filters_at_most() -> None:
    filters = tuple(FieldFilter(i, yes=True) for i in range(5))
    with pytest.raises(InvalidInput):
        with_filter(filters, 9, FieldFilter(9, yes=False))
    assert with_filter(filters, 4, None) == filters[:4]
    assert with_filter(filters, 4, FieldFilter(4, yes=False))[-1] == FieldFilter(4, yes=False)


@pytest.mark.parametrize(
    ("type_", "typed", "language", "shown"),
    [
        # a number's bound was Python's float repr: "от 1e+06", "2.5" to a Russian reader
        (FieldType.NUMBER, "от 1000000", "ru", "от 1\u00a0000\u00a0000"),
        (FieldType.NUMBER, "from 1000000", "en", "from 1\u202f000\u202f000"),
        (FieldType.NUMBER, "до 2,5", "ru", "до 2,5"),
        (FieldType.NUMBER, "to 2.5", "en", "up to 2.5"),
        (FieldType.NUMBER, "1,5-1 000 000", "ru", "1,5–1\u00a0000\u00a0000"),
        (FieldType.NUMBER, "12345678901234", "en", "12\u202f345\u202f678\u202f901\u202f234"),
        (FieldType.NUMBER, "0,0000001", "ru", "0,0000001"),
        # a strict bound read "от 5" (the smallest step past 5 reads 5), which holds 5
        (FieldType.NUMBER, "> 5", "ru", "больше 5"),
        (FieldType.NUMBER, "more than 5", "en", "more than 5"),
        (FieldType.NUMBER, "< -1,5", "ru", "меньше -1,5"),
        (FieldType.NUMBER, "under 1000000", "en", "less than 1\u202f000\u202f000"),
        (FieldType.NUMBER, "≥ 5", "ru", "от 5"),
        (FieldType.NUMBER, "<= 5", "en", "up to 5"),
        (FieldType.NUMBER, "5.000000000000001", "en", "5"),  # one value, not a bound
        (FieldType.NUMBER, "> 0", "ru", "больше 0"),
        (FieldType.NUMBER, "< 0", "en", "less than 0"),
        # a whole step: a kopeck and a day past the typed one, read as such
        (FieldType.MONEY, "> 5", "ru", "от 5,01\u00a0₽"),
        (FieldType.DATE, "after 01.03.2026", "en", "from 02.03.2026"),
        (FieldType.MONEY, "от 1000000", "ru", "от 1\u00a0000\u00a0000\u00a0₽"),
        (FieldType.MONEY, "from 1000000", "en", "from 1,000,000\u00a0₽"),
        (FieldType.DATE, "с 01.03.2026", "ru", "от 01.03.2026"),
    ],
)
def test_a_range_in_words(type_: FieldType, typed: str, language: str, shown: str) -> None:
    field = FieldDef(id=7, name="Staff", type=type_.value, options=[])
    found = parse_range(type_, typed)
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale(language):
        words = value_words(field, FieldFilter(7, low=found.low, high=found.high), "RUB")
    assert words == shown
    assert "e+" not in words and "e-" not in words


def test_strict_bounds_on_both_ends_are_said_so() -> None:
    """A filter packed with both ends strict (no typed range makes one, a forged button may)
    says each end as it is, not ``5–10``."""
    field = FieldDef(id=7, name="Staff", type=FieldType.NUMBER.value, options=[])
    low, high = math.nextafter(5.0, math.inf), math.nextafter(10.0, -math.inf)
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("en"):
        assert value_words(field, FieldFilter(7, low=low, high=high), "RUB") == (
            "more than 5, less than 10"
        )
        assert value_words(field, FieldFilter(7, low=5.0, high=high), "RUB") == (
            "from 5, less than 10"
        )
