"""Single-use invitations into the team."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm import access, events, outbox
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import ErrorCode, InvalidInput, NotAllowed
from crm.event_data import MemberJoined
from crm.members import language_for
from crm.missed_reminders import fell_due_while_away
from crm.tokens import looks_like_token, new_token, token_hash
from storage.engine import write_transaction
from storage.models import Invite, Role, User


@dataclass(frozen=True)
class Accepted:
    member: User
    joined: bool  # False when the person was already an active member


class Invites:
    def __init__(self, session: AsyncSession, clock: Clock, config: CrmConfig) -> None:
        self._session = session
        self._clock = clock
        self._config = config

    async def create(self, actor: User, role: str) -> tuple[str, Invite]:
        """A new invitation; the token is returned once and only its hash is kept."""
        if role not in access.INVITABLE_ROLES:
            raise InvalidInput(ErrorCode.BAD_ROLE, value=role)
        async with write_transaction(self._session):
            fresh = await self._session.get(User, actor.id)
            if fresh is None or not access.can_invite(fresh):
                raise NotAllowed()
            token = new_token()
            now = self._clock.now()
            invite = Invite(
                token_hash=token_hash(token),
                role=role,
                created_by=actor.id,
                created_at=now,
                expires_at=now + self._config.invite_ttl,
            )
            self._session.add(invite)
            return token, invite

    async def accept(
        self,
        token: str,
        user_id: int,
        full_name: str,
        username: str | None,
        language_code: str | None,
    ) -> Accepted | None:
        """Admit the person holding ``token``. None for a used, expired or unknown token."""
        if not looks_like_token(token):
            return None
        try:
            return await self._accept(token, user_id, full_name, username, language_code)
        except _NotValid:
            return None

    async def unused(self, token: str) -> Invite | None:
        """The invitation ``token`` opens while it can still admit someone (unused, not
        expired, its inviter still one who may invite); None otherwise. Reads only."""
        if not looks_like_token(token):
            return None
        invite = await self._session.scalar(
            select(Invite).where(
                Invite.token_hash == token_hash(token),
                Invite.used_at.is_(None),
                Invite.expires_at > self._clock.now(),
            )
        )
        if invite is None:
            return None
        inviter = await self._session.get(User, invite.created_by)
        return invite if inviter is not None and access.can_invite(inviter) else None

    async def why_refused(self, token: str) -> str:
        """Why ``accept`` refused ``token``: "used", "expired", or "unknown" (also forged)."""
        if not looks_like_token(token):
            return "unknown"
        invite = await self._session.scalar(
            select(Invite).where(Invite.token_hash == token_hash(token))
        )
        if invite is None:
            return "unknown"
        if invite.used_at is not None:
            return "used"
        return "expired" if invite.expires_at <= self._clock.now() else "unknown"

    async def _accept(
        self,
        token: str,
        user_id: int,
        full_name: str,
        username: str | None,
        language_code: str | None,
    ) -> Accepted:
        async with write_transaction(self._session):
            user = await self._session.get(User, user_id)
            if user is not None and user.active:
                return Accepted(member=user, joined=False)
            now = self._clock.now()
            returning = user is not None  # turned off before: told what they missed
            if user is None:
                # The person's row goes in first: the invite will point at it. An
                # invalid token rolls the whole transaction back, row included.
                user = User(
                    id=user_id,
                    role=Role.MANAGER,
                    active=False,
                    language=language_for(language_code, self._config.default_language),
                    timezone=self._config.default_timezone,
                    created_at=now,
                )
                self._session.add(user)
                await self._session.flush()
            claimed = await self._session.execute(
                update(Invite)
                .where(
                    Invite.token_hash == token_hash(token),
                    Invite.used_at.is_(None),
                    Invite.expires_at > now,
                )
                .values(used_by=user_id, used_at=now)
                .returning(Invite.id, Invite.role, Invite.created_by)
            )
            row = claimed.one_or_none()
            if row is None:
                raise _NotValid
            invite_id, role, inviter_id = row
            inviter = await self._session.get(User, inviter_id)
            if inviter is None or not access.can_invite(inviter):
                raise _NotValid  # deactivated or demoted since: their links admit nobody
            missed = await fell_due_while_away(self._session, user, now) if returning else []
            user.full_name = full_name
            user.username = username
            user.role = role
            user.active = True
            user.invited_by = inviter_id
            user.unreachable_at = None
            events.record(
                self._session,
                self._clock,
                events.EventKind.MEMBER_JOINED,
                user_id,
                data=MemberJoined(role=role, invite_id=invite_id, invited_by=inviter_id),
            )
            await outbox.enqueue(
                self._session,
                chat_id=inviter_id,
                kind=outbox.OutboxKind.INVITE_ACCEPTED,
                payload={"member_id": user_id, "name": full_name, "role": role},
                dedupe_key=f"invite-accepted:{invite_id}",
                now=now,
            )
            if missed:
                kind = outbox.OutboxKind.MISSED_REMINDERS
                await outbox.enqueue(
                    self._session,
                    chat_id=user_id,
                    kind=kind,
                    payload={"missed": missed, "rejoined": True},
                    dedupe_key=f"{kind}:{user_id}:invite:{invite_id}",
                    now=now,
                )
            return Accepted(member=user, joined=True)


class _NotValid(Exception):
    """The token is unknown, used or expired: undo everything and refuse."""
