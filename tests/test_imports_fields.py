"""Import into the team's own client fields: a header named like a field goes to it, a column
nobody knows becomes a new field at the owner's choice, values are checked like typing, and
undo takes back the values it filled in."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.imports.mapping import field_id, propose
from crm.imports.reading import read_table
from crm.parsing.fields import FieldType
from handlers.imports.callbacks import ImportAction, ImportCb
from storage.engine import create_session_factory
from storage.models import Deal, Event
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

CSV = "\r\n".join(
    [
        "ФИО;Телефон;Бюджет;Любимый цвет",
        "Иван Петров;+79161234567;150 000;синий",
        "Анна Смирнова;+79161112233;много;красный",
        "Мария;+79035556677;20 000;",
    ]
).encode("cp1251")


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


async def values(app: App, client_id: int) -> dict[str, object]:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        shown = await crm.field_values.of_card(owner, CardRef(CardKind.CLIENT, client_id))
    return {v.field.name: v.value for v in shown if v.value is not None}


async def test_columns_go_to_the_teams_fields_and_a_new_one(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.fields.define(owner, CardKind.CLIENT, "Бюджет", FieldType.MONEY)
    maria = await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))

    [screen] = await owner_en.send_document("база.csv", data=CSV)
    assert "3. Бюджет → 🧩 Бюджет" in screen.text
    assert "4. Любимый цвет → — skip —" in screen.text
    [targets] = await owner_en.press("4. Любимый цвет")
    assert "🧩 Бюджет" in str(targets.buttons)
    [screen] = await owner_en.press("A new field named after the column")
    assert "4. Любимый цвет → ➕ A new field named after the column" in screen.text

    [preview] = await owner_en.press("Preview")
    assert "Rows that cannot be read: 1" in preview.text  # "много" is not money
    await owner_en.press("Fill in")
    await finished(app)
    rejected = owner_en.last_message()
    table = read_table(rejected.data or b"")
    assert table.rows[0][0] == "Анна Смирнова"
    assert "not a value the field takes" in str(table.rows[0][-1])

    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        [ivan] = await crm.client_queries.search(owner, "Иван Петров")
        colour = [f for f in await crm.fields.of(CardKind.CLIENT) if f.name == "Любимый цвет"]
        assert [f.type for f in colour] == ["text"]
        assert await crm.client_queries.search(owner, "синий") == [ivan]  # searchable
    assert await values(app, ivan.id) == {"Бюджет": 150_000_00, "Любимый цвет": "синий"}
    assert await values(app, maria.id) == {"Бюджет": 20_000_00}  # filled in the empty field

    # The second time the column is named like the new field, so it goes there by itself.
    [screen] = await owner_en.send_document("ещё.csv", data=CSV)
    assert "4. Любимый цвет → 🧩 Любимый цвет" in screen.text
    await owner_en.send("/cancel")

    await owner_en.send("/imports")
    await owner_en.press("Undo #1")
    [done] = await owner_en.press("Yes, undo")
    assert "Import undone" in done.text
    assert await values(app, maria.id) == {}  # what the import filled in is taken back


async def test_a_manager_may_not_make_fields_nor_name_unknown_targets(
    app: App, join: Joiner
) -> None:
    mark = await join(7401, "manager", "Mark", language_code="en")
    [mapping] = await mark.send_document("база.csv", data=CSV)
    assert "4. Любимый цвет → — skip —" in mapping.text
    [targets] = await mark.press("4. Любимый цвет")
    assert "A new field" not in str(targets.buttons)
    forged = ImportCb(action=ImportAction.TARGET, column=3, value="new_field")
    await mark.press_data(forged.pack(), targets)
    assert mark.alert == "You don't have access to this."
    forged = ImportCb(action=ImportAction.TARGET, column=3, value="field_999")
    await mark.press_data(forged.pack(), targets)
    assert mark.alert == "This button is no longer active."
    [back] = await mark.press("Back")
    assert "4. Любимый цвет → — skip —" in back.text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("field_12", 12),
        ("field_0", 0),
        ("field_", None),
        ("field_x1", None),
        ("field_-3", None),
        ("field_12345678901", None),  # longer than any id
        ("name", None),
        ("custom:12", None),
    ],
)
def test_field_targets(target: str, expected: int | None) -> None:
    assert field_id(target) == expected


@pytest.mark.parametrize(
    ("headers", "fields", "expected"),
    [
        (["ФИО", "Бюджет"], {}, ["name", "deal_amount"]),
        (["ФИО", "Бюджет"], {"бюджет": 7}, ["name", "field_7"]),  # the team's name wins
        (["ФИО", "  БЮДЖЕТ "], {"бюджет": 7}, ["name", "field_7"]),
        (["Бюджет", "Бюджет"], {"бюджет": 7}, ["field_7", "skip"]),  # a field once
        (["Цвет"], {}, ["skip"]),
    ],
)
def test_headers_named_like_the_teams_fields(
    headers: list[str], fields: dict[str, int], expected: list[str]
) -> None:
    assert propose(headers, fields) == expected


DEALS_CSV = "\r\n".join(
    [
        "ФИО;Телефон;Сделка;Линейка;Дата договора",
        "Иван Петров;+79161234567;Котёл;Пар;05.03.2026",
        "Анна Смирнова;+79161112233;Горелка;Лёд и пламя;",
        "Мария;+79035556677;Насос;;31.02.2026",
        "Олег;+79035550000;;Лёд;",
    ]
).encode("cp1251")


async def deal_values(app: App) -> dict[str, dict[str, object]]:
    """Each deal's title → its filled custom fields."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deals = list(await crm.clients._session.scalars(select(Deal).order_by(Deal.id)))
        found: dict[str, dict[str, object]] = {}
        for deal in deals:
            shown = await crm.field_values.of_card(owner, CardRef(CardKind.DEAL, deal.id))
            found[deal.title] = {v.field.name: v.value for v in shown if v.value is not None}
    return found


