"""Team members: who is in, their roles, their preferences, the configured owners
(the setup code's first owner is ``crm.setup_codes``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import access, events, notices, outbox
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import Conflict, CrmError, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.event_data import MemberActive, MemberRoleChanged
from crm.events import EventKind
from crm.member_cache import MemberCache
from crm.missed_reminders import fell_due_since, fell_due_while_off
from crm.parsing.search_text import shows
from crm.parsing.timezones import parse_timezone
from crm.row_locks import locked
from storage.engine import write_transaction
from storage.models import Role, User

SUPPORTED_LANGUAGES = ("ru", "en")


def language_for(language_code: str | None, default: str) -> str:
    """Russian for ``ru``, English for any other code, ``default`` when Telegram gave none."""
    if not language_code:
        return default
    return "ru" if language_code.split("-")[0].lower() == "ru" else "en"


def new_user(
    user_id: int, role: Role, language_code: str | None, config: CrmConfig, clock: Clock
) -> User:
    """An active member's row as first made, before their name is known."""
    return User(
        id=user_id,
        full_name="",
        role=role,
        active=True,
        language=language_for(language_code, config.default_language),
        timezone=config.default_timezone,
        created_at=clock.now(),
    )


def normalize_timezone(name: str) -> str:
    """A canonical IANA zone name for what a person typed: a zone name in any case
    (``europe/moscow``), a city (``Новосибирск``) or an offset (``UTC+5``, ``МСК+4``)."""
    if not shows(name):  # nothing (or only invisible marks) typed: no zone to name back
        raise InvalidInput(ErrorCode.EMPTY, field="timezone")
    zone = parse_timezone(name)
    if zone is None:
        raise InvalidInput(ErrorCode.BAD_TIMEZONE, value=name[:64])
    try:
        ZoneInfo(zone)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - the list and the files agree
        raise InvalidInput(ErrorCode.BAD_TIMEZONE, value=name[:64]) from exc
    return zone


def role_refusal(actor: User | None, target: User | None, role: str) -> CrmError | None:
    """Why ``actor`` may not give ``target`` the role ``role`` now; None: they may.

    A second press (or one on an old card or question) finds the role given already:
    said so even when giving it took the member out of the actor's hands (made admin)."""
    if actor is None or target is None or not access.is_staff(actor):
        return NotAllowed()
    if target.role == role:
        return Conflict(ErrorCode.ROLE_UNCHANGED)
    if not access.can_manage_member(actor, target):
        return NotAllowed()
    if not target.active:
        return Conflict(ErrorCode.MEMBER_INACTIVE)  # an old card's button: turn on first
    if role not in access.assignable_roles(actor, target):
        return NotAllowed()
    return None


