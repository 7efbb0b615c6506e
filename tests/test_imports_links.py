"""Links in an import: a column of linked cards' names (the export's "Linked clients", a record
type's plural) links each row's card to the cards it names that the member can see; names
that match none or several are reported, not guessed; undo removes the links it made."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.errors import Conflict, ErrorCode
from crm.imports.reading import Table, read_table
from crm.parsing.fields import FieldType
from storage.models import Client, Event, Record
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_imports_reading import xlsx

MANAGER = 7302


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


async def suppliers(app: App, *names: str) -> int:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        for name in names:
            await crm.records.create(owner, kind.id, name)
    return kind.id


async def card_id(app: App, kind: CardKind, title: str) -> int:
    async with app.crm.open() as crm:
        if kind == CardKind.CLIENT:
            query = select(Client.id).where(Client.name == title)
        else:
            query = select(Record.id).where(Record.title == title)
        found = await crm.clients._session.scalar(query)
    assert found is not None, title
    return found


async def linked(app: App, kind: CardKind, title: str) -> list[str]:
    """The titles of the cards linked to the card so named, as the owner sees them."""
    ref = CardRef(kind, await card_id(app, kind, title))
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        return sorted(view.title for view in await crm.links.of_card(owner, ref))


async def timeline_kinds(app: App, kind: CardKind, title: str) -> list[str]:
    column = Event.client_id if kind == CardKind.CLIENT else Event.record_id
    found = await card_id(app, kind, title)
    async with app.crm.open() as crm:
        rows = await crm.clients._session.scalars(
            select(Event.kind).where(column == found).order_by(Event.id)
        )
        return list(rows)


async def run_import(person: SimulatedUser, app: App, name: str, data: bytes, policy: str) -> str:
    """Send the file, preview, run with the policy; the result screen's text."""
    await person.send_document(name, data=data)
    await person.press("Preview")
    await person.press(policy)
    await finished(app)
    return next(m.text for m in reversed(person.chat_messages()) if "finished" in m.text)


async def test_an_export_sent_back_brings_its_links_both_ways(
    app: App, owner_en: SimulatedUser
) -> None:
    await suppliers(app, "ЛедЗавод", "ПарСервис", "ООО Ромашка, филиал")
    ivan = await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",))
    anna = await make_client(app, OWNER_ID, "Анна", phones=("+79161112233",))
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        ivan_ref, anna_ref = CardRef(CardKind.CLIENT, ivan.id), CardRef(CardKind.CLIENT, anna.id)
        for title in ("ЛедЗавод", "ПарСервис", "ООО Ромашка, филиал"):
            record = CardRef(CardKind.RECORD, await card_id(app, CardKind.RECORD, title))
            await crm.links.link(owner, ivan_ref, record)
        await crm.links.link(owner, anna_ref, ivan_ref)

    await owner_en.send("/clients")
    await owner_en.press("⬇️ Export")
    [sent] = await owner_en.press("CSV")
    assert sent.data is not None
    async with app.crm.open() as crm:  # another state of the base: the clients are gone
        owner = await member(app, OWNER_ID)
        await crm.client_edits.delete(owner, ivan.id)
        await crm.client_edits.delete(owner, anna.id)

    [screen] = await owner_en.send_document("clients.csv", data=sent.data)
    assert "Linked clients → 🔗 Linked clients" in screen.text
    assert "Поставщики → 🔗 🏭 Поставщики" in screen.text
    result = await run_import(owner_en, app, "clients.csv", sent.data, "Skip them")
    assert "Created: 2" in result
    assert "Links made: 4" in result  # Иван–Анна once, though both rows name it
    assert "not linked" not in result

    assert await linked(app, CardKind.CLIENT, "Иван Петров") == [
        "Анна",
        "ЛедЗавод",
        "ООО Ромашка, филиал",
        "ПарСервис",
    ]
    assert await linked(app, CardKind.CLIENT, "Анна") == ["Иван Петров"]
    assert await linked(app, CardKind.RECORD, "ООО Ромашка, филиал") == ["Иван Петров"]
    assert (await timeline_kinds(app, CardKind.RECORD, "ЛедЗавод"))[-1] == "link_added"
    kinds = await timeline_kinds(app, CardKind.CLIENT, "Анна")
    assert kinds.count("imported") == 1 and kinds.count("link_added") == 1

    # Sent again with "fill in": every link is there already, none is made twice.
    result = await run_import(owner_en, app, "clients.csv", sent.data, "Fill in")
    assert "Updated: 2" in result and "Links made: 0" in result
    assert await linked(app, CardKind.CLIENT, "Анна") == ["Иван Петров"]


