"""Backups: made while the bot runs, restored into fresh SQLite and PostgreSQL with the same
counts and cards; refused when damaged or onto data; older ones via migrations; transfer; CLI."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.cli import main
from crm.clients import ClientDraft
from crm.clock import ManualClock
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from storage.backup import MANIFEST, BackupError, backup, checksum
from storage.engine import create_engine
from storage.migrate import alembic_config, current_revision, upgrade
from storage.restore import restore, table_counts, transfer
from tests import databases
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, START, make_settings, unhurried

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


async def fill(app: App, clock: ManualClock) -> None:
    ivan = await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",), city="Тула")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, ivan.id, 15_000_000)
        await crm.tasks.create(owner, "Позвонить", clock.now() + timedelta(days=1), deal_id=deal.id)
        await crm.timeline.comment(owner, ivan.id, "привет")
        table = read_table(b"Name;Phone\nAnna;+79161112233\n", "a.csv")
        await crm.imports.run(owner, table, ["name", "phone"], "a.csv", Policy.SKIP)


async def cards(app_or_engine: App) -> list[tuple[str, list[str], list[str]]]:
    async with app_or_engine.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        found = await crm.client_queries.search(owner, "916")
        out = []
        for client in sorted(found, key=lambda c: c.id):
            card = await crm.client_queries.card(owner, client.id)
            out.append((client.name, card.contacts.phones, [e.kind for e in card.events]))
        return out


@pytest.fixture
async def fresh_postgres(postgres_blank_url: str | None) -> str | None:
    """A PostgreSQL database as a new one is (the one ``empty_engine`` blanks, so a test
    takes one or the other); None without TEST_POSTGRES_URL."""
    if postgres_blank_url is not None:
        await databases.blank_postgres(postgres_blank_url)
    return postgres_blank_url


async def restored_app(url: str, clock: ManualClock) -> App:
    from bot.app import build_app
    from bot.offline import OfflineSession

    return build_app(make_settings(url), session=OfflineSession(), clock=clock, limits=unhurried())


async def test_backup_restores_into_sqlite_and_postgres(
    app: App, clock: ManualClock, tmp_path: Path, fresh_postgres: str | None
) -> None:
    await fill(app, clock)
    archive = tmp_path / "backup.zip"
    manifest = await backup(app.engine, archive, START)
    assert manifest.revision == HEAD
    counts = manifest.counts()
    assert counts["clients"] == 2 and counts["events"] >= 4 and counts["import_items"] == 1
    assert "clients_fts" not in counts and "alembic_version" not in counts
    expected = await cards(app)
    assert [name for name, _p, _k in expected] == ["Иван Петров", "Anna"]

    targets = [f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"]
    if fresh_postgres:
        targets.append(fresh_postgres)
    for url in targets:
        engine = create_engine(url)
        await restore(engine, archive)
        assert await current_revision(engine) == HEAD
        assert await table_counts(engine) == counts
        with pytest.raises(BackupError) as refused:
            await restore(engine, archive)
        assert refused.value.code == "not_empty"
        await restore(engine, archive, replace=True)
        assert await table_counts(engine) == counts
        await engine.dispose()
        other = await restored_app(url, clock)
        try:
            assert await cards(other) == expected
            async with other.crm.open() as crm:  # new rows get fresh ids after the restore
                owner = await member(other, OWNER_ID)
                created = await make_client(other, OWNER_ID, "New one")
                assert created.id > counts["clients"]
                assert (await crm.client_queries.search(owner, "New one"))[0].id == created.id
        finally:
            await other.close()


async def test_damaged_and_foreign_archives_are_refused(app: App, tmp_path: Path) -> None:
    archive = tmp_path / "b.zip"
    await backup(app.engine, archive, START)
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(BackupError) as error:
            await restore(target, io.BytesIO(b"hello"))
        assert error.value.code == "not_a_backup"
        damaged = io.BytesIO()
        with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as copy:
            for item in source.infolist():
                data = source.read(item)
                copy.writestr(item, data + b"x" if item.filename == "tables/users.jsonl" else data)
        with pytest.raises(BackupError) as error:
            await restore(target, io.BytesIO(damaged.getvalue()))
        assert (error.value.code, error.value.detail) == ("bad_checksum", "users")
        assert await current_revision(target) is None  # nothing was written
    finally:
        await target.dispose()


def flipped(archive: bytes, entry: str, at: int) -> bytes:
    """``archive`` with 8 bytes of ``entry`` spoilt, ``at`` bytes into its local header (30
    bytes, then its name, then its compressed data): a copy damaged on its way."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        start = source.getinfo(entry).header_offset + at
    spoilt = bytes(b ^ 0x55 for b in archive[start : start + 8])
    return archive[:start] + spoilt + archive[start + 8 :]


