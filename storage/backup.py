"""Portable backups: one zip with a manifest and the rows of every table as JSON lines.

The manifest holds the schema revision, each table's row count, SHA-256,
columns (name and kind: how its values are written, binary ones as base64) and
id counter (``storage.id_counters``), and one checksum over them all. Tables are
read from the database itself (reflection), not from the models, so every table
is included; search index tables are left out (the triggers and migrations
rebuild them). The snapshot is consistent: one read transaction (REPEATABLE READ
on PostgreSQL), while the bot keeps working. A file is written under a temporary
name beside it and renamed once complete: a backup that fails leaves no
half-written file. Restoring is in ``storage.restore``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Time,
    cast,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.id_counters import read_counters
from storage.migrate import current_revision

# 2: binary columns are written as base64 (kind "base64"); a version that reads only 1
# refuses such a backup rather than load base64 text as a .docx template.
FORMAT = 2
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
SKIPPED_PREFIXES = ("sqlite_", "clients_fts", "clients_name_fts", "alembic_version")
BATCH = 5000


class BackupError(Exception):
    """A backup that cannot be made or read; ``code`` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Manifest:
    revision: str
    created_at: str
    # name → rows, sha256, columns ([name, kind], …) and counter (the last id it gave) if any
    tables: dict[str, dict[str, Any]]
    checksum: str

    def counts(self) -> dict[str, int]:
        return {name: int(info["rows"]) for name, info in self.tables.items()}

    def counters(self) -> dict[str, int]:
        """The last id each table gave, where the backup has it (older ones do not)."""
        return {n: int(info["counter"]) for n, info in self.tables.items() if "counter" in info}


def column_kind(column_type: Any) -> str:
    if isinstance(column_type, LargeBinary):
        return "base64"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Time):
        return "time"
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, Boolean):
        return "bool"
    return "plain"


def _selected(column: Any) -> Any:
    """Typed values are read as the database's own text: no parsing on the way out."""
    if column_kind(column.type) in ("datetime", "date", "time", "json"):
        return cast(column, Text).label(column.name)
    return column


def data_tables(connection: Connection) -> list[Table]:
    """Every table of the database except the search index and Alembic's own, by name."""
    metadata = MetaData()
    metadata.reflect(connection, only=lambda name, _meta: not name.startswith(SKIPPED_PREFIXES))
    return [table for _name, table in sorted(metadata.tables.items())]


def checksum(tables: dict[str, dict[str, Any]]) -> str:
    """Over each table's count and SHA-256, and its id counter where it has one."""
    digest = hashlib.sha256()
    for name in sorted(tables):
        info = tables[name]
        counter = f":{info['counter']}" if "counter" in info else ""
        digest.update(f"{name}:{info['rows']}:{info['sha256']}{counter}\n".encode())
    return digest.hexdigest()


async def backup(engine: AsyncEngine, target: Path | IO[bytes], now: datetime) -> Manifest:
    """Write the whole base to ``target`` (a path or a binary file object).

    A path is written under a temporary name in its folder and renamed once complete:
    when the backup fails, no half-written file is left and a file there stays as it was.
    """
    if not isinstance(target, Path):
        return await _write(engine, target, now)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        manifest = await _write(engine, partial, now)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


async def _write(engine: AsyncEngine, target: Path | IO[bytes], now: datetime) -> Manifest:
    revision = await current_revision(engine)
    if revision is None:
        raise BackupError("not_migrated")
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    tables: dict[str, dict[str, Any]] = {}
    async with engine.connect() as conn:
        conn = await conn.execution_options(**options)
        async with conn.begin():
            reflected = await conn.run_sync(data_tables)
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for table in reflected:
                    tables[table.name] = await _dump(conn, table, archive)
                for name, counter in (await read_counters(conn, reflected)).items():
                    tables[name]["counter"] = counter
                manifest = Manifest(revision, now.isoformat(), tables, checksum(tables))
                archive.writestr(
                    MANIFEST,
                    json.dumps(
                        {"format": FORMAT, "app": "kartoteka", **manifest.__dict__},
                        ensure_ascii=False,
                        indent=1,
                    ),
                )
    return manifest


async def _dump(conn: AsyncConnection, table: Table, archive: zipfile.ZipFile) -> dict[str, Any]:
    """Each row as a JSON array in the order of ``columns``."""
    order = list(table.primary_key.columns) or list(table.columns)
    digest = hashlib.sha256()
    rows = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    binary = [i for i, c in enumerate(table.columns) if column_kind(c.type) == "base64"]
    query = select(*(_selected(c) for c in table.columns)).order_by(*order)
    with archive.open(f"tables/{table.name}.jsonl", "w") as entry:
        result = await conn.stream(query.execution_options(yield_per=BATCH))
        async for part in result.partitions(BATCH):
            values = [_encoded(list(row), binary) for row in part] if binary else part
            chunk = "".join(dumps(list(row)) + "\n" for row in values).encode("utf-8")
            digest.update(chunk)
            entry.write(chunk)
            rows += len(part)
    columns = [[c.name, column_kind(c.type)] for c in table.columns]
    return {"rows": rows, "sha256": digest.hexdigest(), "columns": columns}


def _encoded(row: list[Any], binary: list[int]) -> list[Any]:
    for i in binary:
        if row[i] is not None:
            row[i] = base64.b64encode(bytes(row[i])).decode("ascii")
    return row


# What reading an entry of a damaged archive raises (a header, the compressed data or
# the CRC not matching): refused like a checksum that does not match, not a traceback.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    """The manifest, after checking every table file against its count and SHA-256."""
    try:
        raw = json.loads(archive.read(MANIFEST))
        manifest = Manifest(raw["revision"], raw["created_at"], raw["tables"], raw["checksum"])
    except (KeyError, ValueError, TypeError, *_DAMAGED) as exc:
        raise BackupError("bad_manifest", str(exc)) from exc
    if raw.get("app") != "kartoteka" or not isinstance(raw.get("format"), int):
        raise BackupError("bad_manifest", "not a Kartoteka backup")
    if raw["format"] not in READABLE_FORMATS:
        raise BackupError("newer_backup", f"format {raw['format']}")
    if checksum(manifest.tables) != manifest.checksum:
        raise BackupError("bad_checksum", MANIFEST)
    for name, info in manifest.tables.items():
        digest = hashlib.sha256()
        rows = 0
        try:
            with archive.open(f"tables/{name}.jsonl") as entry:
                for block in iter(lambda: entry.read(1 << 20), b""):
                    digest.update(block)
                    rows += block.count(b"\n")
        except KeyError as exc:
            raise BackupError("missing_table", name) from exc
        except _DAMAGED as exc:
            raise BackupError("bad_checksum", name) from exc
        if digest.hexdigest() != info["sha256"] or (info["rows"] and rows != info["rows"]):
            raise BackupError("bad_checksum", name)
    return manifest


def open_archive(source: Path | IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        if _starts_as_zip(source):  # a zip whose end (its directory) is missing
            raise BackupError("cut_short", str(exc)) from exc
        raise BackupError("not_a_backup", str(exc)) from exc


def _starts_as_zip(source: Path | IO[bytes]) -> bool:
    try:
        if isinstance(source, Path):
            with source.open("rb") as file:
                return file.read(4) == b"PK\x03\x04"
        source.seek(0)
        return source.read(4) == b"PK\x03\x04"
    except OSError:
        return False
