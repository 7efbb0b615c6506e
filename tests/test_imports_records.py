"""Importing records of the team's own types: the member says what the file holds, the
columns go to the record's name and its type's fields, duplicates (by name) follow the
chosen policy, rows lacking a required field are flagged, and undo takes it all back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from crm.errors import InvalidInput
from crm.imports import paced
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.imports.records import check, propose
from crm.imports.required import RequiredChoice
from crm.pace import Chunks
from crm.parsing.fields import FieldType
from handlers.imports.callbacks import ImportAction, ImportCb
from handlers.records.callbacks import Ent
from handlers.records.views import cb
from storage.models import Record
from tests.client_helpers import member
from tests.conftest import OWNER_ID

CSV = "\r\n".join(
    [
        "Название;ИНН;Рейтинг",
        "Альфа;7701234567;5",
        "Бета;7702222222;4",
        "бета;;3",
        "Гамма;;абв",
        "Дельта;;2",
    ]
).encode("cp1251")


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


async def suppliers(app: App) -> tuple[int, int]:
    """A supplier type with a required INN and a rating, and one supplier, Альфа."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        inn = await crm.fields.define(
            owner, CardKind.RECORD, "ИНН", FieldType.TEXT, record_type_id=kind.id
        )
        await crm.fields.define(
            owner, CardKind.RECORD, "Рейтинг", FieldType.NUMBER, record_type_id=kind.id
        )
        alpha = await crm.records.create(owner, kind.id, "Альфа")
        await crm.fields.set_required(owner, inn.id, True)
        return kind.id, alpha.id


async def records(app: App) -> dict[str, dict[str, object]]:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        found: dict[str, dict[str, object]] = {}
        for record in await crm.clients._session.scalars(select(Record).order_by(Record.id)):
            shown = await crm.field_values.of_card(owner, CardRef(CardKind.RECORD, record.id))
            found[record.title] = {v.field.name: v.value for v in shown if v.value is not None}
    return found


async def test_a_file_of_suppliers(app: App, owner_en: SimulatedUser) -> None:
    type_id, alpha = await suppliers(app)
    [screen] = await owner_en.send_document("поставщики.csv", data=CSV)
    assert "The file holds: 👤 Clients and deals" in str(screen.buttons)
    [what] = await owner_en.press("The file holds")
    assert "What does the file hold?" in what.text
    [screen] = await owner_en.press("🏭 Поставщики")
    assert "1. Название → Name" in screen.text
    assert "2. ИНН → 🧩 ИНН" in screen.text
    assert "3. Рейтинг → 🧩 Рейтинг" in screen.text
    [targets] = await owner_en.press("3. Рейтинг")
    assert "Phone" not in str(targets.buttons)  # a supplier has no client's fields
    await owner_en.press("Back")

    [preview] = await owner_en.press("Preview")
    assert "Rows without a required field: 2" in preview.text  # бета (a repeat), Дельта
    [preview] = await owner_en.press("Import with the field empty")
    for line in (
        "Rows: 5",
        "New records: 2",
        "Already in the base (by name): 1",
        "Repeated inside the file: 1",
        "Rows that cannot be read: 1",  # "абв" is not a number
        "What to do with records already in the base?",
    ):
        assert line in preview.text
    await owner_en.press("Fill in their empty fields")
    await finished(app)
    rejected = read_table(owner_en.last_message().data or b"")
    assert [row[0] for row in rejected.rows] == ["Гамма"]
    result = owner_en.chat_messages()[-2].text
    assert "Created: 2" in result and "Updated: 1" in result and "Skipped: 0" in result
    assert "Repeated inside the file, merged: 1" in result

    assert await records(app) == {
        "Альфа": {"ИНН": "7701234567", "Рейтинг": "5"},
        "Бета": {"ИНН": "7702222222", "Рейтинг": "4"},
        "Дельта": {"Рейтинг": "2"},
    }
    ids = {title: record_id for title, record_id in await titles(app)}
    [card] = await owner_en.press_data(cb(Ent.RECORD, CardRef(CardKind.RECORD, ids["Дельта"])))
    assert "⚠️ Required, not filled: ИНН (🧩 Fields)" in card.text
    assert "imported from поставщики.csv · ⚠️ required, not filled: ИНН" in card.text
    [card] = await owner_en.press_data(cb(Ent.RECORD, CardRef(CardKind.RECORD, alpha)))
    assert "imported from поставщики.csv" in card.text
    assert "Required, not filled" not in card.text

    await owner_en.send("/imports")
    await owner_en.press("Undo #1")
    [done] = await owner_en.press("Yes, undo")
    assert "Import undone" in done.text
    assert await records(app) == {"Альфа": {}}
    assert type_id


