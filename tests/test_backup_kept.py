"""What a backup keeps beyond plain rows: a .docx template's bytes (through /backup, the nightly
backup and the CLI, into SQLite and PostgreSQL), each table's id counter (a deleted card's id is
not given again after a restore, nor after a transfer there and back), and what it never leaves
behind: a half-written file. Older backups, without either, restore as before."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.backup
from bot.app import App, build_app
from bot.cli import main
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.backup import MANIFEST, BackupError, backup, checksum
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Template
from storage.restore import restore, transfer
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, START, app_with, make_settings
from tests.test_backup import fresh_postgres
from tests.test_backup_nightly import NIGHT, documents, folder_app, set_hour
from tests.test_templates_core import word_file

__all__ = ["folder_app", "fresh_postgres"]  # fixtures shared with those tests

OFFER = word_file(["Offer for {client.name}"], ["Total {deal.amount}"])


async def documents_of(engine: AsyncEngine) -> dict[str, bytes | None]:
    async with create_session_factory(engine)() as db:
        return {t.name: t.document for t in await db.scalars(select(Template))}


async def upload_offer(owner: SimulatedUser) -> None:
    """The owner adds a .docx template in /settings → Templates, as a member does."""
    await owner.send("/settings")
    await owner.press("Templates")
    await owner.press("Document (.docx)")
    [saved] = await owner.send_document("Kitchen offer.docx", data=OFFER)
    assert "Saved: «Kitchen offer»." in saved.text


async def test_backup_of_a_docx_template_restores_it_byte_for_byte(
    app: App, owner_en: SimulatedUser, empty_engine: AsyncEngine
) -> None:
    await upload_offer(owner_en)
    kept = await documents_of(app.engine)
    assert kept["Kitchen offer"]  # the .docx itself, as the bot keeps it

    [sent] = await owner_en.send("/backup")
    assert sent.data is not None and (sent.file or "").endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(sent.data)) as archive:
        columns = dict(json.loads(archive.read(MANIFEST))["tables"]["templates"]["columns"])
    assert columns["document"] == "base64"

    await restore(empty_engine, io.BytesIO(sent.data))
    assert await documents_of(empty_engine) == kept
    # Restored again over it: what the database holds (a .docx) is first backed up aside.
    await restore(empty_engine, io.BytesIO(sent.data), replace=True)
    assert await documents_of(empty_engine) == kept


async def test_the_nightly_backup_keeps_a_docx_template(
    app: App, owner_en: SimulatedUser, clock: ManualClock, tmp_path: Path
) -> None:
    await upload_offer(owner_en)
    await set_hour(owner_en, "03:00")
    clock.set(NIGHT)
    await app.ticker.tick()
    [archive] = documents(owner_en)
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
    try:
        await restore(target, io.BytesIO(archive))
        assert await documents_of(target) == await documents_of(app.engine)
    finally:
        await target.dispose()


async def test_a_nightly_backup_into_the_folder_keeps_a_docx_and_leaves_nothing_half_made(
    folder_app: App, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = folder_app
    owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, first_name="Olga", language_code="en")
    await owner.send("/start")
    async with app.crm.open() as crm:
        await crm.members.set_language(await member(app, OWNER_ID), "en")
        await crm.templates.add_docx(await member(app, OWNER_ID), "Offer doc", OFFER)
    folder = tmp_path / "backups"
    clock.set(NIGHT)
    async with app.crm.open() as crm:
        made = await crm.backups.nightly(await member(app, OWNER_ID))
    assert made.path is not None and sorted(folder.iterdir()) == [made.path]
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
    try:
        await restore(target, made.path)
        assert await documents_of(target) == await documents_of(app.engine)
    finally:
        await target.dispose()

    def broken(_tables: object) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(storage.backup, "checksum", broken)  # fails once every table is in
    clock.set(datetime(2026, 3, 4, 0, 0, tzinfo=UTC))
    async with app.crm.open() as crm:
        with pytest.raises(OSError, match="No space left"):
            await crm.backups.nightly(await member(app, OWNER_ID))
    assert sorted(folder.iterdir()) == [made.path]  # no half-made file beside it


def test_the_cli_backs_up_a_docx_template_and_never_leaves_a_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path / 'src.db'}"
    target = f"sqlite+aiosqlite:///{tmp_path / 'dst.db'}"
    monkeypatch.setenv("DATABASE_URL", source)
    monkeypatch.chdir(tmp_path)

    async def add_template() -> dict[str, bytes | None]:
        async with app_with(source, ManualClock(START)) as app:
            async with app.crm.open() as crm:
                await crm.templates.add_docx(await member(app, OWNER_ID), "Offer doc", OFFER)
            return await documents_of(app.engine)

    async def restored() -> dict[str, bytes | None]:
        engine = create_engine(target)
        try:
            return await documents_of(engine)
        finally:
            await engine.dispose()

    kept = asyncio.run(add_template())
    folder = tmp_path / "out"
    folder.mkdir()
    written = folder / "b.zip"
    assert main(["backup", str(written)]) == 0
    assert sorted(folder.iterdir()) == [written]
    assert main(["restore", str(written), "--database", target]) == 0
    assert asyncio.run(restored()) == kept

    def broken(_tables: object) -> str:
        raise OSError("No space left on device")

    good = written.read_bytes()
    monkeypatch.setattr(storage.backup, "checksum", broken)  # fails once every table is in
    with pytest.raises(OSError, match="No space left"):
        main(["backup", str(written)])
    with pytest.raises(OSError, match="No space left"):
        main(["backup", str(folder / "new.zip")])
    assert sorted(folder.iterdir()) == [written]  # nothing half-written beside it
    assert written.read_bytes() == good  # and the older backup there is untouched


def with_manifest(good: bytes, change: Callable[[dict[str, Any]], object]) -> bytes:
    """``good`` with its manifest changed by ``change`` (and its checksum made to match)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as copy:
        manifest = json.loads(source.read(MANIFEST))
        for item in source.infolist():
            if item.filename != MANIFEST:
                copy.writestr(item, source.read(item))
        change(manifest)
        manifest["checksum"] = checksum(manifest["tables"])
        copy.writestr(MANIFEST, json.dumps(manifest))
    return out.getvalue()


