"""The nightly backup: the owner sets its hour in /settings; the clock makes it once a day,
to the owner's chat as a document, or into BACKUP_DIR keeping the newest BACKUP_KEEP."""

from __future__ import annotations

import io
import os
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import crm.backups
from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from handlers.settings.callbacks import BackupAction, BackupCb
from reminders.scheduler import Ticker
from storage.engine import create_engine
from storage.restore import restore, table_counts
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner, make_settings, unhurried

NIGHT = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 03:00 in Moscow, the owner's zone


def documents(user: SimulatedUser) -> list[bytes]:
    return [m.data for m in user.chat_messages() if m.method == "SendDocument" and m.data]


async def set_hour(owner: SimulatedUser, hour: str) -> str:
    """Sets the hour through /settings; returns what the nightly backup's screen said."""
    await owner.send("/settings")
    [screen] = await owner.press("Nightly backup: off")
    said = screen.text
    assert "Now: off." in said
    [screen] = await owner.press(hour)
    assert f"Nightly backup at {hour}" in str(screen.buttons)
    assert owner.alert == f"Nightly backup at {hour}."
    return said


async def test_off_by_default_then_once_a_night_at_the_owners_hour(
    app: App, owner_en: SimulatedUser, clock: ManualClock, tmp_path: Path
) -> None:
    await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",))
    clock.set(NIGHT)
    await app.ticker.tick()
    assert documents(owner_en) == []  # off until the owner sets an hour

    await set_hour(owner_en, "03:00")
    clock.set(NIGHT - timedelta(minutes=1))  # 02:59
    await app.ticker.tick()
    assert documents(owner_en) == []
    clock.set(NIGHT)
    await app.ticker.tick()
    [archive] = documents(owner_en)
    sent = owner_en.last_message()
    assert (sent.file or "").startswith("kartoteka-2026-03-03") and sent.file.endswith(".zip")
    assert sent.text.startswith("🗄 Nightly backup: the whole base,")

    # Later ticks, a restarted process and a second instance make no second one that night.
    clock.advance(timedelta(hours=5))
    await app.ticker.tick()
    await Ticker(app.crm, app.sender).tick()
    assert len(documents(owner_en)) == 1
    clock.set(NIGHT + timedelta(days=1))
    await app.ticker.tick()
    assert len(documents(owner_en)) == 2  # the next night

    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
    try:
        manifest = await restore(target, io.BytesIO(archive))
        assert (await table_counts(target))["clients"] == manifest.counts()["clients"] == 1
    finally:
        await target.dispose()


async def test_the_owner_turns_it_off_and_a_manager_may_not_touch_it(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    manager = await join(7101, "manager", "Mark", language_code="en")
    [answer] = await manager.send("/settings")
    assert "Nightly backup" not in str(answer.buttons)
    await manager.press_data(BackupCb(action=BackupAction.SET, hour=3).pack())
    assert manager.alert == "You don't have access to this."
    async with app.crm.open() as crm:
        assert await crm.backups.plan() is None

    await set_hour(owner_en, "03:00")
    [screen] = await owner_en.press("Nightly backup at 03:00")
    assert "Now: every night at 03:00 (Europe/Moscow)." in screen.text
    [screen] = await owner_en.press("Settings")
    assert "Nightly backup at 03:00" in str(screen.buttons)
    await owner_en.press("Nightly backup at 03:00")
    [screen] = await owner_en.press("Turn off")
    assert "Nightly backup: off" in str(screen.buttons)
    clock.set(NIGHT)
    await app.ticker.tick()
    assert documents(owner_en) == []


async def test_too_large_for_telegram_the_owner_is_told_where_to_set_the_folder(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crm.backups, "TELEGRAM_UPLOAD_LIMIT", 100)  # any real archive is larger
    said = await set_hour(owner_en, "03:00")
    assert "comes to your private chat as a file (up to 50 MB" in said
    clock.set(NIGHT)
    await app.ticker.tick()
    assert documents(owner_en) == []
    told = owner_en.last_message().text
    assert "more than the 50 MB Telegram lets a bot send" in told and "BACKUP_DIR" in told


@pytest.fixture
async def folder_app(database_url: str, clock: ManualClock, tmp_path: Path) -> AsyncIterator[App]:
    settings = make_settings(database_url, backup_dir=str(tmp_path / "backups"), backup_keep=2)
    application = build_app(settings, session=OfflineSession(), clock=clock, limits=unhurried())
    await prepare_database(application)
    yield application
    await application.close()


async def english_owner(app: App) -> SimulatedUser:
    """The owner, who has started the bot and chosen English."""
    owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, first_name="Olga", language_code="en")
    await owner.send("/start")
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, "en")
    return owner


