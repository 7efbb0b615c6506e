"""Bot-wide settings the owner changes in /settings: client statuses, who sees what."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.errors import InvalidInput, NotAllowed
from storage.engine import write_transaction
from storage.models import AppSetting, Role, User

DEFAULT_STATUSES = ("new", "cold", "warm", "hot", "vip", "regular")
MAX_STATUS_NAME = 32
MAX_STATUSES = 20
STATUSES_KEY = "client_statuses"
SEE_ALL_KEY = "managers_see_all"


@dataclass(frozen=True)
class Status:
    code: str
    name: str | None  # None: a built-in status shown by its translated name


class TeamSettings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def managers_see_all(self) -> bool:
        setting = await self._session.get(AppSetting, SEE_ALL_KEY)
        return bool(setting and setting.value.get("on"))

    async def set_managers_see_all(self, actor: User, on: bool) -> None:
        self._require_owner(actor)
        async with write_transaction(self._session):
            await self._session.merge(AppSetting(key=SEE_ALL_KEY, value={"on": on}))

    async def statuses(self) -> list[Status]:
        setting = await self._session.get(AppSetting, STATUSES_KEY)
        if setting is None:
            return [Status(code, None) for code in DEFAULT_STATUSES]
        return [Status(str(item["code"]), item.get("name")) for item in setting.value["items"]]

    async def status(self, code: str) -> Status | None:
        return next((status for status in await self.statuses() if status.code == code), None)

    async def rename_status(self, actor: User, code: str, name: str) -> Status:
        self._require_owner(actor)
        name = _status_name(name)
        async with write_transaction(self._session):
            statuses = await self.statuses()
            if not any(status.code == code for status in statuses):
                raise InvalidInput("no_such_status")
            updated = [Status(s.code, name if s.code == code else s.name) for s in statuses]
            await self._save(updated)
        return Status(code, name)

    async def add_status(self, actor: User, name: str) -> Status:
        self._require_owner(actor)
        name = _status_name(name)
        async with write_transaction(self._session):
            statuses = await self.statuses()
            if len(statuses) >= MAX_STATUSES:
                raise InvalidInput("too_many_statuses", limit=MAX_STATUSES)
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
    name = " ".join(name.split())
    if not name or len(name) > MAX_STATUS_NAME:
        raise InvalidInput("bad_status_name", limit=MAX_STATUS_NAME)
    return name
