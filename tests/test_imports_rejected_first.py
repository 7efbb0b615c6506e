"""Rows naming one client or record whose first row is rejected ("Reject those rows", an
unknown stage): the rows left are still one group, the next of them its first, so one card
is created or filled, in one chunk or several, and the counts say so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.imports import paced
from crm.imports.mapping import propose
from crm.imports.plan import Policy, plan, reject_lacking
from crm.imports.reading import read_table
from crm.imports.required import Required
from crm.parsing.fields import FieldType, Parsed
from storage.models import Client, ClientPhone, Deal, Record
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_imports_records import records, suppliers
from tests.test_required_unattended import finished, required


class OneRowChunks(paced.Chunks):
    def size(self) -> int:
        return 1


CHUNKS = pytest.mark.parametrize(
    "one_row_chunks", [False, True], ids=["one-chunk", "a-chunk-a-row"]
)


async def reject_then_fill(app: App, owner: SimulatedUser, new_line: str) -> None:
    """Preview the file sent, reject the rows lacking INN, fill known cards: one card made
    of three rows, the first of them rejected."""
    await owner.press("Preview")
    [preview] = await owner.press("Reject those rows")
    for line in (new_line, "Repeated inside the file: 1", "Rows that cannot be read: 1"):
        assert line in preview.text
    await owner.press("Fill in their empty fields")
    await finished(app)
    result = owner.chat_messages()[-2].text
    for line in ("Created: 1", "Updated: 0", "Skipped: 0", "merged: 1", "Rejected: 1"):
        assert line in result


async def undo_the_import(owner: SimulatedUser) -> None:
    await owner.send("/imports")
    await owner.press("Undo #")
    [done] = await owner.press("Yes, undo")
    assert "Import undone: 1 card removed, 0 restored" in done.text


CLIENTS = (
    "ФИО;Телефон;ИНН;Город\n"
    "Иван Петров;8 916 123-45-67;;\n"  # no INN: rejected
    "Иван Петров;+79161234567;7701234567;\n"
    "Иван П.;89161234567;7701234567;Москва\n"
)


@CHUNKS
async def test_clients_whose_first_row_is_rejected_are_one_client(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch, one_row_chunks: bool
) -> None:
    if one_row_chunks:
        monkeypatch.setattr(paced, "Chunks", OneRowChunks)
    await required(app, CardKind.CLIENT, "ИНН", FieldType.TEXT)
    [screen] = await owner_en.send_document("база.csv", data=CLIENTS.encode())
    assert "3. ИНН → 🧩 ИНН" in screen.text
    await reject_then_fill(app, owner_en, "New clients: 1")
    async with app.crm.open() as crm:
        [ivan] = list(await crm.clients._session.scalars(select(Client)))
        phones = list(await crm.clients._session.scalars(select(ClientPhone.e164)))
    assert (ivan.name, ivan.city, phones) == ("Иван Петров", "Москва", ["+79161234567"])

    await undo_the_import(owner_en)
    async with app.crm.open() as crm:
        assert list(await crm.clients._session.scalars(select(Client))) == []


async def test_a_client_whose_first_row_names_an_unknown_stage_is_one_client(app: App) -> None:
    """A deal row naming a stage the pipeline lacks is always rejected: the same group rule."""
    data = (
        "ФИО;Телефон;Сделка;Сумма;Этап\n"
        "Иван;8 916 123-45-67;Заказ 1;1000;Непонятный этап\n"
        "Иван;+79161234567;Заказ 2;2000;\n"
        "Иван Петров;89161234567;Заказ 3;3000;\n"
    )
    table = read_table(data.encode(), "orders.csv")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        mapping = propose(table.headers)
        preview = await crm.imports.preview(owner, table, mapping)
        result = await crm.imports.run(owner, table, mapping, "orders.csv", Policy.SKIP)
        [ivan] = list(await crm.clients._session.scalars(select(Client)))
        deals = list(await crm.clients._session.scalars(select(Deal).order_by(Deal.id)))
    assert (preview.new, preview.in_file, preview.rejected) == (1, 1, 1)
    assert (result.created, result.merged, result.deals) == (1, 1, 2)
    assert [(d.client_id, d.title) for d in deals] == [(ivan.id, "Заказ 2"), (ivan.id, "Заказ 3")]


SUPPLIERS = (
    "Название;ИНН;Рейтинг\n"
    "Гамма;;1\n"  # no INN: rejected
    "Гамма;7703333333;\n"
    "гамма;7704444444;4\n"
)


@CHUNKS
async def test_records_whose_first_row_is_rejected_are_one_record(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch, one_row_chunks: bool
) -> None:
    if one_row_chunks:
        monkeypatch.setattr(paced, "Chunks", OneRowChunks)
    await suppliers(app)
    await owner_en.send_document("поставщики.csv", data=SUPPLIERS.encode())
    await owner_en.press("The file holds")
    await owner_en.press("🏭 Поставщики")
    await reject_then_fill(app, owner_en, "New records: 1")
    async with app.crm.open() as crm:
        titles = list(await crm.clients._session.scalars(select(Record.title)))
    assert sorted(titles) == ["Альфа", "Гамма"]
    assert (await records(app))["Гамма"] == {"ИНН": "7703333333", "Рейтинг": "4"}

    await undo_the_import(owner_en)
    assert await records(app) == {"Альфа": {}}


def lacking_inn(data: str, by_name: bool) -> list[tuple[int, int]]:
    """The repeats (row number → its first row's number) left once rows lacking INN go."""
    table = read_table(data.encode(), "x.csv")
    inn = Parsed(text_value="x")

    def parse(field: int, text: str) -> Parsed:
        return inn

    mapping = (
        ["name", "skip", "skip", "field_1"] if by_name else ["name", "phone", "email", "field_1"]
    )
    work = plan(table, mapping, "RU", parse, (), by_name)
    reject_lacking(work, Required({1: "ИНН"}, {}))
    number = [d.number for d in work.drafts]
    return sorted((number[i], number[j]) for i, j in work.repeats.items())


@pytest.mark.parametrize(
    ("data", "by_name", "repeats"),
    [
        # the first and the third row are rejected: the rest are one group under row 3
        ("Имя;Телефон;Email;ИНН\nА;+79161234567;;\nБ;+79161234567;;1\n"
         "В;+79161234567;;\nГ;+79161234567;;1\nД;+79161234567;;1\n",
         False, [(5, 3), (6, 3)]),
        # rows linked only through the rejected one stay together
        ("Имя;Телефон;Email;ИНН\nА;+79161234567;a@b.ru;\nБ;+79161234567;;1\nВ;;a@b.ru;1\n",
         False, [(4, 3)]),
        # a later row is rejected: the others keep their first
        ("Имя;Телефон;Email;ИНН\nА;+79161234567;;1\nБ;+79161234567;;\nВ;+79161234567;;1\n",
         False, [(4, 2)]),
        # records, by name: two groups, each losing its first row
        ("Название;-;-;ИНН\nАльфа;;;\nБета;;;\nальфа;;;1\nбета;;;1\nАЛЬФА;;;1\nБЕТА;;;1\n",
         True, [(6, 4), (7, 5)]),
    ],
    ids=["phones", "through-the-rejected", "later-rejected", "records"],
)  # fmt: skip
def test_the_next_row_of_a_group_becomes_its_first(
    data: str, by_name: bool, repeats: list[tuple[int, int]]
) -> None:
    assert lacking_inn(data, by_name) == repeats