class Members:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        cache: MemberCache | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._cache = cache if cache is not None else MemberCache()  # off: every read fresh

    async def get_active(self, user_id: int) -> User | None:
        """The active member ``user_id`` (None: not one), from the process's copy if kept."""
        return await self._cache.get_active(self._session, user_id)

    async def get(self, actor: User, member_id: int) -> User:
        """A member as seen from the team screens; only staff look at others."""
        if not access.is_staff(actor) and actor.id != member_id:
            raise NotAllowed()
        user = await self._session.get(User, member_id)
        if user is None:
            raise NotFound()
        return user

    async def team(self, actor: User) -> list[User]:
        if not access.is_staff(actor):
            raise NotAllowed()
        rows = await self._session.scalars(
            select(User).order_by(User.active.desc(), User.role, User.full_name, User.id)
        )
        return list(rows)

    async def active_owner_ids(self) -> list[int]:
        rows = await self._session.scalars(
            select(User.id).where(User.role == Role.OWNER, User.active.is_(True))
        )
        return list(rows)

    # --- the configured owners ---------------------------------------------

    async def ensure_configured_owners(self) -> None:
        """Make every id in OWNER_IDS an active owner (run at start-up)."""
        if not self._config.owner_ids:
            return
        async with write_transaction(self._session):
            for owner_id in self._config.owner_ids:
                user = await self._session.get(User, owner_id)
                if user is None:
                    self._session.add(
                        new_user(owner_id, Role.OWNER, None, self._config, self._clock)
                    )
                else:
                    user.role = Role.OWNER
                    user.active = True

    # --- profile and preferences -------------------------------------------

    async def update_profile(self, user: User, full_name: str, username: str | None) -> None:
        if user.full_name == full_name and user.username == username and not user.unreachable_at:
            return
        async with write_transaction(self._session):
            fresh = await locked(self._session, User, user.id)
            if fresh is None:
                return
            fresh.full_name = full_name
            fresh.username = username
            if fresh.unreachable_at is not None:
                await self._reachable_again(fresh, fresh.unreachable_at)
            fresh.unreachable_at = None

    async def _reachable_again(self, member: User, since: datetime) -> None:
        """``member``, who blocked the bot at ``since``, wrote to it again: they are told once
        of the reminders that fell due meanwhile (``crm.missed_reminders``)."""
        now = self._clock.now()
        missed = await fell_due_since(self._session, member.id, since, now)
        if missed:
            kind = outbox.OutboxKind.MISSED_REMINDERS
            await outbox.enqueue(
                self._session,
                chat_id=member.id,
                kind=kind,
                payload={"missed": missed},
                dedupe_key=f"{kind}:{member.id}:{since:%Y%m%dT%H%M%S%f}",
                now=now,
            )

    async def set_language(self, user: User, language: str) -> User:
        if language not in SUPPORTED_LANGUAGES:
            raise InvalidInput(ErrorCode.BAD_LANGUAGE, value=language)
        return await self._update(user.id, language=language)

    async def set_timezone(self, user: User, name: str) -> User:
        return await self._update(user.id, timezone=normalize_timezone(name))

    # --- managing the team ---------------------------------------------------

    async def change_role(self, actor: User, member_id: int, role: str) -> User:
        async with write_transaction(self._session):
            # Both as they are now, under the write lock: not the update's copy of the actor.
            # The member's row is locked (crm.row_locks): of two presses at once on PostgreSQL,
            # the second waits and finds the first's change, so it is made (and told) once.
            fresh_actor = await self._session.get(User, actor.id, populate_existing=True)
            target = await locked(self._session, User, member_id)
            refusal = role_refusal(fresh_actor, target, role)
            if refusal is not None or target is None:
                raise refusal or NotAllowed()
            old = target.role
            target.role = role
            events.record(
                self._session,
                self._clock,
                EventKind.MEMBER_ROLE_CHANGED,
                actor.id,
                data=MemberRoleChanged(member_id=target.id, old=old, new=role),
            )
            await notices.member_changed(self._session, self._clock, target, actor.id)
            return target

    async def role_to_confirm(self, actor: User, member_id: int, role: str) -> User:
        """The member ``actor`` asks to give ``role``, as they are now, when ``change_role``
        would give it (else its refusal): the question before a role is given. Writes nothing."""
        fresh_actor = await self._session.get(User, actor.id, populate_existing=True)
        target = await self._session.get(User, member_id, populate_existing=True)
        refusal = role_refusal(fresh_actor, target, role)
        if refusal is not None or target is None:
            raise refusal or NotAllowed()
        return target

    async def set_active(self, actor: User, member_id: int, active: bool) -> User:
        async with write_transaction(self._session):
            target = await self._load_manageable(actor, member_id)
            if target.active == active:
                raise Conflict(ErrorCode.ALREADY_ACTIVE if active else ErrorCode.ALREADY_INACTIVE)
            target.active = active
            events.record(
                self._session,
                self._clock,
                EventKind.MEMBER_REACTIVATED if active else EventKind.MEMBER_DEACTIVATED,
                actor.id,
                data=MemberActive(member_id=target.id),
            )
            now = self._clock.now()
            missed = await fell_due_while_off(self._session, target.id, now) if active else None
            await notices.member_changed(
                self._session, self._clock, target, actor.id, active, missed
            )
            return target

    async def _load_manageable(self, actor: User, member_id: int) -> User:
        # As in change_role: both as they are now, the member's row locked.
        fresh_actor = await self._session.get(User, actor.id, populate_existing=True)
        target = await locked(self._session, User, member_id)
        if fresh_actor is None or target is None or not access.is_staff(fresh_actor):
            raise NotAllowed()
        if not access.can_manage_member(fresh_actor, target):
            raise NotAllowed()
        return target

    async def _update(self, user_id: int, **values: str) -> User:
        async with write_transaction(self._session):
            user = await self._session.get(User, user_id)
            if user is None:
                raise NotFound()
            for name, value in values.items():
                setattr(user, name, value)
            return user