async def test_into_backup_dir_keeping_the_newest(
    folder_app: App, clock: ManualClock, tmp_path: Path
) -> None:
    app = folder_app
    owner = await english_owner(app)
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "kartoteka-2026-01-01-030000.zip").write_bytes(b"old")
    (folder / "kartoteka-2026-01-02-030000.zip").write_bytes(b"old")
    (folder / "notes.txt").write_text("not ours")
    said = await set_hour(owner, "03:00")
    assert "saved into the server's backup folder (BACKUP_DIR)" in said
    clock.set(NIGHT)
    await app.ticker.tick()
    assert documents(owner) == []
    names = sorted(p.name for p in folder.iterdir())
    tonight = "kartoteka-2026-03-03-000000.zip"
    assert names == ["kartoteka-2026-01-02-030000.zip", tonight, "notes.txt"]
    assert owner.last_message().text.startswith("🗄 Nightly backup saved on the server:")
    assert "kartoteka-2026-03-03-000000.zip" in owner.last_message().text
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
    try:
        await restore(target, io.BytesIO((folder / names[1]).read_bytes()))
        assert (await table_counts(target))["users"] == 1
    finally:
        await target.dispose()


async def test_a_backup_on_its_way_is_not_claimed_again_for_half_an_hour(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Making and uploading a large backup takes long: its lease outlasts the usual two minutes."""
    await set_hour(owner_en, "03:00")
    clock.set(NIGHT)
    async with app.crm.open() as crm:
        assert await crm.backups.claim_due() == 1
        [row] = await crm.outbox.claim_due(10, holder="a")
        assert row.kind == "nightly_backup"
        clock.advance(timedelta(minutes=29))
        assert await crm.outbox.claim_due(10, holder="b") == []
        clock.advance(timedelta(minutes=2))
        assert [r.id for r in await crm.outbox.claim_due(10, holder="b")] == [row.id]


@pytest.mark.parametrize(
    ("names", "keep", "left"),
    [
        ([], 7, []),
        (["kartoteka-2026-01-01-030000.zip"], 1, ["kartoteka-2026-01-01-030000.zip"]),
        (
            [f"kartoteka-2026-01-0{d}-030000.zip" for d in range(1, 5)],
            2,
            ["kartoteka-2026-01-03-030000.zip", "kartoteka-2026-01-04-030000.zip"],
        ),
        (["notes.zip", "kartoteka-2026-01-01-030000.zip"], 0, ["notes.zip"]),  # only ours
    ],
)
def test_prune_keeps_the_newest_of_ours(
    tmp_path: Path, names: list[str], keep: int, left: list[str]
) -> None:
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    crm.backups.prune(tmp_path, keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(left)


async def test_a_backup_killed_mid_way_leaves_no_part_file_for_good(
    folder_app: App, clock: ManualClock, tmp_path: Path
) -> None:
    """A backup killed with SIGKILL leaves its hidden ``.part`` file: the next nightly backup
    removes it once it is an hour old, and leaves one another process is writing now."""
    app = folder_app
    owner = await english_owner(app)
    folder = tmp_path / "backups"
    folder.mkdir()
    killed = folder / ".kartoteka-2026-03-02-000000.zip.0123456789ab.part"
    writing = folder / ".kartoteka-2026-03-03-000000.zip.ba9876543210.part"
    theirs = folder / ".notes.part"
    for path in (killed, writing, theirs):
        path.write_bytes(b"PK half a backup")
    hours_ago = time.time() - 2 * 3600
    for path in (killed, theirs):
        os.utime(path, (hours_ago, hours_ago))
    await set_hour(owner, "03:00")
    clock.set(NIGHT)
    await app.ticker.tick()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([theirs.name, writing.name, "kartoteka-2026-03-03-000000.zip"])


def test_prune_removes_only_stale_parts_of_ours(tmp_path: Path) -> None:
    now = time.time()
    ages = {
        ".kartoteka-2026-01-01-030000.zip.aaaaaaaaaaaa.part": 3601,
        ".kartoteka-2026-01-02-030000.zip.bbbbbbbbbbbb.part": 3599,
        ".other.zip.cccccccccccc.part": 7200,
        "kartoteka-2026-01-02-030000.zip": 7200,
    }
    for name, age in ages.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (now - age, now - age))
    removed = crm.backups.prune(tmp_path, 1, now=now)
    assert [p.name for p in removed] == [".kartoteka-2026-01-01-030000.zip.aaaaaaaaaaaa.part"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(list(ages)[1:])


async def test_a_backup_dir_that_cannot_be_written_is_told_to_the_owner_once(
    app: App,
    owner_en: SimulatedUser,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """BACKUP_DIR under a regular file (or unwritable, or the disk full): the owner hears
    why, and the row is settled, not tried again every half hour for ever."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setattr(app.crm, "config", replace(app.crm.config, backup_dir=str(blocker / "b")))
    await set_hour(owner_en, "03:00")
    clock.set(NIGHT)
    for _ in range(3):
        await app.ticker.tick()
        clock.advance(timedelta(minutes=31))
    told = [m.text for m in owner_en.chat_messages() if "backup failed" in (m.text or "")]
    assert len(told) == 1, told
    assert "Tonight's backup failed: [Errno 20] Not a directory" in told[0]
    assert "BACKUP_DIR" in told[0]
    assert documents(owner_en) == []
