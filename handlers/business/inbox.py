"""Messages of connected chats, both sides, onto the clients' timelines; edits and deletions.

Nothing is ever said into a customer's chat from here: a message that is not
recorded (inbox off, chat left out, no member's connection) is simply dropped (of a
customer's in a chat already on a card, only its time is kept: Reply's 24 hours).
"""

from __future__ import annotations

from aiogram.types import BusinessMessagesDeleted, Message

from crm.business.inbox import ChatMessage
from crm.service import Crm
from handlers.kit.routes import Routes

routes = Routes(__name__)

FILE_KINDS = ("photo", "voice", "document", "video", "audio", "video_note", "sticker")


def chat_message(message: Message) -> ChatMessage | None:
    """The CRM's view of a business message (None: not a private chat of the account)."""
    if message.business_connection_id is None or message.chat.type != "private":
        return None
    file_kind = file_id = file_name = None
    for kind in FILE_KINDS:
        value = getattr(message, kind, None)
        if value:
            item = value[-1] if isinstance(value, list) else value  # a photo: its largest size
            file_kind, file_id = kind, item.file_id
            file_name = getattr(item, "file_name", None)
            break
    phone = other_phone = None
    contact = message.contact
    if contact is not None and contact.user_id == message.chat.id:
        phone = contact.phone_number
    elif contact is not None:  # someone else's card (no user_id: not on Telegram, or unknown)
        other_phone = contact.phone_number
    return ChatMessage(
        connection_id=message.business_connection_id,
        chat_id=message.chat.id,
        message_id=message.message_id,
        sender_id=message.from_user.id if message.from_user else None,
        by_bot=message.sender_business_bot is not None,
        first_name=message.chat.first_name,
        last_name=message.chat.last_name,
        username=message.chat.username,
        text=message.text or message.caption,
        file_kind=file_kind,
        file_id=file_id,
        file_name=file_name,
        phone=phone,
        other_phone=other_phone,
    )


@routes.business_message()
async def business_message(message: Message, crm: Crm) -> None:
    seen = chat_message(message)
    if seen is not None:
        await crm.business_inbox.take(seen)


@routes.edited_business_message()
async def edited_business_message(message: Message, crm: Crm) -> None:
    seen = chat_message(message)
    if seen is not None:
        await crm.business_inbox.edited(seen)


@routes.deleted_business_messages()
async def deleted_business_messages(deleted: BusinessMessagesDeleted, crm: Crm) -> None:
    await crm.business_inbox.deleted(
        deleted.business_connection_id, deleted.chat.id, list(deleted.message_ids)
    )