def test_an_archive_damaged_on_its_way_is_refused_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'src.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    assert main(["backup", str(tmp_path / "b.zip")]) == 0
    good = (tmp_path / "b.zip").read_bytes()
    manifest = 30 + len(MANIFEST) + 20  # inside its compressed data
    for damaged, said in [
        (flipped(good, "tables/users.jsonl", 30), "Резервная копия повреждена: users"),
        (flipped(good, MANIFEST, manifest), "манифест отсутствует или повреждён"),
    ]:
        (tmp_path / "damaged.zip").write_bytes(damaged)
        capsys.readouterr()
        target = tmp_path / "dst.db"
        assert main(["restore", "damaged.zip", "--database", f"sqlite+aiosqlite:///{target}"]) == 1
        assert said in capsys.readouterr().err
        assert not target.exists() or target.stat().st_size == 0  # nothing was written
    (tmp_path / "cut.zip").write_bytes(good[: len(good) // 2])
    assert main(["restore", "cut.zip", "--database", "sqlite+aiosqlite:///dst.db"]) == 1
    assert "Резервная копия обрезана" in capsys.readouterr().err
    assert main(["restore", "missing.zip", "--database", "sqlite+aiosqlite:///dst.db"]) == 1
    assert "Файла missing.zip нет." in capsys.readouterr().err


async def test_an_older_backup_restores_through_the_migrations(tmp_path: Path) -> None:
    old = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await upgrade(old, "0008")
    async with old.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, full_name, role, active, language, timezone, created_at,"
                " morning_list) VALUES (1, 'Olga', 'owner', 1, 'ru', 'Europe/Moscow',"
                " '2026-01-01 00:00:00.000000', 1)"
            )
        )
    archive = tmp_path / "old.zip"
    manifest = await backup(old, archive, START)
    await old.dispose()
    assert manifest.revision == "0008" and "import_batches" not in manifest.tables
    new = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    await restore(new, archive)
    assert await current_revision(new) == HEAD
    counts = await table_counts(new)
    assert (counts["users"], counts["import_batches"]) == (1, 0)
    await new.dispose()


async def test_transfer_copies_and_checks_counts(
    app: App, clock: ManualClock, tmp_path: Path, fresh_postgres: str | None
) -> None:
    await fill(app, clock)
    target_url = fresh_postgres or f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"
    target: AsyncEngine = create_engine(target_url)
    try:
        counts = await transfer(app.engine, target, tmp_path / "t.zip", START)
        assert counts["clients"] == 2
        assert await table_counts(target) == counts
    finally:
        await target.dispose()


def test_cli_backup_restore_and_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path / 'src.db'}"
    monkeypatch.setenv("DATABASE_URL", source)
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    assert main(["backup", str(tmp_path / "b.zip")]) == 0
    said = capsys.readouterr().out
    assert "b.zip, строк: " in said  # in DEFAULT_LANGUAGE, Russian: a count, never "42 строк"
    target = f"sqlite+aiosqlite:///{tmp_path / 'dst.db'}"
    assert main(["restore", str(tmp_path / "b.zip"), "--database", target]) == 0
    assert ", строк: " in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "dst.db") as held:
        held.execute("INSERT INTO app_settings (key, value) VALUES ('x', '{}')")
    assert main(["restore", str(tmp_path / "b.zip"), "--database", target]) == 1
    assert "(строк: 1)" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.zip"), "--database", target]) == 1
    assert main(["transfer", "--to", target, "--replace"]) == 0
    said = capsys.readouterr()
    assert "missing.zip нет" in said.err
    assert "Скопировано строк: " in said.out


def test_cli_backup_removes_what_a_backup_killed_mid_way_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m bot backup FILE`` writes through a hidden ``.part`` file as the nightly
    backup does; one left by a backup killed mid-way (to FILE, or a nightly one) is removed
    once an hour old, and one being written now, or another file's, stays."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'src.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    killed = [".b[1].zip.0123456789ab.part", ".kartoteka-2026-03-02-000000.zip.aaaaaaaaaaaa.part"]
    left = [".b[1].zip.ba9876543210.part", ".other.zip.cccccccccccc.part", ".b1.zip.dd.part"]
    hours_ago = time.time() - 2 * 3600
    for name in [*killed, *left]:
        (folder / name).write_bytes(b"PK half a backup")
        if name != left[0]:  # that one is being written now
            os.utime(folder / name, (hours_ago, hours_ago))
    assert main(["backup", str(folder / "b[1].zip")]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted([*left, "b[1].zip"])


def with_a_row_twice(good: Path, broken: Path, table: str) -> None:
    """``good`` with the first row of ``table`` written twice, its checksums made to match:
    an archive that passes every check and fails half-way through the load."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as copy:
        manifest = json.loads(source.read(MANIFEST))
        for item in source.infolist():
            data = source.read(item)
            if item.filename == f"tables/{table}.jsonl":
                data += data.splitlines(keepends=True)[0]
                entry = manifest["tables"][table]
                entry.update(rows=entry["rows"] + 1, sha256=hashlib.sha256(data).hexdigest())
            if item.filename != MANIFEST:
                copy.writestr(item, data)
        manifest["checksum"] = checksum(manifest["tables"])
        copy.writestr(MANIFEST, json.dumps(manifest))


async def test_a_replace_that_fails_half_way_puts_back_what_the_database_held(
    app: App, clock: ManualClock, tmp_path: Path
) -> None:
    await fill(app, clock)
    good, broken = tmp_path / "good.zip", tmp_path / "broken.zip"
    await backup(app.engine, good, START)
    with_a_row_twice(good, broken, "clients")
    async with app.crm.open() as crm:  # the database restored into holds something else
        await crm.clients.create(await member(app, OWNER_ID), ClientDraft(name="Only here"))
    before = await table_counts(app.engine)
    with pytest.raises(BackupError) as failed:
        await restore(app.engine, broken, replace=True)
    assert failed.value.code == "load_failed"
    assert "UNIQUE" in failed.value.detail or "unique" in failed.value.detail
    assert await table_counts(app.engine) == before
    assert [name for name, _p, _k in await cards(app)] == ["Иван Петров", "Anna"]
    async with app.crm.open() as crm:
        found = await crm.client_queries.search(await member(app, OWNER_ID), "Only here")
        assert [client.name for client in found] == ["Only here"]
