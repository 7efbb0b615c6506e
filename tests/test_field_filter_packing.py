"""Custom field filters packed into callback data and read back; forged data is dropped."""

from __future__ import annotations

from datetime import date

import pytest

from crm.errors import InvalidInput
from crm.field_filters import FieldFilter, from_plain, to_plain
from handlers.deals.callbacks import DealsAction, DealsCb
from handlers.kit.field_filters import pack, unpack, with_filter

CASES = [
    (FieldFilter(12, option_ids=(3,)),),
    (FieldFilter(14, yes=True), FieldFilter(15, yes=False)),
    (FieldFilter(15, low=date(2026, 3, 1), high=date(2026, 3, 31)),),
    (FieldFilter(16, low=500_001),),
    (FieldFilter(16, low=-36, high=10**12 - 1),),
    (FieldFilter(19, low=date(1, 1, 1), high=date(9999, 12, 31)),),
    (FieldFilter(17, high=1.4999999999999998), FieldFilter(18, low=-5.0, high=10.0)),
]


@pytest.mark.parametrize("filters", CASES)
def test_pack_round_trip(filters: tuple[FieldFilter, ...]) -> None:
    assert unpack(pack(filters)) == filters
    assert tuple(from_plain(to_plain(item)) for item in filters) == filters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("zz", ()),
        ("12o", ()),
        ("12o3x", ()),
        ("12r_", ()),  # a range open at both ends filters nothing
        ("12rx1_", ()),
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
