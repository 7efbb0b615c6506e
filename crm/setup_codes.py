"""The first owner: with no owner yet, a one-time setup code, logged at start, makes its
sender the owner (``bot.startup.announce_setup_code``)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.clock import Clock
from crm.config import CrmConfig
from crm.event_data import MemberJoined
from crm.events import EventKind
from crm.members import new_user
from crm.tokens import looks_like_token, new_token, token_hash
from storage.engine import write_transaction
from storage.models import AppSetting, Role, User

log = logging.getLogger(__name__)

SETUP_CODE_KEY = "setup_code"  # a code's key: this, ":", and the start of the code's hash


def setup_code_key(code: str) -> str:
    return f"{SETUP_CODE_KEY}:{token_hash(code)[:48]}"  # keys are up to 64 characters


# Every setup code's setting, and one kept by an older version (its key the bare prefix).
IS_SETUP_CODE = AppSetting.key.startswith(SETUP_CODE_KEY, autoescape=True)


class SetupCodes:
    def __init__(self, session: AsyncSession, clock: Clock, config: CrmConfig) -> None:
        self._session = session
        self._clock = clock
        self._config = config

    async def issue(self) -> tuple[str, datetime] | None:
        """A new one-time setup code and when it expires, when the team has no owner yet;
        else None.

        Every code issued while there is no owner works (instances started at once each
        log their own) for ``setup_code_ttl``, until one of them is used: then none does."""
        async with write_transaction(self._session):
            if await self._has_owner():
                await self._delete_all()
                return None
            now = self._clock.now()
            await self._delete_expired()
            code = new_token()
            issued = {"issued_at": now.isoformat()}
            self._session.add(AppSetting(key=setup_code_key(code), value=issued))
            return code, now + self._config.setup_code_ttl

    async def expired(self, code: str) -> bool:
        """Whether ``code`` is a setup code that was refused only for being too old."""
        if not looks_like_token(code):
            return False
        setting = await self._session.get(AppSetting, setup_code_key(code))
        return setting is not None and self._expired(setting)

    def _expired(self, setting: AppSetting) -> bool:
        """A code older than ``setup_code_ttl``, or of unknown age (kept by an older version)."""
        try:
            issued = datetime.fromisoformat(str(setting.value.get("issued_at")))
        except (AttributeError, ValueError):
            return True
        if issued.tzinfo is None:
            return True
        return issued + self._config.setup_code_ttl <= self._clock.now()

    async def _delete_expired(self) -> None:
        rows = await self._session.scalars(select(AppSetting).where(IS_SETUP_CODE))
        for setting in rows:
            if self._expired(setting):
                await self._session.delete(setting)

    async def claim(
        self,
        user_id: int,
        code: str,
        full_name: str,
        username: str | None,
        language_code: str | None,
    ) -> User | None:
        """Make the sender the owner if ``code`` is a setup code and nobody is. None otherwise."""
        if not looks_like_token(code):
            return None
        async with write_transaction(self._session):
            setting = await self._session.get(AppSetting, setup_code_key(code))
            if setting is None or self._expired(setting):
                return None  # an expired one stays, to be told apart (``expired``)
            # Every code goes: of two people claiming at once, the one whose code is gone
            # by the time their delete runs is refused (it waits for the other's on PostgreSQL).
            if setup_code_key(code) not in await self._delete_all():
                return None
            if await self._has_owner():
                return None  # a code issued while an owner was being made
            user = await self._session.get(User, user_id)
            if user is None:
                user = new_user(user_id, Role.OWNER, language_code, self._config, self._clock)
                self._session.add(user)
            user.role = Role.OWNER
            user.active = True
            user.full_name = full_name
            user.username = username
            await self._session.flush()
            joined = MemberJoined(role=Role.OWNER)
            events.record(self._session, self._clock, EventKind.MEMBER_JOINED, user_id, data=joined)
            log.info("user %s became the owner with the setup code", user_id)
            return user

    async def _has_owner(self) -> bool:
        owner = select(User.id).where(User.role == Role.OWNER).limit(1)
        return await self._session.scalar(owner) is not None

    async def _delete_all(self) -> set[str]:
        """Remove every setup code (and one kept by an older version); the keys removed."""
        gone = await self._session.scalars(
            delete(AppSetting)
            .where(IS_SETUP_CODE)
            .returning(AppSetting.key)
            .execution_options(synchronize_session=False)
        )
        return set(gone)
