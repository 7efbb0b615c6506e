"""A file with no row of column names that the member says holds records: the note names
the record type (not "a client's"), and its columns are proposed by what they hold, to
the type's name and its phone, e-mail and date fields, as a clients' file's are."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.imports.headerless import client_hints, record_hints
from crm.parsing.fields import FieldType
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_imports_records import finished, records

LINES = [
    "Альфа;8 916 123-45-67;alpha@mail.ru;01.02.2024;склад",
    "Бета;89035556677;beta@mail.ru;2024-03-05;",
]


async def supplier_type(app: App) -> None:
    """Suppliers with a note, a phone, a contract date and an e-mail (in that order)."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        for name, type_ in (
            ("Заметка", FieldType.TEXT),
            ("Телефон", FieldType.PHONE),
            ("Договор от", FieldType.DATE),
            ("Почта", FieldType.EMAIL),
        ):
            await crm.fields.define(owner, CardKind.RECORD, name, type_, record_type_id=kind.id)


async def test_a_headerless_file_of_records(app: App, owner_en: SimulatedUser) -> None:
    await supplier_type(app)
    data = "\r\n".join(LINES).encode("utf-8")
    [screen] = await owner_en.send_document("поставщики.csv", data=data)
    assert "its first row («Альфа; 8 916 123-45-67; alpha@mail.ru; 01.02.2024; склад») is a " in (
        screen.text
    )
    await owner_en.press("The file holds")
    [screen] = await owner_en.press("🏭 Поставщики")
    assert "is one of the records (🏭 Поставщики) and is imported too" in screen.text
    assert "a client's" not in screen.text
    assert (
        "1. — → Name\n2. — → 🧩 Телефон\n3. — → 🧩 Почта\n4. — → 🧩 Договор от\n"
        "5. — → — skip —" in screen.text
    )
    [preview] = await owner_en.press("Preview")
    assert "New records: 2" in preview.text
    await owner_en.press("Create anyway")
    await finished(app)
    found = await records(app)
    assert found["Альфа"]["Телефон"] == "+79161234567"
    assert found["Альфа"]["Почта"] == "alpha@mail.ru"
    assert found["Альфа"]["Договор от"] == "2024-02-01"
    assert found["Бета"]["Договор от"] == "2024-03-05"


async def test_the_russian_note_names_the_records(app: App, owner: SimulatedUser) -> None:
    await supplier_type(app)
    await owner.send_document("поставщики.csv", data="\r\n".join(LINES).encode("cp1251"))
    await owner.press("В файле")
    [screen] = await owner.press("🏭 Поставщики")
    assert "первая строка («Альфа; 8 916 123-45-67; alpha@mail.ru; 01.02.2024; склад»)" in (
        screen.text
    )
    assert "— это одна из записей (🏭 Поставщики)" in screen.text
    assert "это клиент" not in screen.text


@pytest.mark.parametrize(
    ("hints", "fields", "expected"),
    [
        (["name", "phone", "email", "date"], [], ["name", "skip", "skip", "skip"]),
        (
            ["phone", "name", "phone", "phone"],
            [(1, "text"), (2, "phone"), (3, "phone")],
            ["field_2", "name", "field_3", "skip"],
        ),
        (["date", "email", "skip"], [(7, "email"), (8, "date")], ["field_8", "field_7", "skip"]),
    ],
)
def test_record_hints(hints: list[str], fields: list[tuple[int, str]], expected: list[str]) -> None:
    assert record_hints(hints, fields) == expected


def test_client_hints_skip_dates() -> None:
    assert client_hints(["date", "name", "phone", "email"]) == ["skip", "name", "phone", "email"]