async def titles(app: App) -> list[tuple[str, int]]:
    async with app.crm.open() as crm:
        rows = await crm.clients._session.execute(select(Record.title, Record.id))
        return [(title, record_id) for title, record_id in rows]


async def suppliers_preview(
    app: App, owner_en: SimulatedUser, data: bytes, required: str
) -> SentMessage:
    """The suppliers (``suppliers``) and this file of them sent, up to the preview after
    the choice about rows lacking INN (the button ``required``)."""
    await suppliers(app)
    await owner_en.send_document("поставщики.csv", data=data)
    await owner_en.press("The file holds")
    await owner_en.press("🏭 Поставщики")
    await owner_en.press("Preview")
    [preview] = await owner_en.press(required)
    return preview


async def test_records_reject_rows_lacking_the_required_field_and_skip_known_names(
    app: App, owner_en: SimulatedUser
) -> None:
    preview = await suppliers_preview(app, owner_en, CSV, "Reject those rows")
    assert "Rows that cannot be read: 3" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    rejected = read_table(owner_en.last_message().data or b"")
    assert [(row[0], row[-1]) for row in rejected.rows] == [
        ("бета", "required field «ИНН» is empty"),
        ("Гамма", "not a value the field takes: абв"),
        ("Дельта", "required field «ИНН» is empty"),
    ]
    assert await records(app) == {"Альфа": {}, "Бета": {"ИНН": "7702222222", "Рейтинг": "4"}}


async def test_skip_them_leaves_known_records_and_folds_the_files_repeats(
    app: App, owner_en: SimulatedUser
) -> None:
    """The skip is about records already in the base: Альфа is left as it is, while the
    second row of Бета still brings its rating to the one record the file makes."""
    data = "Название;ИНН;Рейтинг\r\nАльфа;;5\r\nБета;7702222222;\r\nбета;;3\r\n"
    preview = await suppliers_preview(app, owner_en, data.encode(), "Import with the field empty")
    assert "Repeated inside the file: 1" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    assert "Created: 1" in owner_en.last_message().text
    assert await records(app) == {"Альфа": {}, "Бета": {"ИНН": "7702222222", "Рейтинг": "3"}}


async def test_back_to_clients_and_forged_presses(app: App, owner_en: SimulatedUser) -> None:
    type_id, _alpha = await suppliers(app)
    await owner_en.send_document("поставщики.csv", data=CSV)
    await owner_en.press("The file holds")
    [screen] = await owner_en.press("🏭 Поставщики")
    forged = ImportCb(action=ImportAction.TARGET, column=0, value="phone")
    await owner_en.press_data(forged.pack(), screen)
    assert owner_en.alert == "This button is no longer active."
    await owner_en.press_data(ImportCb(action=ImportAction.HOLDS, column=9999).pack(), screen)
    assert owner_en.alert
    await owner_en.press("The file holds")
    [screen] = await owner_en.press("Clients and deals")
    assert "2. ИНН → — skip —" in screen.text  # a supplier's field is not a client's
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.record_types.set_archived(owner, type_id, True)
    await owner_en.press("The file holds")
    assert "Поставщики" not in str(owner_en.last_message().buttons)


@pytest.mark.parametrize(
    ("headers", "fields", "expected"),
    [
        (["Название", "ИНН"], {"инн": 4}, ["name", "field_4"]),
        (["Товар", "Цена"], {"цена": 9}, ["name", "field_9"]),  # the first free column
        (["Телефон", "Title"], {}, ["skip", "name"]),  # a client's target is skipped
        (["Цена"], {"цена": 9}, ["field_9"]),  # no free column: the member picks the name
    ],
)
def test_records_columns(headers: list[str], fields: dict[str, int], expected: list[str]) -> None:
    assert propose(headers, fields) == expected


@pytest.mark.parametrize(
    ("mapping", "ok"),
    [
        (["name", "field_4"], True),
        (["name", "skip"], True),
        # links, a new field (that type 3 is there and active is asked when the import runs)
        (["name", "links_clients", "links_type_3", "new_field"], True),
        (["field_4"], False),  # no name
        (["name", "phone"], False),  # not a record's target
        (["name", "field_5"], False),  # another type's field
    ],
)
def test_records_mapping_check(mapping: list[str], ok: bool) -> None:
    if ok:
        assert check(mapping, {4}) == mapping
    else:
        with pytest.raises(InvalidInput):
            check(mapping, {4})


