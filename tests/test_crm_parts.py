"""``Crm``'s use cases (crm.service.Part): built when first used, once per ``Crm``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.service import Crm, Part
from crm.team_settings import TeamSettings
from storage.engine import create_engine, create_session_factory

PLAIN = {"clock", "config", "pace"} | {
    f"_{name}"
    for name in (
        "session",
        "defs",
        "settings_cache",
        "clock_read",
        "member_cache",
        "removals",
        "issued_tokens",
    )
}
PARTS = sorted(name for name, value in vars(Crm).items() if isinstance(value, Part))


def _crm(session: AsyncSession) -> Crm:
    return Crm(session, ManualClock(datetime(2026, 12, 3, tzinfo=UTC)), CrmConfig())


async def test_every_part_builds_once_and_only_when_used(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'parts.db'}")
    try:
        async with create_session_factory(engine)() as session:
            crm = _crm(session)
            assert set(vars(crm)) == PLAIN  # no use case built yet
            settings = crm.settings
            assert isinstance(settings, TeamSettings) and crm.settings is settings
            assert set(PARTS) & set(vars(crm)) == {"settings"}
            clients = crm.clients  # built on the same settings
            assert clients is crm.clients
            built = {name: getattr(crm, name) for name in PARTS}
            assert all(getattr(crm, name) is part for name, part in built.items())
            assert len({id(part) for part in built.values()}) == len(PARTS)
            other = _crm(session)  # another Crm: parts of its own
            assert other.clients is not clients and other.settings is not settings
    finally:
        await engine.dispose()


def test_the_crm_has_its_use_cases_as_parts() -> None:
    assert {"clients", "client_queries", "deals", "tasks", "members", "settings"} <= set(PARTS)
    assert isinstance(Crm.clients, Part)  # looked up on the class: the part itself
