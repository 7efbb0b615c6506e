"""``python -m bot backup FILE``, ``restore FILE [--database URL] [--replace]`` and
``transfer --to URL [--replace]``: the base out to one archive, back in, or up to PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import glob
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from crm.backups import prune_parts
from storage.backup import BackupError, backup
from storage.engine import create_engine
from storage.restore import restore, table_counts, transfer

COMMANDS = ("backup", "restore", "transfer")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    made = commands.add_parser("backup", help="write the whole base to one archive file")
    made.add_argument("file", help="the archive to write, e.g. kartoteka-backup.zip")
    back = commands.add_parser("restore", help="restore a backup archive into a database")
    back.add_argument("file", help="the archive made by backup")
    back.add_argument("--database", help="the database to restore into (default: DATABASE_URL)")
    back.add_argument("--replace", action="store_true", help="replace a database that has data")
    move = commands.add_parser("transfer", help="copy the base into another database")
    move.add_argument("--to", required=True, help="e.g. postgresql+asyncpg://user:pw@host/db")
    move.add_argument("--replace", action="store_true", help="replace a database that has data")


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.command == "backup":
            return asyncio.run(_backup(settings.database_url, Path(args.file)))
        if args.command == "restore":
            url = args.database or settings.database_url
            if not Path(args.file).is_file():
                raise BackupError("no_file", args.file)
            return asyncio.run(_restore(url, Path(args.file), args.replace))
        return asyncio.run(_transfer(settings.database_url, args.to, args.replace))
    except BackupError as error:
        print(explain(error), file=sys.stderr)
        return 1


def explain(error: BackupError) -> str:
    texts = {
        "not_a_backup": _("This file is not a Kartoteka backup (not a zip archive)."),
        "no_file": _("There is no file {detail}."),
        "cut_short": _(
            "The backup is cut short: its end is missing (it was not copied or downloaded "
            "whole). Nothing was restored."
        ),
        "bad_manifest": _(
            "This archive is not a Kartoteka backup: its manifest is missing or damaged."
        ),
        "bad_checksum": _(
            "The backup is damaged: {detail} does not match its checksum. Nothing was restored."
        ),
        "missing_table": _(
            "The backup or the database lacks the table {detail}. Nothing was restored."
        ),
        "newer_backup": _(
            "The backup was made by a newer Kartoteka (schema {detail}). Update Kartoteka first."
        ),
        "not_empty": _(
            "The database already holds data ({detail} rows). Add --replace to overwrite "
            "it, or restore into an empty database."
        ),
        "not_migrated": _("The database has no Kartoteka tables yet: there is nothing to back up."),
        "counts_differ": _("The copy does not match the original: {detail}."),
        "load_failed": _(
            "The backup could not be loaded ({detail}). The database holds what it held before."
        ),
    }
    return texts.get(error.code, error.code).format(detail=error.detail)


async def _backup(url: str, path: Path) -> int:
    # What a backup killed mid-way (here, or the nightly one) left in the folder: its room.
    prune_parts(path.parent)
    prune_parts(path.parent, name=glob.escape(path.name))
    engine = create_engine(url)
    try:
        manifest = await backup(engine, path, datetime.now(UTC))
    finally:
        await engine.dispose()
    rows = sum(manifest.counts().values())
    print(
        _("Backup written to {path}: {rows} rows, schema {revision}.").format(
            path=path, rows=rows, revision=manifest.revision
        )
    )
    return 0


async def _restore(url: str, path: Path, replace: bool) -> int:
    engine = create_engine(url)
    try:
        manifest = await restore(engine, path, replace=replace)
        counts = await table_counts(engine)
    finally:
        await engine.dispose()
    print(
        _(
            "Restored {rows} rows from {path} (schema {revision}); the database is up to date."
        ).format(
            rows=sum(counts.get(name, 0) for name in manifest.tables),
            path=path,
            revision=manifest.revision,
        )
    )
    return 0


async def _transfer(source_url: str, target_url: str, replace: bool) -> int:
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with tempfile.TemporaryDirectory() as folder:
            counts = await transfer(
                source, target, Path(folder) / "transfer.zip", datetime.now(UTC), replace
            )
    finally:
        await source.dispose()
        await target.dispose()
    print(
        _(
            "Copied {rows} rows in {tables} tables; the counts match. Set DATABASE_URL to "
            "the new database and restart the bot."
        ).format(rows=sum(counts.values()), tables=len(counts))
    )
    return 0