async def test_columns_go_to_the_teams_deal_fields(app: App, owner_en: SimulatedUser) -> None:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.fields.define(
            owner, CardKind.DEAL, "Линейка", FieldType.CHOICE, options=["Лёд", "Пар"]
        )
        await crm.fields.define(owner, CardKind.DEAL, "Дата договора", FieldType.DATE)

    [screen] = await owner_en.send_document("сделки.csv", data=DEALS_CSV)
    assert "4. Линейка → 💼 Deal: Линейка" in screen.text
    assert "5. Дата договора → 💼 Deal: Дата договора" in screen.text
    [targets] = await owner_en.press("1. ФИО")
    assert "💼 Deal: Линейка" in str(targets.buttons)
    await owner_en.press("Back")

    [preview] = await owner_en.press("Preview")
    assert "Rows that cannot be read: 2" in preview.text  # an unknown option, 31 February
    assert "Deals: 2" in preview.text  # Олег's row makes a deal: it has a deal field
    await owner_en.press("Skip them")
    await finished(app)
    rejected = read_table(owner_en.last_message().data or b"")
    assert [row[0] for row in rejected.rows] == ["Анна Смирнова", "Мария"]
    assert all("not a value the field takes" in str(row[-1]) for row in rejected.rows)

    assert await deal_values(app) == {
        "Котёл": {"Линейка": "Пар", "Дата договора": "2026-03-05"},
        "Олег": {"Линейка": "Лёд"},
    }
    await owner_en.send("/imports")
    await owner_en.press("Undo #1")
    [done] = await owner_en.press("Yes, undo")
    assert "Import undone" in done.text
    assert await deal_values(app) == {}


FILL = "\r\n".join(["ФИО;Телефон;Склад", "Мария;+79035556677;северный"]).encode("cp1251")


async def test_filling_a_card_keeps_it_found_by_its_custom_values(
    app: App, owner_en: SimulatedUser
) -> None:
    """A fill rebuilds the card's search line: the searchable values it had stay in it, the
    ones the import fills in join them, and undo takes out only those."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        colour = await crm.fields.define(owner, CardKind.CLIENT, "Цвет", FieldType.TEXT)
        await crm.fields.define(owner, CardKind.CLIENT, "Склад", FieldType.TEXT)
    maria = await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.field_values.set(owner, CardRef(CardKind.CLIENT, maria.id), colour.id, "зелёный")

    async def found(text: str) -> list[int]:
        async with app.crm.open() as crm:
            owner = await member(app, OWNER_ID)
            return [c.id for c in await crm.client_queries.search(owner, text)]

    await owner_en.send_document("склад.csv", data=FILL)
    await owner_en.press("Preview")
    await owner_en.press("Fill in")
    await finished(app)
    assert await values(app, maria.id) == {"Цвет": "зелёный", "Склад": "северный"}
    assert (await found("зелёный"), await found("северный")) == ([maria.id], [maria.id])

    await owner_en.send("/imports")
    await owner_en.press("Undo #1")
    await owner_en.press("Yes, undo")
    assert (await found("зелёный"), await found("северный")) == ([maria.id], [])


async def test_a_notes_and_a_long_texts_lines_stay_apart(app: App, owner_en: SimulatedUser) -> None:
    """A quoted cell of several lines (a comment, a long text field's value, choices one a
    line, as /export writes them or a person types them in Excel) came in as one line:
    «Звонил 01.02\\nПерезвонить в пятницу» read «Звонил 01.02 Перезвонить в пятницу», and
    «Один\\nДва» was no choice of the field's, so the row was rejected."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.fields.define(owner, CardKind.CLIENT, "История", FieldType.LONG_TEXT)
        await crm.fields.define(
            owner, CardKind.CLIENT, "Интересы", FieldType.MULTI_CHOICE, options=["Один", "Два"]
        )
    lines = [
        "ФИО;Телефон;Комментарий;История;Интересы",
        'Иван;+79161234567;"Звонил 01.02\r\n  Перезвонить в пятницу ";'
        '"Первая\r\n\r\nТретья";"Один\nДва"',
    ]
    [screen] = await owner_en.send_document("база.csv", data="\r\n".join(lines).encode())
    assert "3. Комментарий → Note (first comment)" in screen.text
    [preview] = await owner_en.press("Preview")
    assert "Rows that cannot be read: 0" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    async with app.crm.open() as crm:
        [ivan] = await crm.client_queries.search(await member(app, OWNER_ID), "Иван")
    kept = {"История": "Первая\n\nТретья", "Интересы": ["Один", "Два"]}
    assert await values(app, ivan.id) == kept
    async with create_session_factory(app.engine)() as session:
        notes = await session.scalars(
            select(Event.text).where(Event.client_id == ivan.id, Event.kind == "comment")
        )
        assert list(notes) == ["Звонил 01.02\nПерезвонить в пятницу"]