def as_format_one(manifest: dict[str, Any]) -> None:
    """What an older version wrote: format 1, a binary column as "plain", no id counters."""
    manifest["format"] = 1
    for info in manifest["tables"].values():
        info.pop("counter", None)
        info["columns"] = [[c, "plain" if k == "base64" else k] for c, k in info["columns"]]


async def test_an_older_backup_without_binary_columns_or_counters_restores(
    app: App, empty_engine: AsyncEngine
) -> None:
    async with app.crm.open() as crm:
        await crm.templates.add_text(await member(app, OWNER_ID), "Hello", "Hi {client.name}")
    kept = await make_client(app, OWNER_ID, "Kept")
    buffer = io.BytesIO()
    await backup(app.engine, buffer, START)
    old = with_manifest(buffer.getvalue(), as_format_one)
    await restore(empty_engine, io.BytesIO(old))
    assert await documents_of(empty_engine) == {"Hello": None}
    url = empty_engine.url.render_as_string(hide_password=False)
    await empty_engine.dispose()
    assert await new_client_id(url) > kept.id


async def test_a_backup_of_a_newer_format_is_refused_as_newer(app: App, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    await backup(app.engine, buffer, START)
    newer = with_manifest(buffer.getvalue(), lambda manifest: manifest.update(format=3))
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(BackupError) as refused:
            await restore(target, io.BytesIO(newer))
        assert (refused.value.code, refused.value.detail) == ("newer_backup", "format 3")
    finally:
        await target.dispose()


async def newest_deleted(app: App) -> int:
    """Two clients, the newer one deleted; returns its id."""
    await make_client(app, OWNER_ID, "Kept")
    gone = await make_client(app, OWNER_ID, "Deleted")
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await member(app, OWNER_ID), gone.id)
    return gone.id