async def test_names_not_found_or_shared_are_reported_and_the_row_is_imported(
    app: App, owner_en: SimulatedUser
) -> None:
    await suppliers(app, "ЛедЗавод", "Дубль", "дубль")
    client = await make_client(app, OWNER_ID, "Ольга")
    async with app.crm.open() as crm:
        await crm.deals.create(await member(app, OWNER_ID), client.id, 0, "Лёд на лето")
    csv = "\r\n".join(
        [
            "ФИО;Поставщики;Связанные сделки",
            "Иван Петров;ЛедЗавод, Нет Такого;лед на лето",
            "Анна;Дубль;",
        ]
    ).encode("utf-8")
    result = await run_import(owner_en, app, "база.csv", csv, "Skip them")
    assert "Created: 2" in result
    assert "Links made: 2" in result
    assert "Names not linked: 2" in result
    assert "line 2: Нет Такого — no such card among those you see" in result
    assert "line 3: Дубль — several cards have this name" in result
    assert await linked(app, CardKind.CLIENT, "Иван Петров") == ["ЛедЗавод", "Лёд на лето"]
    assert await linked(app, CardKind.CLIENT, "Анна") == []


async def test_deals_are_found_by_their_title_now_and_not_under_an_archived_client(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        olga = await make_client(app, OWNER_ID, "Ольга")
        renamed = await crm.deals.create(owner, olga.id, 0, "Черновик")
        await crm.deals.set_title(owner, renamed.id, "Лёд на лето")
        gone = await make_client(app, OWNER_ID, "Архивный")
        await crm.deals.create(owner, gone.id, 0, "Пар на зиму")
        await crm.client_edits.set_archived(owner, gone.id, True)
    csv = "\r\n".join(["ФИО;Связанные сделки", "Иван;ЛЕД НА ЛЕТО", "Анна;пар на зиму"]).encode(
        "utf-8"
    )
    result = await run_import(owner_en, app, "база.csv", csv, "Skip them")
    assert "Links made: 1" in result
    assert "line 3: пар на зиму — no such card among those you see" in result
    assert await linked(app, CardKind.CLIENT, "Иван") == ["Лёд на лето"]


async def test_a_manager_links_only_cards_they_can_see(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mark = await join(MANAGER, "manager", "Mark", language_code="en")
    await make_client(app, OWNER_ID, "Чужой клиент")
    await make_client(app, MANAGER, "Свой клиент")
    csv = "\r\n".join(["Name;Linked clients", "Новый;Чужой клиент, Свой клиент"]).encode("utf-8")
    result = await run_import(mark, app, "mine.csv", csv, "Skip them")
    assert "Links made: 1" in result
    assert "line 2: Чужой клиент — no such card among those you see" in result
    assert await linked(app, CardKind.CLIENT, "Новый") == ["Свой клиент"]
    assert await linked(app, CardKind.CLIENT, "Чужой клиент") == []


async def test_undo_removes_the_links_the_import_made(app: App, owner_en: SimulatedUser) -> None:
    await suppliers(app, "ЛедЗавод", "ПарСервис")
    await make_client(app, OWNER_ID, "Мария", phones=("+79035556677",))
    csv = "\r\n".join(
        [
            "ФИО;Телефон;Поставщики",
            "Мария К.;89035556677;ЛедЗавод",  # a card that exists: filled in and linked
            'Олег;;"ЛедЗавод\nПарСервис"',  # names on lines of their own
        ]
    ).encode("cp1251")
    result = await run_import(owner_en, app, "база.csv", csv, "Fill in")
    assert "Links made: 3" in result
    assert await linked(app, CardKind.RECORD, "ЛедЗавод") == ["Мария", "Олег"]

    await owner_en.send("/imports")
    [confirm] = await owner_en.press("Undo #1")
    assert "the links it made are removed" in confirm.text
    [done] = await owner_en.press("Yes, undo")
    assert "Links removed: 3." in done.text
    assert await linked(app, CardKind.RECORD, "ЛедЗавод") == []
    assert await linked(app, CardKind.RECORD, "ПарСервис") == []
    assert await linked(app, CardKind.CLIENT, "Мария") == []
    # The cards that stay say so, as unlinking by hand does: one line a link each.
    kinds = await timeline_kinds(app, CardKind.RECORD, "ЛедЗавод")
    assert (kinds.count("link_added"), kinds.count("link_removed")) == (2, 2)
    assert (await timeline_kinds(app, CardKind.CLIENT, "Мария"))[-2:] == [
        "link_removed",
        "import_undone",
    ]


async def test_records_with_links_and_a_new_field(app: App, owner_en: SimulatedUser) -> None:
    type_id = await suppliers(app)
    await make_client(app, OWNER_ID, "Иван Петров")
    csv = "\r\n".join(
        [
            "Название;Linked clients;Страна",
            "ЛедЗавод;Иван Петров;Россия",
            "ПарСервис;Никто;",
        ]
    ).encode("utf-8")
    [screen] = await owner_en.send_document("поставщики.csv", data=csv)
    await owner_en.press("The file holds")
    [screen] = await owner_en.press("🏭 Поставщики")
    assert "2. Linked clients → 🔗 Linked clients" in screen.text
    assert "3. Страна → — skip —" in screen.text
    await owner_en.press("3. Страна")
    [screen] = await owner_en.press("A new field named after the column")
    assert "3. Страна → ➕ A new field named after the column" in screen.text
    [preview] = await owner_en.press("Preview")
    assert "New records: 2" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    result = owner_en.chat_messages()[-1].text
    assert "Created: 2" in result
    assert "Deals:" not in result  # a file of records makes no deals
    assert "Links made: 1" in result
    assert "line 3: Никто — no such card among those you see" in result
    assert await linked(app, CardKind.CLIENT, "Иван Петров") == ["ЛедЗавод"]

    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        [country] = [f for f in await crm.fields.of(CardKind.RECORD, type_id)]
        assert (country.name, country.type) == ("Страна", FieldType.TEXT.value)
        ref = CardRef(CardKind.RECORD, await card_id(app, CardKind.RECORD, "ЛедЗавод"))
        shown = await crm.field_values.of_card(owner, ref)
        assert [(v.field.name, v.value) for v in shown] == [("Страна", "Россия")]


async def test_undoing_a_later_import_that_linked_to_an_earlier_ones_card_frees_that_undo(
    app: App, owner_en: SimulatedUser
) -> None:
    first = "\r\n".join(["ФИО", "Иван Петров"]).encode("utf-8")
    await run_import(owner_en, app, "a.csv", first, "Skip them")
    second = "\r\n".join(["ФИО;Linked clients", "Анна;Иван Петров"]).encode("utf-8")
    assert "Links made: 1" in await run_import(owner_en, app, "b.csv", second, "Skip them")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        with pytest.raises(Conflict) as refused:  # Иван has B's link on his timeline
            await crm.import_undo.undo(owner, 1)
        assert refused.value.code == ErrorCode.IMPORT_CHANGED_SINCE
        assert (await crm.import_undo.undo(owner, 2)).links == 1
    kinds = await timeline_kinds(app, CardKind.CLIENT, "Иван Петров")
    assert kinds[-2:] == ["link_added", "link_removed"]  # B's link, and B's undo, told
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        assert (await crm.import_undo.undo(owner, 1)).removed == 1
        assert await crm.clients._session.scalar(select(Client.id)) is None


async def test_the_links_there_are_read_as_ids_between_the_rows_and_the_cards_named(
    app: App, owner_en: SimulatedUser
) -> None:
    await suppliers(app, "ЛедЗавод", "Другой", "Третий")
    maria = await make_client(app, OWNER_ID, "Мария", phones=("+79035556677",))
    async with app.crm.open() as crm:  # Мария's links to cards the file does not name
        owner = await member(app, OWNER_ID)
        for title in ("Другой", "Третий"):
            record = CardRef(CardKind.RECORD, await card_id(app, CardKind.RECORD, title))
            await crm.links.link(owner, CardRef(CardKind.CLIENT, maria.id), record)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", seen)
    try:
        csv = "\r\n".join(["ФИО;Телефон;Поставщики", "Мария;89035556677;ЛедЗавод"])
        result = await run_import(owner_en, app, "база.csv", csv.encode("utf-8"), "Fill in")
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", seen)
    assert "Links made: 1" in result
    reads = [  # the links read, not where new ids start
        s for s in statements if "FROM links" in s and "WHERE" in s and "sqlite_sequence" not in s
    ]
    assert reads and not any("quantity_milli" in s or "links.id" in s for s in reads)
    assert all("b_record_id IN" in s and "a_client_id IN" in s for s in reads)


async def test_a_link_column_to_a_type_gone_or_archived_is_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    type_id = await suppliers(app, "ЛедЗавод")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.record_types.set_archived(owner, type_id, True)
    table = Table(headers=["ФИО", "Поставщики"], rows=[["Иван", "ЛедЗавод"]], numbers=[2])
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        for target in (f"links_type_{type_id}", f"links_type_{type_id + 50}"):
            with pytest.raises(Conflict) as refused:
                await crm.imports.preview(owner, table, ["name", target])
            assert refused.value.code == ErrorCode.RECORD_TYPE_ARCHIVED


NOTE = "Звонить после обеда.\nПросил КП\nна лето"
NOTED = [
    ["ФИО", "Телефон", "Заметка", "Поставщики"],
    ["Иван Петров", "89161234567", NOTE, "ЛедЗавод"],
    ["Олег", "звонить вечером", None, None],
    ["Анна", "89161112233", None, "Нет Такого"],
]


@pytest.mark.parametrize(
    ("name", "told"),
    [("notes.csv", "• line 6: Нет Такого"), ("notes.xlsx", "• row 4: Нет Такого")],
    ids=["csv", "xlsx"],
)
async def test_a_csv_row_is_named_by_the_line_it_starts_on_after_a_note_of_several_lines(
    app: App, owner_en: SimulatedUser, name: str, told: str
) -> None:
    """A quoted note over three lines, then a row with a bad phone and one naming a card
    there is not: the name not linked is told with the line its row starts on (6, as a text
    editor shows it; it was "row 4", the fourth record), and the rejected row is the one
    with the bad phone. In a spreadsheet, the note is in one cell and the row is row 4."""
    await suppliers(app, "ЛедЗавод")
    if name.endswith(".csv"):
        lines = [";".join(f'"{c}"' if c == NOTE else c or "" for c in row) for row in NOTED]
        data = "\n".join(lines).encode()  # the note's cell: lines 2–4
    else:
        data = xlsx(NOTED)
    result = await run_import(owner_en, app, name, data, "Skip them")
    assert "Created: 2" in result and "Rejected: 1" in result
    assert f"{told} — no such card among those you see" in result, result
    rejected = owner_en.last_message()
    assert rejected.data is not None
    assert read_table(rejected.data).rows == [
        ["Олег", "звонить вечером", None, None, "not a phone number: звонить вечером"]
    ]
    assert await linked(app, CardKind.CLIENT, "Иван Петров") == ["ЛедЗавод"]
