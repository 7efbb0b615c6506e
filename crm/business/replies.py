"""A client's Telegram chat as the card shows it; replies from the card; leaving a chat out.

Only the member whose account the chat belongs to replies or leaves it out:
it is their account that speaks. A reply goes only where the connection's
rights allow and within Telegram's 24 hours after the customer's last message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, placeholders
from crm.business import message_rows
from crm.business.connections import BusinessConnections, can_reply, within_window
from crm.business.inbox import MAX_TEXT, MESSAGE_KIND, restore
from crm.clients import Clients
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.row_locks import locked
from crm.templates import Templates
from storage.engine import write_transaction
from storage.models import BusinessChat, BusinessConnection, Client, Event, User

# Built once (every card runs it): the client's chat, the reader's own account first.
_CHAT_OF = (
    select(BusinessChat, BusinessConnection)
    .join(BusinessConnection, BusinessConnection.id == BusinessChat.connection_id)
    .where(BusinessChat.client_id == bindparam("client", type_=BusinessChat.client_id.type))
    .order_by(
        (
            BusinessConnection.user_id == bindparam("actor", type_=BusinessConnection.user_id.type)
        ).desc(),
        BusinessConnection.enabled.desc(),
        BusinessChat.last_customer_message_at.desc().nulls_last(),
    )
    .limit(1)
)


@dataclass(frozen=True)
class ChatView:
    connection_id: str
    chat_id: int
    username: str | None
    excluded: bool
    owner_id: int
    enabled: bool
    can_reply: bool
    last_customer_message_at: datetime | None


@dataclass(frozen=True)
class ReplyTarget:
    connection_id: str
    chat_id: int
    client_id: int


class BusinessReplies:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        clients: Clients,
        connections: BusinessConnections,
        templates: Templates,
    ) -> None:
        self._session = session
        self._clock = clock
        self._clients = clients
        self._connections = connections
        self._templates = templates

    async def text_templates(self) -> list[tuple[int, str]]:
        """(id, name) of the team's text templates, which a reply can be made from."""
        return [(t.id, t.name) for t in await self._templates.all() if t.kind == "text"]

    async def from_template(self, actor: User, template_id: int, client_id: int) -> str:
        """A text template filled for the client, to be shown before it is sent;
        refused while a placeholder has no value (a reply is never sent with a gap)."""
        checked = await self._templates.check(actor, template_id, client_id=client_id)
        if checked.template.kind != "text":
            raise Conflict(ErrorCode.TEMPLATE_GONE)
        if checked.missing:
            raise InvalidInput(ErrorCode.BUSINESS_TEMPLATE_GAPS, names=", ".join(checked.missing))
        return reply_text(placeholders.fill(checked.template.body or "", checked.values))

    async def chat_of(self, actor: User, client_id: int) -> ChatView | None:
        """The client's Telegram chat (the newest, if several), for a card the actor sees."""
        await self._clients.visible(actor, client_id)
        params = {"client": client_id, "actor": actor.id}
        row = (await self._session.execute(_CHAT_OF, params)).first()
        if row is None:
            return None
        chat, connection = row
        return ChatView(
            connection_id=connection.id,
            chat_id=chat.chat_id,
            username=chat.username,
            excluded=chat.excluded,
            owner_id=connection.user_id,
            enabled=connection.enabled,
            can_reply=can_reply(connection.rights or {}),
            last_customer_message_at=chat.last_customer_message_at,
        )

    async def target(self, actor: User, client_id: int) -> ReplyTarget:
        """Where a reply from this card goes; refused when it may not go now."""
        chat = await self.chat_of(actor, client_id)
        if chat is None:
            raise NotFound(ErrorCode.BUSINESS_NO_CHAT)
        if chat.owner_id != actor.id:
            raise NotAllowed(ErrorCode.BUSINESS_NOT_YOURS)
        if not await self._connections.inbox_on():
            raise NotAllowed(ErrorCode.BUSINESS_INBOX_OFF)
        if not chat.enabled:
            raise NotAllowed(ErrorCode.BUSINESS_DISCONNECTED)
        if chat.excluded:
            raise Conflict(ErrorCode.BUSINESS_EXCLUDED)
        if not chat.can_reply:
            raise NotAllowed(ErrorCode.BUSINESS_NO_RIGHTS)
        if not within_window(chat.last_customer_message_at, self._clock.now()):
            raise Conflict(ErrorCode.BUSINESS_TOO_LATE)
        return ReplyTarget(chat.connection_id, chat.chat_id, client_id)

    async def sent(
        self, actor: User, target: ReplyTarget, message_id: int, text: str
    ) -> Event | None:
        """Record a reply Telegram accepted, on the client's timeline (once, even if
        Telegram also reports it as a message of the chat, and that report was recorded
        first or is being recorded at the same time: ``message_rows``). None: it was
        recorded first, and its card has been deleted since."""
        key = (target.connection_id, target.chat_id, message_id)
        try:
            async with write_transaction(self._session):
                # Locked first, as archiving it locks it (and the inbox, before the message
                # row): a card a member archives meanwhile is read archived, and restored.
                client = await locked(self._session, Client, target.client_id)
                event = events.record(
                    self._session,
                    self._clock,
                    MESSAGE_KIND,
                    actor.id,
                    client_id=target.client_id,
                    text=text[:MAX_TEXT],
                    data={"from": "member", "chat_id": target.chat_id, "reply": True},
                )
                await self._session.flush()
                await message_rows.note(self._session, key, event.id)
                if client is not None:
                    restore(self._session, self._clock, client, actor.id)
                    client.last_activity_at = self._clock.now()
                return event
        except message_rows.AlreadyRecorded:
            return await message_rows.event_of(self._session, key)

    async def set_excluded(self, actor: User, client_id: int, excluded: bool) -> None:
        """Leave the chat out of the card (nothing more of it is recorded), or take it back."""
        chat = await self.chat_of(actor, client_id)
        if chat is None:
            raise NotFound(ErrorCode.BUSINESS_NO_CHAT)
        if chat.owner_id != actor.id:
            raise NotAllowed(ErrorCode.BUSINESS_NOT_YOURS)
        async with write_transaction(self._session):
            row = await self._session.get(BusinessChat, (chat.connection_id, chat.chat_id))
            if row is None:
                raise NotFound(ErrorCode.BUSINESS_NO_CHAT)
            if row.excluded == excluded:  # a double press
                return
            row.excluded = excluded
            kind = events.EventKind
            what = kind.BUSINESS_CHAT_EXCLUDED if excluded else kind.BUSINESS_CHAT_INCLUDED
            events.record(self._session, self._clock, what, actor.id, client_id=client_id)

    async def left_out(self, actor: User) -> list[tuple[int, str | None]]:
        """The actor's chats left out whose card was deleted since: (chat id, @username),
        the latest first. They stay out (the member chose so) until taken back here."""
        rows = await self._session.execute(
            select(BusinessChat.chat_id, BusinessChat.username)
            .join(BusinessConnection, BusinessConnection.id == BusinessChat.connection_id)
            .where(*_cardless_left_out(actor))
            .order_by(BusinessChat.last_customer_message_at.desc().nulls_last())
            .limit(LEFT_OUT_SHOWN)
        )
        return [(chat_id, username) for chat_id, username in rows]

    async def take_back(self, actor: User, chat_id: int) -> bool:
        """A left-out chat with no card recorded again: the customer's next message gets
        them a card. False: there is none such (taken back already)."""
        async with write_transaction(self._session):
            rows = list(
                await self._session.scalars(
                    select(BusinessChat)
                    .join(BusinessConnection, BusinessConnection.id == BusinessChat.connection_id)
                    .where(BusinessChat.chat_id == chat_id, *_cardless_left_out(actor))
                )
            )
            for row in rows:
                row.excluded = False
            return bool(rows)


LEFT_OUT_SHOWN = 20


def _cardless_left_out(actor: User) -> tuple[ColumnElement[bool], ...]:
    return (
        BusinessConnection.user_id == actor.id,
        BusinessChat.excluded.is_(True),
        BusinessChat.client_id.is_(None),
    )


def reply_text(text: str | None) -> str:
    """A reply as typed: something to send, within Telegram's limit (counted as Telegram
    counts it, in UTF-16 units: an emoji is two)."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(ErrorCode.EMPTY, field="text")
    units = len(cleaned.encode("utf-16-le")) // 2
    if units > MAX_TEXT:  # told in these units: "at most 4096 characters" misled on emoji
        raise InvalidInput(ErrorCode.TOO_LONG, field="reply", limit=MAX_TEXT, length=units)
    return cleaned
