"""Bot-wide settings the owner changes in /settings: client statuses, who sees what."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.errors import ErrorCode, InvalidInput, NotAllowed
from crm.parsing.search_text import one_line
from storage.engine import write_transaction
from storage.models import AppSetting, Role, User

DEFAULT_STATUSES = ("new", "cold", "warm", "hot", "vip", "regular")
MAX_STATUS_NAME = 32
MAX_STATUSES = 20
STATUSES_KEY = "client_statuses"
SEE_ALL_KEY = "managers_see_all"
DIGEST_TIME_KEY = "digest_time"
BACKUP_KEY = "nightly_backup"
INBOX_KEY = "business_inbox"  # the owner's switch for the Telegram Business inbox
DAY_PARTS_KEY = "day_parts"
CACHED_KEYS = (STATUSES_KEY, SEE_ALL_KEY, DIGEST_TIME_KEY, BACKUP_KEY, INBOX_KEY, DAY_PARTS_KEY)
# What "утром", "днём", "вечером" mean (crm.parsing.when reads them), in this order.
PartName = Literal["morning", "afternoon", "evening"]
DAY_PART_NAMES: tuple[PartName, ...] = ("morning", "afternoon", "evening")
DEFAULT_DAY_PARTS: dict[PartName, tuple[int, int]] = {
    "morning": (9, 0),
    "afternoon": (13, 0),
    "evening": (18, 0),
}


@dataclass(frozen=True)
class Status:
    code: str
    name: str | None  # None: a built-in status shown by its translated name


class SettingsCache:
    """The team's settings, read once and kept in this process.

    One instance per process (``CrmFactory`` holds it), shared by every update.
    A change made through this process drops it once committed, so the next
    read sees the change. With several instances (PostgreSQL), a change made by
    another one reaches this one when the copy is older than ``max_age``: no
    copy is used longer than that (a few seconds), which costs one small read
    per ``max_age`` instead of one per use, and no extra service. Absent
    settings (the defaults) are remembered as absent too.
    """

    def __init__(
        self, max_age: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_age = max_age
        self._monotonic = monotonic
        self._values: dict[str, dict[str, Any]] = {}
        self._loaded_at: float | None = None
        self._generation = 0  # bumped by every drop: a read under way then is not kept

    async def get(self, session: AsyncSession, key: str) -> dict[str, Any] | None:
        if key not in CACHED_KEYS:
            raise KeyError(key)
        now = self._monotonic()
        if self._loaded_at is None or now - self._loaded_at > self._max_age:
            generation = self._generation
            rows = await session.execute(
                select(AppSetting.key, AppSetting.value).where(AppSetting.key.in_(CACHED_KEYS))
            )
            values = {str(k): dict(v) for k, v in rows.all()}
            if generation != self._generation:  # changed meanwhile: use, do not keep
                return values.get(key)
            self._values, self._loaded_at = values, now
        return self._values.get(key)

    def drop(self) -> None:
        self._loaded_at = None
        self._generation += 1


class TeamSettings:
    def __init__(self, session: AsyncSession, cache: SettingsCache | None = None) -> None:
        self._session = session
        self._cache = cache if cache is not None else SettingsCache(max_age=0)

    async def value(self, key: str) -> dict[str, Any] | None:
        """A setting's stored value (None: never set), from the process's copy."""
        return await self._cache.get(self._session, key)

    @asynccontextmanager
    async def changing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction that changes settings; the process's copy is dropped
        once it is committed (and if it fails, in case it got as far as the commit)."""
        self._cache.drop()  # what it reads, it reads afresh
        try:
            async with write_transaction(self._session) as session:
                yield session
        finally:
            self._cache.drop()

    async def managers_see_all(self) -> bool:
        setting = await self.value(SEE_ALL_KEY)
        return bool(setting and setting.get("on"))

    async def set_managers_see_all(self, actor: User, on: bool) -> None:
        self._require_owner(actor)
        async with self.changing():
            await self._session.merge(AppSetting(key=SEE_ALL_KEY, value={"on": on}))

    async def day_parts(self) -> dict[PartName, tuple[int, int]]:
        """The team's hours for the parts of the day (the defaults where never set)."""
        setting = await self.value(DAY_PARTS_KEY) or {}
        parts = dict(DEFAULT_DAY_PARTS)
        for name in DAY_PART_NAMES:
            stored = setting.get(name)
            if isinstance(stored, list) and len(stored) == 2:
                parts[name] = (int(stored[0]), int(stored[1]))
        return parts

    async def set_day_part(self, actor: User, name: str, hour: int, minute: int) -> None:
        """Set one part of the day; the three stay in their order, morning first."""
        self._require_owner(actor)
        if name not in DAY_PART_NAMES or not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise InvalidInput(ErrorCode.BAD_DAY_PART)
        async with self.changing():
            parts = await self.day_parts()
            parts[name] = (hour, minute)
            ordered = [parts[part] for part in DAY_PART_NAMES]
            if ordered != sorted(set(ordered)):
                raise InvalidInput(ErrorCode.DAY_PARTS_ORDER)
            value = {part: list(parts[part]) for part in DAY_PART_NAMES}
            await self._session.merge(AppSetting(key=DAY_PARTS_KEY, value=value))

    async def statuses(self) -> list[Status]:
        setting = await self.value(STATUSES_KEY)
        if setting is None:
            return [Status(code, None) for code in DEFAULT_STATUSES]
        return [Status(str(item["code"]), item.get("name")) for item in setting["items"]]

    async def status(self, code: str) -> Status | None:
        return next((status for status in await self.statuses() if status.code == code), None)

    async def rename_status(self, actor: User, code: str, name: str) -> Status:
        self._require_owner(actor)
        name = _status_name(name)
        async with self.changing():
            statuses = await self.statuses()
            if not any(status.code == code for status in statuses):
                raise InvalidInput(ErrorCode.NO_SUCH_STATUS)
            _check_unique(name, [s for s in statuses if s.code != code])
            updated = [Status(s.code, name if s.code == code else s.name) for s in statuses]
            await self._save(updated)
        return Status(code, name)

    async def add_status(self, actor: User, name: str) -> Status:
        self._require_owner(actor)
        name = _status_name(name)
        async with self.changing():
            statuses = await self.statuses()
            if len(statuses) >= MAX_STATUSES:
                raise InvalidInput(ErrorCode.TOO_MANY_STATUSES, limit=MAX_STATUSES)
            _check_unique(name, statuses)
            used = {status.code for status in statuses}
            number = 1
            while f"s{number}" in used:
                number += 1
            status = Status(f"s{number}", name)
            await self._save([*statuses, status])
        return status

    async def _save(self, statuses: list[Status]) -> None:
        items = [{"code": s.code, "name": s.name} for s in statuses]
        await self._session.merge(AppSetting(key=STATUSES_KEY, value={"items": items}))

    @staticmethod
    def _require_owner(actor: User) -> None:
        if not can_change_settings(actor):
            raise NotAllowed()


def can_change_settings(actor: User) -> bool:
    """Only an active owner changes what the whole team sees (statuses, visibility)."""
    return is_staff(actor) and actor.role == Role.OWNER


def _status_name(name: str) -> str:
    name = one_line(name)
    if not name or len(name) > MAX_STATUS_NAME:
        raise InvalidInput(ErrorCode.BAD_STATUS_NAME, limit=MAX_STATUS_NAME)
    return name


def _check_unique(name: str, others: list[Status]) -> None:
    """Two statuses of one name would be two identical buttons in every list and filter."""
    if any(s.name is not None and s.name.casefold() == name.casefold() for s in others):
        raise InvalidInput(ErrorCode.STATUS_NAME_TAKEN, name=name)
