"""How a link column's cell is cut into names: the whole cell first, then lines and commas,
the longest run of pieces that names a card winning. Pure."""

from __future__ import annotations

import pytest

from crm.cards import CardKind
from crm.imports.link_cells import candidates, link_text, names
from crm.imports.link_targets import (
    LINK_CLIENTS,
    LINK_DEALS,
    LinkTo,
    link_headers,
    link_to,
    type_target,
)
from crm.parsing.search_text import fold

KNOWN = {
    fold(n) for n in ("Иван Петров", "ООО Ромашка, филиал", "ООО Ромашка", "Анна", "A; B", "Ёжик")
}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Иван Петров", ["Иван Петров"]),
        ("  иван   петров ", ["иван петров"]),
        ("Иван Петров, Анна", ["Иван Петров", "Анна"]),  # the export's ", "
        ("ООО Ромашка, филиал", ["ООО Ромашка, филиал"]),  # the whole cell names a card
        ("Анна, ООО Ромашка, филиал", ["Анна", "ООО Ромашка, филиал"]),  # the longest run
        ("ООО Ромашка, Анна", ["ООО Ромашка", "Анна"]),
        ("Анна\nИван Петров", ["Анна", "Иван Петров"]),  # line breaks
        ("Анна; Иван Петров;", ["Анна", "Иван Петров"]),  # ";" and an empty name
        ("A; B", ["A; B"]),  # a name holding ";" is matched whole
        ("Анна, Нет такого, Иван Петров", ["Анна", "Нет такого", "Иван Петров"]),
        ("Нет, такого", ["Нет", "такого"]),  # nothing known: each piece is a name
        ("Анна, анна,, ", ["Анна"]),  # each name once
        ("ежик", ["ежик"]),  # folded: ё is е
        ("", []),
        (" , ; ", []),
    ],
)
def test_a_cell_is_cut_into_names(cell: str, expected: list[str]) -> None:
    assert names(cell, KNOWN.__contains__) == expected


def test_candidates_hold_every_text_names_asks_about() -> None:
    asked: set[str] = set()

    def known(key: str) -> bool:
        asked.add(key)
        return key in KNOWN

    for cell in ("Анна, ООО Ромашка, филиал", "x, y\nz; w", "ООО Ромашка, филиал, Анна"):
        asked.clear()
        names(cell, known)
        assert asked <= candidates(cell)


def test_line_breaks_are_kept_in_a_link_cell() -> None:
    assert link_text(" Анна\nИван ") == "Анна\nИван"
    assert link_text(12.0) == "12"
    assert link_text(None) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (LINK_CLIENTS, LinkTo(CardKind.CLIENT)),
        (LINK_DEALS, LinkTo(CardKind.DEAL)),
        (type_target(7), LinkTo(CardKind.RECORD, 7)),
        ("links_type_", None),
        ("links_type_x", None),
        ("links_type_12345678901", None),
        ("field_7", None),
        ("name", None),
    ],
)
def test_link_targets(target: str, expected: LinkTo | None) -> None:
    assert link_to(target) == expected


def test_the_exports_titles_go_to_links_in_both_languages() -> None:
    from bot.i18n import build_i18n
    from crm.exports.columns import LINK_TITLES

    i18n = build_i18n("ru")
    headers = link_headers([(3, "Поставщики")])
    expected = {"clients": LINK_CLIENTS, "deals": LINK_DEALS}
    for key, title in LINK_TITLES.items():
        for locale in ("ru", "en"):
            assert headers[fold(i18n.gettext(title, locale=locale))] == expected[key]
    assert headers["поставщики"] == type_target(3)


def test_a_cell_of_thousands_of_names_asks_about_each_piece_once_past_the_first_ones() -> None:
    from crm.imports.link_cells import MAX_RUN, MAX_RUN_PIECES

    cell = ", ".join(f"Клиент {n}" for n in range(2_000))
    asked = candidates(cell)
    assert len(asked) < MAX_RUN * MAX_RUN_PIECES + 2_000
    base = {fold(f"Клиент {n}") for n in range(2_000)}
    assert base <= asked
    assert names(cell, lambda text: text in base) == [f"Клиент {n}" for n in range(2_000)]
    # Within the first pieces a name may still span commas.
    assert names("А, Б, В", lambda text: text == fold("Б, В")) == ["А", "Б, В"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Поставщики", "links_type_3"),  # nothing else claims it: the type's records
        ("Теги", "tags"),  # a type named "Теги" does not take the tags' column
        ("Телефоны", "phone"),
        ("Связанные клиенты", LINK_CLIENTS),  # the export's own titles always go to links
        ("Linked deals", LINK_DEALS),
    ],
)
def test_a_types_plural_takes_only_a_column_nothing_else_claims(header: str, expected: str) -> None:
    from crm.imports.mapping import propose

    links = link_headers([(3, "Поставщики"), (4, "Теги"), (5, "Телефоны")])
    assert propose(["ФИО", header], links=links)[1] == expected
    # An export of a team with a type named "Теги": its tags, then the type's links.
    assert propose(["ФИО", "Теги", "Теги"], links=links) == ["name", "tags", "links_type_4"]


def test_a_rows_links_are_pairs_kept_without_a_dict_and_two_columns_may_share_a_target() -> None:
    from crm.imports.linker import LinkRow, link_rows
    from crm.imports.rows import RowDraft, build_row

    row = build_row(2, ["Иван", "Анна", "Ольга"], ["name", LINK_CLIENTS, LINK_CLIENTS], "RU")
    assert isinstance(row, RowDraft)
    assert row.links == ((LINK_CLIENTS, "Анна"), (LINK_CLIENTS, "Ольга"))
    [linkable] = link_rows([(2, 17, row.links), (3, 18, None)])
    assert (linkable.card, linkable.links) == (17, row.links)  # the import's kind: an id
    assert not hasattr(linkable, "__dict__") and not hasattr(row, "__dict__")
    assert LinkRow.__slots__


def test_two_columns_may_go_to_one_link_target() -> None:
    from crm.imports.mapping import change, propose

    links = {fold("Связанные клиенты"): LINK_CLIENTS, fold("Партнёры"): LINK_CLIENTS}
    headers = ["ФИО", "Связанные клиенты", "Партнёры"]
    assert propose(headers, links=links) == ["name", LINK_CLIENTS, LINK_CLIENTS]
    mapping = ["name", LINK_CLIENTS, "skip"]
    assert change(mapping, 2, LINK_CLIENTS) == ["name", LINK_CLIENTS, LINK_CLIENTS]
    assert change(mapping, 2, "name") == ["skip", LINK_CLIENTS, "name"]


def test_targets_with_digits_that_are_not_ascii_are_not_targets() -> None:
    from crm.imports.mapping import field_id

    assert link_to("links_type_²") is None and link_to("links_type_٣") is None
    assert field_id("field_²") is None and field_id("field_12") == 12
