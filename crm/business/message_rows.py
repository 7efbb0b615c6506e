"""Which timeline event holds a chat message: noted once, whoever notes it first.

A reply sent from the card comes back from Telegram as a message of the chat (the
echo), and the echo may be handled while the reply is being recorded: by another
instance, or by another update's task. Both would record the message. The row that
says which event holds it is inserted with "on conflict do nothing", so the second
finds out without an error (on PostgreSQL it waits for the first to commit) and
undoes its own event: ``AlreadyRecorded``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.insert_or_nothing import insert_or_nothing
from storage.models import BusinessMessage, Event

MessageKey = tuple[str, int, int]  # the connection, the chat, the message


class AlreadyRecorded(Exception):
    """Another transaction noted this chat message first: undo what recorded it again."""


async def note(session: AsyncSession, key: MessageKey, event_id: int) -> None:
    """Note that ``event_id`` holds the chat message ``key``; ``AlreadyRecorded`` when it
    is noted already (raise it inside the write transaction, so it undoes the event)."""
    connection_id, chat_id, message_id = key
    statement = insert_or_nothing(session, BusinessMessage).values(
        connection_id=connection_id, chat_id=chat_id, message_id=message_id, event_id=event_id
    )
    result = await session.execute(statement)
    if not getattr(result, "rowcount", 0):
        raise AlreadyRecorded(key)


async def event_of(session: AsyncSession, key: MessageKey) -> Event | None:
    """The event that holds the chat message ``key``, if it was recorded."""
    row = await session.get(BusinessMessage, key)
    return None if row is None else await session.get(Event, row.event_id)
