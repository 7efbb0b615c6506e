"""Required link, email and phone fields recognised in the one-line quick add."""

from __future__ import annotations

import pytest

from crm.parsing.quick_fields import QuickFields, share_extra, take_links


@pytest.mark.parametrize(
    ("line", "fields", "expected"),
    [
        ("Ivan firm.ru", [7], QuickFields("Ivan", {7: "firm.ru"})),
        (
            "Ivan https://firm.ru/price, LLC Ice",
            [7],
            QuickFields("Ivan LLC Ice", {7: "https://firm.ru/price"}),
        ),
        ("Ivan www.firm.ru shop.рф", [7, 8], QuickFields("Ivan", {7: "www.firm.ru", 8: "shop.рф"})),
        ("Hans münchen.de", [7], QuickFields("Hans", {7: "münchen.de"})),
        ("Hans bücher.example/x", [7], QuickFields("Hans", {7: "bücher.example/x"})),
        ("Ivan firm.ru shop.ru", [7], QuickFields("Ivan shop.ru", {7: "firm.ru"})),
        ("Ivan ivan@firm.ru", [7], QuickFields("Ivan ivan@firm.ru", {})),
        ("Ivan +7 999 123-45-67", [7], QuickFields("Ivan +7 999 123-45-67", {})),
        ("I.I. Petrov 1.5", [7], QuickFields("I.I. Petrov 1.5", {})),
        ("Ivan Ltd. firm", [7], QuickFields("Ivan Ltd. firm", {})),
        ("Ivan firm.ru", [], QuickFields("Ivan firm.ru", {})),
    ],
)
def test_take_links(line: str, fields: list[int], expected: QuickFields) -> None:
    assert take_links(line, fields) == expected


@pytest.mark.parametrize(
    ("found", "fields", "kept", "values"),
    [
        ((), [3], (), {}),
        (("a@x.ru",), [3], ("a@x.ru",), {}),
        (("a@x.ru", "b@x.ru"), [3], ("a@x.ru",), {3: "b@x.ru"}),
        (("a@x.ru", "b@x.ru", "c@x.ru"), [3], ("a@x.ru", "c@x.ru"), {3: "b@x.ru"}),
        (("a@x.ru", "b@x.ru", "c@x.ru"), [3, 4], ("a@x.ru",), {3: "b@x.ru", 4: "c@x.ru"}),
        (("+79991234567", "+79990000000"), [], ("+79991234567", "+79990000000"), {}),
    ],
)
def test_share_extra(
    found: tuple[str, ...], fields: list[int], kept: tuple[str, ...], values: dict[int, str]
) -> None:
    assert share_extra(found, fields) == (kept, values)
