"""/export → Clients sent back to /import: each row is its card's again by the card's number
(the ID column), so a client with neither phone nor e-mail gets no second card; a number whose
card was deleted since, or another program's "ID" column, matches no card of ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.imports.rows import card_number
from storage.engine import create_session_factory
from storage.models import Client, Deal
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_exports_archive import a_base, exported, finished, rows_of


async def cards(app: App) -> list[tuple[int, str, str | None]]:
    async with create_session_factory(app.engine)() as session:
        found = await session.execute(select(Client.id, Client.name, Client.city))
        return sorted((i, n, c) for i, n, c in found)


async def sent_back(owner: SimulatedUser, app: App, data: bytes, policy: str, name: str) -> str:
    """The file imported under its proposed columns; the preview's text."""
    await owner.send_document(name, data=data)
    [preview] = await owner.press("Preview")
    said = preview.text  # the message becomes the import's progress
    await owner.press(policy)
    await finished(app)
    return said


@pytest.mark.parametrize("button", ["Clients · XLSX", "Clients · CSV"])
@pytest.mark.parametrize("policy", ["Skip them", "Fill in their empty fields"])
async def test_an_active_client_without_contacts_is_its_own_card_again(
    app: App, owner_en: SimulatedUser, clock: ManualClock, policy: str, button: str
) -> None:
    await a_base(app, clock)
    await make_client(app, OWNER_ID, "Мария")  # active, no phone, no e-mail
    before = await cards(app)
    await owner_en.send("/export")
    [sent] = await owner_en.press(button)
    assert sent.data is not None
    preview = await sent_back(owner_en, app, sent.data, policy, sent.file or "clients")
    assert (
        "New clients: 0" in preview and "Already in the base (by ID, phone or e-mail): 4" in preview
    )
    assert "Created: 0" in owner_en.last_message().text
    assert await cards(app) == before


async def test_a_card_deleted_since_comes_back_as_a_new_card_and_fills_no_other(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await a_base(app, clock)
    maria = await make_client(app, OWNER_ID, "Мария", city="Тверь")
    data = await exported(owner_en)
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await member(app, OWNER_ID), maria.id)
    await make_client(app, OWNER_ID, "Мария")  # a namesake made since: a new id, no city
    preview = await sent_back(owner_en, app, data, "Fill in their empty fields", "clients.xlsx")
    assert "New clients: 1" in preview
    after = await cards(app)
    marias = [(card_id, city) for card_id, name, city in after if name == "Мария"]
    assert len(marias) == 2 and maria.id not in {card_id for card_id, _city in marias}
    assert sorted(marias)[0][1] is None  # the namesake was not filled with the deleted one's city


async def test_another_programs_id_column_matches_no_card_of_ours(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    oleg = await make_client(app, OWNER_ID, "Олег")
    data = f"ID;ФИО;Город\r\n{oleg.id};Пётр;Тула\r\nA-{oleg.id};Олег;Тула\r\n".encode()
    preview = await sent_back(owner_en, app, data, "Fill in their empty fields", "amo.csv")
    assert "New clients: 2" in preview
    assert [(n, c) for _i, n, c in await cards(app)] == [
        ("Олег", None),
        ("Пётр", "Тула"),
        ("Олег", "Тула"),
    ]


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (7, 7),
        (7.0, 7),
        ("12", 12),
        (" 12 ", 12),
        (7.5, None),
        ("A-7", None),
        (0, None),
        (-3, None),
        (True, None),
        ("١٢", None),
        ("9" * 19, None),
        (None, None),
    ],
)
def test_a_card_number_cell(cell: object, number: int | None) -> None:
    assert card_number(cell) == number  # type: ignore[arg-type]


async def there_and_back(
    app: App, owner: SimulatedUser, button: str, card_id: int, column: str, wall: datetime
) -> None:
    """Exported by ``button`` (the card's ``column`` holds ``wall``, the reader's clock), the
    card deleted, and the file sent back: the row makes a new card."""
    await owner.send("/export")
    [sent] = await owner.press(button)
    assert sent.data is not None
    if button.endswith("XLSX"):
        [header, row] = rows_of(sent.data)
        assert row[header.index(column)] == wall
    else:
        assert f",{wall:%Y-%m-%d %H:%M}".encode() in sent.data
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await member(app, OWNER_ID), card_id)
    await sent_back(owner, app, sent.data, "Skip them", sent.file or "clients")
    assert "Created: 1" in owner.last_message().text


