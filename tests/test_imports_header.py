"""Finding the header: a title row above it, and a header cell merged over a name's parts."""

from __future__ import annotations

from typing import Any

import pytest

from crm.imports.header import name_in_parts
from crm.imports.reading import read_table
from tests.test_imports_reading import xlsx

HEADER = ["ФИО", "Телефон 2", "Город"]
CLIENT = ["Иван Петров", "89161234567", "Тула"]


@pytest.mark.parametrize(
    ("data", "headers", "first", "joined"),
    [
        # A title merged over the table: its header has a digit ('Телефон 2'), and was
        # taken for the first client under the title.
        (xlsx([[None] * 3, HEADER, CLIENT], (0, 0, 0, 2, "Клиенты на 01.05.2024")), HEADER, 3, []),
        # A title in one cell, not merged: the same.
        (xlsx([["Выгрузка клиентов"], HEADER, CLIENT]), HEADER, 3, []),
        (
            "Выгрузка клиентов;;\nФИО;Телефон 2;Город\nИван Петров;89161234567;Тула\n".encode(),
            HEADER,
            3,
            [],
        ),
        # One cell over a row that is a client, not a header: the cell is the header.
        (xlsx([["Клиенты"], CLIENT, CLIENT]), ["Клиенты", "", ""], 2, []),
        # 'ФИО' merged over a name's three parts, with a title above.
        (
            xlsx(
                [
                    ["Клиенты"],
                    [None, None, None, "Телефон"],
                    ["Петров", "Иван", "Иванович", "8916"],
                ],
                (1, 0, 1, 2, "ФИО"),
            ),
            ["ФИО", "ФИО", "ФИО", "Телефон"],
            3,
            [(0, 2)],
        ),
        # Merged over columns that are not one word each: a group, not a name in parts.
        (
            xlsx([[None, None], ["Иван Петров", "89161234567"]], (0, 0, 0, 1, "Клиент")),
            ["Клиент", "Клиент"],
            2,
            [],
        ),
        (
            xlsx([[None, None], ["Иван Петров", "ООО Ромашка"]], (0, 0, 0, 1, "Клиент")),
            ["Клиент", "Клиент"],
            2,
            [],
        ),
        # Over four columns of words: one thing in parts too (it was the first alone).
        (
            xlsx([[None] * 4, ["Мамедов", "Рашид", "Ахмед", "оглы"]], (0, 0, 0, 3, "ФИО")),
            ["ФИО"] * 4,
            2,
            [(0, 3)],
        ),
        # Named each under the merged cell: those names are the header.
        (
            xlsx(
                [[None] * 3, ["Фамилия", "Имя", "Отчество"], ["Петров", "Иван", "Иванович"]],
                (0, 0, 0, 2, "ФИО"),
            ),
            ["Фамилия", "Имя", "Отчество"],
            3,
            [],
        ),
    ],
)
def test_the_header_is_found(
    data: bytes, headers: list[str], first: int, joined: list[tuple[int, int]]
) -> None:
    table = read_table(data, "base")
    assert table.headers == headers
    assert table.numbers[0] == first
    assert table.joined == joined


@pytest.mark.parametrize(
    ("mapping", "joined", "expected"),
    [
        (
            ["name", "skip", "skip", "phone"],
            [(0, 2)],
            ["surname", "first_name", "patronymic", "phone"],
        ),
        (["phone", "name", "skip"], [[1, 2]], ["phone", "surname", "first_name"]),
        (["name", "phone", "skip"], [(0, 2)], ["name", "phone", "skip"]),  # a phone among them
        (["skip", "skip"], [(0, 1)], ["skip", "skip"]),  # not a name
        (["name", "skip", "first_name"], [(0, 1)], ["name", "skip", "first_name"]),
        (["name", "skip"], [(5, 6)], ["name", "skip"]),
        # Over four columns or more: the first three are the parts, the rest stay skipped.
        (
            ["name", "skip", "skip", "skip", "phone"],
            [(0, 3)],
            ["surname", "first_name", "patronymic", "skip", "phone"],
        ),
        (
            ["phone", "name", "skip", "skip", "skip", "skip"],
            [(1, 5)],
            ["phone", "surname", "first_name", "patronymic", "skip", "skip"],
        ),
    ],
)
def test_name_in_parts(mapping: list[str], joined: list[Any], expected: list[str]) -> None:
    assert name_in_parts(mapping, joined) == expected


@pytest.mark.parametrize(
    ("data", "merged"),
    [
        (
            xlsx(
                [[None, None, "Город"], ["Иван Петров", "89161234567", "Тула"]],
                (0, 0, 0, 1, "Клиент"),
            ),
            [(0, 1)],
        ),
        (
            xlsx([[None] * 5, ["Мамедов", "Рашид", "Ахмед", "оглы", "8916"]], (0, 0, 0, 3, "ФИО")),
            [(0, 3)],
        ),
        # A title merged over the table is not the header's; nor is a group named under it.
        (xlsx([[None] * 3, HEADER, CLIENT], (0, 0, 0, 2, "Клиенты на 01.05.2024")), []),
        (
            xlsx(
                [[None] * 3, ["Фамилия", "Имя", "Отчество"], ["Петров", "Иван", "Иванович"]],
                (0, 0, 0, 2, "ФИО"),
            ),
            [],
        ),
        # Merged past the columns the table has: up to its last.
        (xlsx([[None] * 6, ["Петров", "Иван", "Иванович"]], (0, 0, 0, 5, "ФИО")), [(0, 2)]),
    ],
)
def test_header_cells_merged_over_columns(data: bytes, merged: list[tuple[int, int]]) -> None:
    assert read_table(data, "base").merged == merged