class OneRowChunks(Chunks):
    def size(self) -> int:
        return 1


async def fill_and_undo(
    app: App, clock: ManualClock, type_id: int, data: str, choice: RequiredChoice
) -> tuple[int, int]:
    """Import ``data`` into the suppliers, filling known ones, a minute between chunks, then
    undo it: how many records the run updated, how many the undo gave back."""

    async def a_minute_later(done: int, total: int) -> None:
        clock.advance(timedelta(minutes=1))

    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        own = {f.name.casefold(): f.id for f in await crm.fields.of(CardKind.RECORD, type_id)}
        table = read_table(data.encode(), "x.csv")
        mapping = propose(table.headers, own)
        assert mapping == ["name", f"field_{own['инн']}", f"field_{own['рейтинг']}"]
        result = await crm.record_imports.run(
            owner, type_id, table, mapping, "x.csv", Policy.FILL, a_minute_later, choice
        )
    async with app.crm.open() as crm:
        [batch] = await crm.imports.batches(owner)
        undone = await crm.import_undo.undo(owner, batch.id)
    return result.updated, undone.restored


@pytest.mark.parametrize(
    ("data", "choice"),
    [
        # the same name far apart: the later row's values join the first's, filled once
        ("Название;ИНН;Рейтинг\nАльфа;7701234567;\nБета;7702222222;\nальфа;;5\n", "empty"),
        # the row all later ones repeat is rejected: the next is their first, filled once
        ("Название;ИНН;Рейтинг\nАльфа;;1\nАльфа;7701234567;\nАльфа;7709999999;5\n", "reject"),
    ],
    ids=["named-again-later", "first-row-rejected"],
)
async def test_undo_gives_back_a_record_filled_in_by_two_chunks(
    app: App, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, data: str, choice: str
) -> None:
    """Rows naming one known record land in chunks of their own: undo gives back all that
    each filled in, its search text and its last activity."""
    monkeypatch.setattr(paced, "Chunks", OneRowChunks)
    type_id, alpha = await suppliers(app)
    async with app.crm.open() as crm:
        before = await crm.clients._session.get(Record, alpha)
        assert before is not None
        search, activity = before.search_text, before.last_activity_at
    updated, restored = await fill_and_undo(app, clock, type_id, data, RequiredChoice(choice))
    assert (updated, restored) == (1, 1)  # one record, updated once
    assert (await records(app))["Альфа"] == {}
    async with app.crm.open() as crm:
        after = await crm.clients._session.get(Record, alpha)
        assert after is not None
        assert (after.search_text, after.last_activity_at) == (search, activity)


async def test_undo_does_not_bring_back_the_words_of_a_field_deleted_since(
    app: App, clock: ManualClock, owner_en: SimulatedUser
) -> None:
    """Альфа's search line is built again from the values it has when the import is undone:
    the line kept before the import held a field's value the owner has deleted since."""
    type_id, alpha = await suppliers(app)
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        passport = await crm.fields.define(
            owner, CardKind.RECORD, "Паспорт", FieldType.TEXT, record_type_id=type_id
        )
        await crm.field_values.set(owner, CardRef(CardKind.RECORD, alpha), passport.id, "zebra45")
        table = read_table("Название;ИНН\nАльфа;7701234567\n".encode(), "x.csv")
        own = {f.name.casefold(): f.id for f in await crm.fields.of(CardKind.RECORD, type_id)}
        mapping = propose(table.headers, own)
        await crm.record_imports.run(owner, type_id, table, mapping, "x.csv", Policy.FILL)
    async with app.crm.open() as crm:
        await crm.fields.delete(owner, passport.id)
    async with app.crm.open() as crm:
        [batch] = await crm.imports.batches(owner)
        assert (await crm.import_undo.undo(owner, batch.id)).restored == 1
    async with app.crm.open() as crm:
        record = await crm.clients._session.get(Record, alpha)
        assert record is not None and record.search_text == "альфа"
    await owner_en.press_data(cb(Ent.SEARCH, type_id=type_id))
    [found] = await owner_en.send("zebra45")
    assert "Found: 0" in found.text