@pytest.mark.parametrize("button", ["Clients · XLSX", "Clients · CSV"])
async def test_archived_on_keeps_its_time_there_and_back(
    app: App, owner_en: SimulatedUser, clock: ManualClock, button: str
) -> None:
    """ "Archived on" holds the moment on the reader's clock (Moscow), and a card made again of
    the row (deleted since) goes to the archive at that moment, not at the day's midnight."""
    vera = await make_client(app, OWNER_ID, "Вера")
    archived = datetime(2026, 3, 5, 9, 17, tzinfo=UTC)  # 12:17 in Moscow
    clock.set(archived)
    async with app.crm.open() as crm:
        await crm.client_edits.set_archived(await member(app, OWNER_ID), vera.id, True)
    clock.set(archived + timedelta(days=3))
    await there_and_back(
        app, owner_en, button, vera.id, "Archived on", datetime(2026, 3, 5, 12, 17)
    )
    async with create_session_factory(app.engine)() as session:
        [(name, at)] = (await session.execute(select(Client.name, Client.archived_at))).all()
    assert (name, at.replace(tzinfo=UTC)) == ("Вера", archived)


@pytest.mark.parametrize("button", ["Clients · XLSX", "Clients · CSV"])
async def test_created_keeps_its_time_there_and_back(
    app: App, owner_en: SimulatedUser, clock: ManualClock, button: str
) -> None:
    """ "Created" holds the moment on the reader's clock (Moscow), and a card made again of the
    row (deleted since) was created at that moment, not at the day's midnight in UTC."""
    created = datetime(2026, 3, 5, 22, 41, tzinfo=UTC)  # 01:41 on the 6th in Moscow
    clock.set(created)
    vera = await make_client(app, OWNER_ID, "Вера")
    clock.set(created + timedelta(days=3))
    await there_and_back(app, owner_en, button, vera.id, "Created", datetime(2026, 3, 6, 1, 41))
    async with create_session_factory(app.engine)() as session:
        [(name, at)] = (await session.execute(select(Client.name, Client.created_at))).all()
    assert (name, at.replace(tzinfo=UTC)) == ("Вера", created)


@pytest.mark.parametrize("fmt", ["XLSX", "CSV"])
async def test_a_deals_export_sent_to_import_takes_no_deal_id_for_a_card_number(
    app: App, owner_en: SimulatedUser, fmt: str
) -> None:
    """A deals export's id column holds deals' ids, named so that /import does not read them as
    clients' card numbers: a deal of one Мария whose id is the other Мария's card's is not
    the other's (two namesakes match no row by name: it makes a new card)."""
    first = await make_client(app, OWNER_ID, "Мария", city="Тверь")
    second = await make_client(app, OWNER_ID, "Мария")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, OWNER_ID), second.id, 500, "Поставка")
    assert deal.id == first.id  # the case: a deal's id that is a namesake's card number
    await owner_en.send("/export")
    [sent] = await owner_en.press(f"Deals · {fmt}")
    assert sent.data is not None
    [screen] = await owner_en.send_document(sent.file or "deals", data=sent.data)
    assert "1. Deal ID → — skip —" in screen.text
    [preview] = await owner_en.press("Preview")
    assert "New clients: 1" in preview.text
    await owner_en.press("Fill in their empty fields")
    await finished(app)
    assert await cards(app) == [
        (first.id, "Мария", "Тверь"),
        (second.id, "Мария", None),
        (second.id + 1, "Мария", None),
    ]
    async with create_session_factory(app.engine)() as session:
        owners = await session.scalars(select(Deal.client_id).order_by(Deal.id))
        assert list(owners) == [second.id, second.id + 1]  # the file's deal went to the new card


@pytest.mark.parametrize(
    ("language", "line"), [("en", "Task ID → — skip —"), ("ru", "ИД задачи → — пропустить —")]
)
async def test_a_tasks_export_sent_to_import_takes_no_task_id_for_a_card_number(
    app: App, owner: SimulatedUser, clock: ManualClock, language: str, line: str
) -> None:
    """A tasks export's id column (tasks' ids, beside their clients' names) goes nowhere."""
    maria = await make_client(app, OWNER_ID, "Мария")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.members.set_language(me, language)
        await crm.tasks.create(me, "Позвонить", clock.now(), client_id=maria.id)
    await owner.send("/export")
    [sent] = await owner.press("Tasks · CSV" if language == "en" else "Задачи · CSV")
    assert sent.data is not None
    [screen] = await owner.send_document("tasks.csv", data=sent.data)
    assert f"1. {line}" in screen.text, screen.text


async def test_the_english_export_brings_its_e_mails_back(
    app: App, owner_en: SimulatedUser
) -> None:
    """The English export calls its column "E-mails", which /import did not know: the
    file sent back left every e-mail out (a card deleted since came back without one)."""
    anna = await make_client(app, OWNER_ID, "Анна", emails=("anna@example.com",))
    await owner_en.send("/export")
    [sent] = await owner_en.press("Clients · CSV")
    assert sent.data is not None
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await member(app, OWNER_ID), anna.id)
    [screen] = await owner_en.send_document("clients.csv", data=sent.data)
    assert "4. E-mails → E-mail" in screen.text
    await owner_en.press("Preview")
    await owner_en.press("Skip them")
    await finished(app)
    async with app.crm.open() as crm:
        [back] = await crm.client_queries.search(await member(app, OWNER_ID), "anna@example.com")
    assert back.name == "Анна" and back.id != anna.id
