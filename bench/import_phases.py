"""The phases of ``bench.imports``, each run in its own process on its own copy of the base:
import, the naive way, export, backup and restore (``bench.import_latency`` has the
bot's replies during an import)."""

from __future__ import annotations

import resource
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss would carry the parent's over a fork."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def _owner(crm: Any) -> Any:
    from sqlalchemy import select

    from storage.models import User

    session = crm.imports._session
    return await session.scalar(select(User).where(User.role == "owner").limit(1))


def _factory(url: str) -> Any:
    from crm.clock import SystemClock
    from crm.config import CrmConfig
    from crm.service import CrmFactory
    from storage.engine import create_engine, create_session_factory

    engine = create_engine(url)
    return engine, CrmFactory(create_session_factory(engine), SystemClock(), CrmConfig())


async def phase_import(db: Path, file: Path, data: bytes) -> dict[str, Any]:
    from crm.imports.mapping import propose
    from crm.imports.plan import Policy
    from crm.imports.reading import read_table

    engine, factory = _factory(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    table = read_table(data, file.name)
    read_s = time.perf_counter() - started
    async with factory.open() as crm:
        owner = await _owner(crm)
        outcome = await crm.imports.run(
            owner, table, propose(table.headers), file.name, Policy.SKIP
        )
    total = time.perf_counter() - started
    await engine.dispose()
    return {
        "import_s": round(total, 2),
        "import_read_s": round(read_s, 2),
        "import_rss_mb": peak_rss_mb(),
        **{f"import_{k}": v for k, v in outcome.counts().items()},
    }


async def phase_naive(db: Path, file: Path, data: bytes, limit: int | None) -> dict[str, Any]:
    """One ORM object and one flush per row: what an import without bulk statements does."""
    from crm.client_index import search_text
    from crm.imports.mapping import propose
    from crm.imports.plan import plan
    from crm.imports.reading import read_table
    from crm.parsing.search_text import fold
    from storage.models import Client, ClientEmail, ClientPhone, Event

    engine, factory = _factory(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    table = read_table(data, file.name)
    drafts = plan(table, propose(table.headers), "RU").drafts[:limit]
    async with factory.open() as crm:
        owner = await _owner(crm)
        session = crm.imports._session
        for draft in drafts:
            now = datetime.now(UTC)
            client = Client(
                name=draft.name,
                name_folded=fold(draft.name),
                company=draft.company,
                city=draft.city,
                address=draft.address,
                source=draft.source,
                status="new",
                manager_id=owner.id,
                created_by=owner.id,
                created_at=draft.came_at or now,
                last_activity_at=now,
                custom_fields={},
                search_text=search_text(
                    draft.name, draft.company, draft.city, draft.emails, draft.tags, draft.phones
                ),
            )
            session.add(client)
            await session.flush()
            session.add_all(
                ClientPhone(client_id=client.id, e164=p, digits=p[1:]) for p in draft.phones
            )
            session.add_all(ClientEmail(client_id=client.id, email=e) for e in draft.emails)
            session.add(
                Event(
                    occurred_at=now,
                    actor_id=owner.id,
                    kind="imported",
                    client_id=client.id,
                    data={},
                )
            )
            await session.flush()
        await session.commit()
    total = time.perf_counter() - started
    await engine.dispose()
    return {"naive_rows": len(drafts), "naive_s": round(total, 2), "naive_rss_mb": peak_rss_mb()}


async def phase_export(db: Path) -> dict[str, Any]:
    from crm.client_filter import ClientFilter
    from crm.exports.files import Format

    engine, factory = _factory(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    async with factory.open() as crm:
        file = await crm.exports.clients(await _owner(crm), ClientFilter(), Format.XLSX)
    total = time.perf_counter() - started
    await engine.dispose()
    return {
        "export_rows": file.rows,
        "export_s": round(total, 2),
        "export_mb": round(len(file.data) / 2**20, 1),
        "export_rss_mb": peak_rss_mb(),
    }


async def phase_backup(db: Path, archive: Path, size: Any) -> dict[str, Any]:
    from storage.backup import backup
    from storage.engine import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    manifest = await backup(engine, archive, datetime.now(UTC))
    total = time.perf_counter() - started
    await engine.dispose()
    return {
        "backup_s": round(total, 2),
        "backup_rows": sum(manifest.counts().values()),
        "backup_mb": round(size(archive) / 2**20, 1),
        "backup_rss_mb": peak_rss_mb(),
    }


async def phase_restore(target: Path, archive: Path) -> dict[str, Any]:
    from storage.engine import create_engine
    from storage.restore import restore, table_counts

    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    started = time.perf_counter()
    manifest = await restore(engine, archive)
    total = time.perf_counter() - started
    same = await table_counts(engine) == manifest.counts()
    await engine.dispose()
    return {
        "restore_s": round(total, 2),
        "restore_counts_match": same,
        "restore_rss_mb": peak_rss_mb(),
    }
