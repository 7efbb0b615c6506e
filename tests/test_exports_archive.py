"""/export → Clients is the whole base: archived clients too, each marked in its own
"Archived on" column; and that file sent back to /import neither takes a client out of
the archive nor makes a second card of it, while a file of clients new to the base brings
the archived ones in archived."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.imports.mapping import Target, guess
from crm.parsing.cells import FlagError, cell_flag
from storage.engine import create_session_factory
from storage.models import Client
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, START

ARCHIVED_ON = datetime(2026, 3, 5, 9, tzinfo=UTC)


async def a_base(app: App, clock: ManualClock) -> None:
    """Иван is active; Анна (with a phone) and Олег (with none) are in the archive."""
    await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",))
    anna = await make_client(app, OWNER_ID, "Анна Смирнова", phones=("+79031112233",))
    oleg = await make_client(app, OWNER_ID, "Олег")
    clock.set(ARCHIVED_ON)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for client in (anna, oleg):
            await crm.client_edits.set_archived(owner, client.id, True)
    clock.set(START + timedelta(days=10))


async def exported(owner: SimulatedUser) -> bytes:
    await owner.send("/export")
    [sent] = await owner.press("Clients · XLSX")
    assert sent.data is not None
    return sent.data


def rows_of(data: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


async def clients(app: App) -> dict[str, datetime | None]:
    """Every card's name and when it went to the archive."""
    async with create_session_factory(app.engine)() as session:
        found = await session.execute(select(Client.name, Client.archived_at).order_by(Client.id))
        return {name: (at and at.replace(tzinfo=UTC)) for name, at in found.all()}


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


async def test_export_of_clients_holds_the_archive_marked(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await a_base(app, clock)
    rows = rows_of(await exported(owner_en))
    column = rows[0].index("Archived on")
    marked = {row[1]: row[column] for row in rows[1:]}
    assert marked.pop("Иван Петров") is None
    assert {name: day.date() for name, day in marked.items() if isinstance(day, datetime)} == {
        "Анна Смирнова": ARCHIVED_ON.date(),
        "Олег": ARCHIVED_ON.date(),
    }
    # The clients list's own export is still what the list shows: the active ones.
    await owner_en.send("/clients")
    [choice] = await owner_en.press("⬇️ Export")
    [sent] = await owner_en.press("Excel", choice)
    assert sent.data is not None
    assert [row[1] for row in rows_of(sent.data)[1:]] == ["Иван Петров"]


@pytest.mark.parametrize("policy", ["Skip them", "Fill in their empty fields"])
async def test_the_export_sent_back_changes_no_archive_and_makes_no_second_card(
    app: App, owner_en: SimulatedUser, clock: ManualClock, policy: str
) -> None:
    await a_base(app, clock)
    before = await clients(app)
    data = await exported(owner_en)
    await owner_en.send_document("clients.xlsx", data=data)
    [preview] = await owner_en.press("Preview")
    assert "New clients: 0" in preview.text and "Already in the base" in preview.text
    await owner_en.press(policy)
    await finished(app)
    assert "Created: 0" in owner_en.last_message().text
    assert await clients(app) == before  # Анна and Олег still archived, nobody twice


async def test_a_file_of_new_clients_brings_the_archived_ones_in_archived(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    data = "\r\n".join(
        [
            "ФИО;Телефон;В архиве с",
            "Пётр;+7 916 000-00-01;05.11.2025",
            "Ольга;+7 916 000-00-02;да",
            "Нина;+7 916 000-00-03;нет",
            "Зоя;+7 916 000-00-04;",
            "Вера;+7 916 000-00-05;может быть",
        ]
    ).encode()
    await owner_en.send_document("база.csv", data=data)
    [preview] = await owner_en.press("Preview")
    assert "New clients: 4" in preview.text and "Rows that cannot be read: 1" in preview.text
    assert "• 🗄 Пётр +79160000001" in preview.text and "• Нина +79160000003" in preview.text
    await owner_en.press("Fill in their empty fields")
    await finished(app)
    assert any("Created: 4" in m.text for m in owner_en.chat_messages())
    assert await clients(app) == {
        "Пётр": datetime(2025, 11, 4, 21, tzinfo=UTC),  # the day began then in Moscow
        "Ольга": START,
        "Нина": None,
        "Зоя": None,
    }
    [rejected] = [m for m in owner_en.chat_messages() if m.method == "SendDocument"]
    assert rejected.data is not None and b"not yes, no or a date" in rejected.data


async def test_an_archived_row_without_contacts_matches_only_one_archived_namesake(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Two archived cards named alike: which one is meant is not guessed, a card is made."""
    await a_base(app, clock)
    await make_client(app, OWNER_ID, "Иван Петров")  # an active namesake: not the archive's
    data = "ФИО;В архиве\r\nОлег;да\r\nИван Петров;да\r\n".encode()
    await owner_en.send_document("база.csv", data=data)
    [preview] = await owner_en.press("Preview")
    assert "New clients: 1" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    async with create_session_factory(app.engine)() as session:
        count = await session.scalar(select(func.count()).select_from(Client))
    assert count == 5  # Иван Петров, archived, is new; Олег is the archive's


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, (False, None)),
        ("", (False, None)),
        ("да", (True, None)),
        ("Yes", (True, None)),
        ("✓", (True, None)),
        (True, (True, None)),
        (1, (True, None)),
        ("нет", (False, None)),
        ("No.", (False, None)),
        ("-", (False, None)),
        (0, (False, None)),
        ("05.03.2026", (True, datetime(2026, 3, 5, tzinfo=UTC))),
        (datetime(2026, 3, 5, 12), (True, datetime(2026, 3, 5, 12, tzinfo=UTC))),
        (46086, (True, datetime(2026, 3, 5, tzinfo=UTC))),  # Excel's serial of that day
    ],
)
def test_a_yes_or_no_cell(cell: object, expected: tuple[bool, datetime | None]) -> None:
    assert cell_flag(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["может быть", "archived?", "31.02.2026", 7])
def test_a_cell_that_is_neither_yes_nor_no(cell: object) -> None:
    with pytest.raises(FlagError):
        cell_flag(cell)  # type: ignore[arg-type]


@pytest.mark.parametrize("header", ["В архиве с", "в архиве", "Archived on", "Archived", "Архив"])
def test_the_exports_column_is_recognised(header: str) -> None:
    assert guess(header) == Target.ARCHIVED
