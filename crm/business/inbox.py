"""Messages of connected chats onto the customers' timelines; a first message makes a card.

Every message of a chat, both sides, is one ``business_message`` event on the
client's timeline; an edit or a deletion is noted on that same event (the
``business_messages`` row says which one). A customer's first message makes
their card (source "Telegram", the account's member responsible, a deal too if
the member chose so) and one note to the member through the outbox, all in the
same transaction. The member's own messages never make a card.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.business import message_rows, returning
from crm.business.connections import BusinessConnections
from crm.business.customers import new_card
from crm.clock import Clock
from crm.config import CrmConfig
from crm.event_data import FieldChanged, Unarchived
from crm.field_values import client_search_text
from crm.parsing.contacts import PhoneError, parse_phone
from crm.row_locks import locked
from storage.engine import write_transaction
from storage.models import (
    BusinessChat,
    BusinessConnection,
    BusinessMessage,
    Client,
    ClientPhone,
    Event,
    User,
)

MESSAGE_KIND = "business_message"
MAX_TEXT = 4096


@dataclass(frozen=True)
class ChatMessage:
    """One message of a connected chat, as the CRM needs it (no Telegram types)."""

    connection_id: str
    chat_id: int  # the customer's private chat, which is their user id
    message_id: int
    sender_id: int | None
    by_bot: bool  # sent on the account's behalf by a bot (this one, from a card)
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    text: str | None = None
    file_kind: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    phone: str | None = None  # a contact the customer shared of themselves
    # A contact of someone else shared in the chat (an accountant, a colleague): on the
    # message's event, never on the customer's card.
    other_phone: str | None = None


@dataclass(frozen=True)
class Taken:
    event_id: int
    client_id: int
    new_card: bool


class BusinessInbox:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        connections: BusinessConnections,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._connections = connections

    async def take(self, message: ChatMessage) -> Taken | None:
        """Record one new message; None when it is not recorded (inbox off, no enabled
        connection of an active member, an excluded chat, a repeat, or the member
        writing first to someone who is not a client). The customer's message in a chat
        already on a card is still timed, inbox off or chat left out: Reply's 24 hours
        count from it (``replies``), as Telegram's do."""
        inbox_on = await self._connections.inbox_on()
        try:
            async with write_transaction(self._session):
                if not inbox_on:
                    await self._customer_wrote(message)
                    return None
                return await self._record(message)
        except message_rows.AlreadyRecorded:  # by another update at the same time (a reply's echo)
            return None

    async def _record(self, message: ChatMessage) -> Taken | None:
        """``take`` in its write transaction."""
        connection = await self._session.get(BusinessConnection, message.connection_id)
        member = await self._connections.owner_of(message.connection_id)
        if connection is None or member is None:
            return None
        key = (message.connection_id, message.chat_id, message.message_id)
        if await self._session.get(BusinessMessage, key) is not None:
            return None
        now = self._clock.now()
        mine = message.by_bot or message.sender_id == connection.user_id
        chat = await self._session.get(BusinessChat, key[:2])
        made = False
        phone_added = True
        # A first message, or the first since the card was deleted: a card (the customer's
        # through another member's account, or a new one); not for the member's own
        # messages, nor for a chat with someone of the team (no client).
        if chat is None or (chat.client_id is None and not chat.excluded):
            if mine or await self._teammate(message.chat_id):
                return None
            chat, made = await self._carded(member, connection, message)
        if chat.excluded or chat.client_id is None:
            await self._customer_wrote(message)  # timed, nothing of it kept
            return None
        # Locked, as archiving it locks it: one archived meanwhile is read so, and restored.
        client = await locked(self._session, Client, chat.client_id)
        if client is None:
            return None
        if not mine:
            chat.last_customer_message_at = now
            chat.username = (message.username or "")[:64] or chat.username
            if message.phone:  # a new card has it already, unless another client does
                phone_added = await self._phone_kept(client.id, message.phone, not made)
        restore(self._session, self._clock, client, member.id if mine else None)
        client.last_activity_at = now
        event = events.record(
            self._session,
            self._clock,
            MESSAGE_KIND,
            member.id if mine else None,
            client_id=client.id,
            text=(message.text or "")[:MAX_TEXT] or None,
            data=message_data(message, mine, phone_added),
        )
        await self._session.flush()
        await message_rows.note(self._session, key, event.id)
        return Taken(event.id, client.id, made)

    async def _carded(
        self, member: User, connection: BusinessConnection, message: ChatMessage
    ) -> tuple[BusinessChat, bool]:
        """The chat's card: its customer's through another account, or a new one (True)."""
        await returning.customer_locked(self._session, message.chat_id)
        key = (connection.id, message.chat_id)
        chat = await self._session.get(BusinessChat, key, populate_existing=True)  # as locked
        if chat is None:
            chat = BusinessChat(connection_id=key[0], chat_id=key[1], excluded=False)
            self._session.add(chat)
        if chat.client_id is not None or chat.excluded:  # given one meanwhile
            return chat, False
        known = await returning.known_card(self._session, connection, message.chat_id)
        if known is not None:
            card, own = known
            chat.client_id = card.id
            if not own:  # a lead for the card's manager; the member's own customer is none
                await returning.returned(
                    self._session, self._clock, self._config, connection, message, card
                )
            return chat, False
        chat.client_id = await new_card(
            self._session, self._clock, self._config, member, connection, message
        )
        return chat, True

    async def _customer_wrote(self, message: ChatMessage) -> None:
        """The time of the customer's message in a known chat, and nothing else of it."""
        connection = await self._session.get(BusinessConnection, message.connection_id)
        chat = await self._session.get(BusinessChat, (message.connection_id, message.chat_id))
        if connection is None or chat is None or message.by_bot:
            return
        if message.sender_id != connection.user_id:
            chat.last_customer_message_at = self._clock.now()

    async def _teammate(self, user_id: int) -> bool:
        found = await self._session.scalar(select(User.id).where(User.id == user_id, User.active))
        return found is not None

    async def edited(self, message: ChatMessage) -> Event | None:
        """An edit noted on the message's own event (None: a message never recorded)."""
        if not await self._connections.inbox_on():
            return None
        async with write_transaction(self._session):
            event = await self._event_of(message.connection_id, message.chat_id, message.message_id)
            if event is None:
                return None
            data = dict(event.data or {})
            if "first_text" not in data:
                data["first_text"] = event.text
            data["edited_at"] = self._clock.now().isoformat()
            event.text = (message.text or "")[:MAX_TEXT] or None
            if message.file_id:
                data.update(file_kind=message.file_kind, file_id=message.file_id)
            event.data = data
            return event

    async def deleted(self, connection_id: str, chat_id: int, message_ids: list[int]) -> int:
        """Deletions noted on the messages' events; how many were found."""
        found = 0
        if not await self._connections.inbox_on():
            return found
        async with write_transaction(self._session):
            for message_id in message_ids[:1000]:
                event = await self._event_of(connection_id, chat_id, message_id)
                if event is None:
                    continue
                event.data = {**(event.data or {}), "deleted_at": self._clock.now().isoformat()}
                found += 1
        return found

    async def _event_of(self, connection_id: str, chat_id: int, message_id: int) -> Event | None:
        row = await self._session.get(BusinessMessage, (connection_id, chat_id, message_id))
        if row is None:
            return None
        chat = await self._session.get(BusinessChat, (connection_id, chat_id))
        if chat is None or chat.excluded:
            return None
        return await self._session.get(Event, row.event_id)

    async def _phone_kept(self, client_id: int, phone: str, add: bool) -> bool:
        """Whether a phone the customer shared is on their card: added (``add``) as adding
        one on the card is, with a ``field_changed`` event, unless another client has it
        (False: kept only on the message's event, which notes it was not added). A phone
        that does not parse is kept on the message's event alone, as before."""
        try:
            e164 = parse_phone(phone, self._config.default_phone_region).e164
        except PhoneError:
            return True
        owners = set(
            await self._session.scalars(
                select(ClientPhone.client_id).where(ClientPhone.e164 == e164)
            )
        )
        client = await locked(self._session, Client, client_id)  # its search line is rebuilt
        if client_id in owners or client is None:
            return True
        if owners or not add:
            return False
        old = list(
            await self._session.scalars(
                select(ClientPhone.e164)
                .where(ClientPhone.client_id == client_id)
                .order_by(ClientPhone.id)
            )
        )
        self._session.add(ClientPhone(client_id=client_id, e164=e164, digits=e164.lstrip("+")))
        await self._session.flush()
        client.search_text = await client_search_text(self._session, client)
        events.record(
            self._session,
            self._clock,
            events.EventKind.FIELD_CHANGED,
            None,
            client_id=client_id,
            data=FieldChanged(field="phones", old=old, new=[*old, e164]),
        )
        return True


def restore(session: AsyncSession, clock: Clock, client: Client, member_id: int | None) -> None:
    """An archived card restored by a message of its chat, or the conversation goes on on a
    card no list shows: the customer's (``member_id`` None) or a member's own, written in
    Telegram or from the card, since writing to the client is working with them."""
    if client.archived_at is None:
        return
    client.archived_at = None
    events.record(
        session,
        clock,
        events.EventKind.UNARCHIVED,
        member_id,
        client_id=client.id,
        data=Unarchived(business=True),  # whose message: the event's actor
    )


def message_data(message: ChatMessage, mine: bool, phone_added: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"from": "member" if mine else "client", "chat_id": message.chat_id}
    if message.file_id:
        data.update(
            file_kind=message.file_kind, file_id=message.file_id, file_name=message.file_name
        )
    if message.phone:
        data["phone"] = message.phone[:32]
        if not phone_added:
            data["phone_elsewhere"] = True  # another client's: not added to this card
    elif message.other_phone:
        data["phone"] = message.other_phone[:32]
        data["phone_not_theirs"] = True  # someone else's contact: not the customer's number
    return data
