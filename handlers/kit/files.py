"""Files on a card's timeline: what a sent message holds, and sending one back.

A file is kept by its Telegram file id on the card's timeline (a ``file`` event,
``crm.event_data.FileAttached``): a client's, a deal's or a record's alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiogram import Bot, F
from aiogram.types import Message

from crm.event_data import FileAttached, data_of
from crm.timeline import FileKind
from handlers.kit.event_labels import file_kind_label
from handlers.kit.timeline import event_text
from storage.models import Event, User

MEDIA = F.photo | F.voice | F.document | F.video | F.audio | F.video_note
"""A message an open card takes as a file."""

CAPTION_CHARS = 1024  # Telegram's limit for a caption
CHOICE_CHARS = 60  # a file's button: the start of its timeline line


def file_of(message: Message) -> tuple[FileKind, str, str | None]:
    """The kind, Telegram file id and file name (if it has one) of a ``MEDIA`` message."""
    if message.photo:
        return "photo", message.photo[-1].file_id, None  # the largest size
    if message.voice:
        return "voice", message.voice.file_id, None
    if message.video:
        return "video", message.video.file_id, message.video.file_name
    if message.audio:
        return "audio", message.audio.file_id, message.audio.file_name
    if message.video_note:
        return "video_note", message.video_note.file_id, None
    assert message.document is not None
    return "document", message.document.file_id, message.document.file_name


@dataclass(frozen=True)
class SentFile:
    """A file sent to go on a card: its kind, Telegram file id, name and caption."""

    kind: FileKind
    file_id: str
    file_name: str | None
    caption: str | None

    @classmethod
    def of(cls, message: Message) -> SentFile:
        """The file a ``MEDIA`` message holds."""
        return cls(*file_of(message), message.caption)


def file_choices(events: list[Event], people: Mapping[int, User]) -> list[tuple[str, int]]:
    """The files among a page of a timeline: (its button's text, the event's id)."""
    return [
        (event_text(event, people, [])[:CHOICE_CHARS], event.id)
        for event in events
        if event.kind == "file"
    ]


async def send_back(bot: Bot, chat_id: int, event: Event) -> None:
    """Send a timeline's file into ``chat_id`` as what it was (a photo as a photo), with
    its caption, or its kind when it had none."""
    attached = data_of(event, FileAttached)
    kind, file_id = str(attached.get("file_kind")), str(attached.get("file_id"))
    caption = (event.text or file_kind_label(kind))[:CAPTION_CHARS]
    if kind == "video_note":  # takes no caption
        await bot.send_video_note(chat_id, file_id)
    elif kind == "photo":
        await bot.send_photo(chat_id, file_id, caption=caption)
    elif kind == "voice":
        await bot.send_voice(chat_id, file_id, caption=caption)
    elif kind == "video":
        await bot.send_video(chat_id, file_id, caption=caption)
    elif kind == "audio":
        await bot.send_audio(chat_id, file_id, caption=caption)
    else:
        await bot.send_document(chat_id, file_id, caption=caption)