async def new_client_id(url: str) -> int:
    restored = build_app(make_settings(url), session=OfflineSession())
    try:
        return (await make_client(restored, OWNER_ID, "New one")).id
    finally:
        await restored.close()


async def test_after_a_restore_a_new_card_does_not_take_a_deleted_ones_id(
    app: App, empty_engine: AsyncEngine
) -> None:
    deleted = await newest_deleted(app)
    buffer = io.BytesIO()
    manifest = await backup(app.engine, buffer, START)
    assert manifest.tables["clients"]["counter"] == deleted
    await restore(empty_engine, io.BytesIO(buffer.getvalue()))
    url = empty_engine.url.render_as_string(hide_password=False)
    await empty_engine.dispose()
    assert await new_client_id(url) > deleted


async def test_after_a_restore_a_new_event_does_not_take_an_undone_ones_id(
    app: App, empty_engine: AsyncEngine
) -> None:
    """The event log's counter too (migration 0029): the newest note, taken back before
    the backup, leaves its id used."""
    client = await make_client(app, OWNER_ID, "Kept")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        undone = await crm.timeline.comment(me, client.id, "Taken back")
        await crm.timeline.undo_comment(me, undone.id)
    buffer = io.BytesIO()
    manifest = await backup(app.engine, buffer, START)
    assert manifest.tables["events"]["counter"] == undone.id
    await restore(empty_engine, io.BytesIO(buffer.getvalue()))
    url = empty_engine.url.render_as_string(hide_password=False)
    await empty_engine.dispose()
    restored = build_app(make_settings(url), session=OfflineSession())
    try:
        async with restored.crm.open() as crm:
            me = await member(restored, OWNER_ID)
            assert (await crm.timeline.comment(me, client.id, "New")).id > undone.id
    finally:
        await restored.close()


async def test_a_transfer_there_and_back_keeps_the_id_counters(
    app: App, backend: str, tmp_path: Path, fresh_postgres: str | None
) -> None:
    """SQLite into PostgreSQL and back into SQLite (or the other way round)."""
    if fresh_postgres is None:
        pytest.skip("TEST_POSTGRES_URL is not set")
    deleted = await newest_deleted(app)
    sqlite = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    there, back = (fresh_postgres, sqlite) if backend == "sqlite" else (sqlite, fresh_postgres)
    middle = create_engine(there)
    try:
        await transfer(app.engine, middle, tmp_path / "there.zip", START)
        end = create_engine(back)
        try:
            await transfer(middle, end, tmp_path / "back.zip", START)
        finally:
            await end.dispose()
    finally:
        await middle.dispose()
    assert await new_client_id(back) > deleted


async def test_counters_of_a_backup_from_before_0026_outlast_the_migrations(
    tmp_path: Path, fresh_postgres: str | None
) -> None:
    """A PostgreSQL base at 0025 gave clients up to 7 (all deleted since); restored into
    SQLite, where 0026 makes the counters from what is left, they are 7 still."""
    if fresh_postgres is None:
        pytest.skip("TEST_POSTGRES_URL is not set")
    old = create_engine(fresh_postgres)
    try:
        await upgrade(old, "0025")
        async with old.begin() as conn:
            await conn.execute(text("SELECT setval(pg_get_serial_sequence('clients', 'id'), 7)"))
        buffer = io.BytesIO()
        manifest = await backup(old, buffer, START)
    finally:
        await old.dispose()
    assert (manifest.revision, manifest.counters()["clients"]) == ("0025", 7)
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        await restore(target, io.BytesIO(buffer.getvalue()))
        async with target.connect() as conn:
            seq = "SELECT seq FROM sqlite_sequence WHERE name = 'clients'"
            assert await conn.scalar(text(seq)) == 7
    finally:
        await target.dispose()
