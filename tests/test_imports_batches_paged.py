"""/imports in pages: an import older than the newest page is reached with ▶️ and undone,
however many came after it (the list showed the newest 20 and the undo question found only
the newest 100); a manager's forged press on another's import is refused."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.imports.callbacks import BatchAction, BatchCb
from storage.engine import write_transaction
from storage.models import ImportBatch
from tests.conftest import OWNER_ID, Joiner

BATCHES = 105


async def old_imports(app: App) -> None:
    """BATCHES finished imports of the owner, #1 the oldest."""
    day = datetime(2026, 1, 5, 9, tzinfo=UTC)
    async with app.crm.open() as crm:
        session = crm.clients._session
        async with write_transaction(session):
            session.add_all(
                ImportBatch(
                    file_name=f"база-{n}.csv",
                    created_by=OWNER_ID,
                    created_at=day,
                    finished_at=day,
                    policy="skip",
                    counts={"created": 0},
                )
                for n in range(1, BATCHES + 1)
            )


async def test_the_oldest_import_is_paged_to_and_undone(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await old_imports(app)
    [screen] = await owner_en.send("/imports")
    assert "#105 база-105.csv" in screen.text and "#86 база-86.csv" in screen.text
    assert "#85 " not in screen.text
    assert "1/6" in str(screen.buttons)
    for shown in range(2, 7):
        [screen] = await owner_en.press("▶️", screen)
        assert f"{shown}/6" in str(screen.buttons)
    assert "#5 база-5.csv" in screen.text and "#1 база-1.csv" in screen.text
    assert "#6 " not in screen.text and "▶️" not in str(screen.buttons)

    [question] = await owner_en.press("Undo #1")
    assert "Undo the import of база-1.csv?" in question.text
    [back] = await owner_en.press("No")
    assert "6/6" in str(back.buttons)  # the page the press came from
    await owner_en.press("Undo #1")
    [done] = await owner_en.press("Yes, undo")
    assert "Import undone" in done.text
    [screen] = await owner_en.press_data(BatchCb(action=BatchAction.LIST, page=5).pack())
    assert "#1 база-1.csv — Olga Owner, 05.01.2026 09:00 UTC: undone" in screen.text

    mark = await join(7401, "manager", "Mark", language_code="en")
    await mark.press_data(BatchCb(action=BatchAction.UNDO, batch_id=2).pack())
    assert mark.alert == "This record no longer exists."  # not theirs: not shown to them


async def test_a_page_of_long_file_names_fits_one_message(app: App, owner: SimulatedUser) -> None:
    """Twenty imports of files named up to the 255 characters stored: each name is cut on
    the list (the page went over Telegram's 4,096 and /imports answered only "something
    broke"); the undo question names the file whole."""
    day = datetime(2026, 1, 5, 9, tzinfo=UTC)
    long_name = "Клиенты с выставки " + "очень длинное имя файла " * 9 + ".xlsx"
    async with app.crm.open() as crm:
        session = crm.clients._session
        async with write_transaction(session):
            session.add_all(
                ImportBatch(
                    file_name=f"{n} {long_name}"[:255],
                    created_by=OWNER_ID,
                    created_at=day,
                    finished_at=day,
                    policy="skip",
                    counts={"created": 1},
                )
                for n in range(1, 21)
            )
    [screen] = await owner.send("/imports")
    assert screen.text.startswith("Импорты") and screen.text.count("…") == 20
    assert "#20 20 Клиенты с выставки очень длинное" in screen.text
    [question] = await owner.press("Отменить №1")
    assert long_name in question.text
