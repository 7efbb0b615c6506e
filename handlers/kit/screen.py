"""A screen (text + buttons) and the one place that puts it in front of a member.

One message per screen: a press edits the message it came from; anything else
sends a new message. Screens are only ever shown in the member's private chat:
a press on a bot's message in a group answers there, in private, so a card is
never edited into a message everyone in the group can read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, MessageEntity
from aiogram.utils.formatting import Text

# Telegram's answers to an edit that cannot be made; the screen is then sent anew.
_NOT_EDITABLE = (
    "message can't be edited",
    "message to edit not found",
    "there is no text in the message to edit",
)


MESSAGE_CHARS = 4000
"""How long a screen's text is let grow (``fitted``, ``cut``): Telegram's limit is 4096."""


def utf16_length(text: str) -> int:
    """How long Telegram counts ``text``: in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def clipped(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-16 units, ending in "…" when cut."""
    if utf16_length(text) <= limit:
        return text
    kept, units = 0, 1  # the "…"
    while units + utf16_length(text[kept]) <= limit:
        units += utf16_length(text[kept])
        kept += 1
    return text[:kept] + "…"


def message_parts(text: str, limit: int = MESSAGE_CHARS) -> list[str]:
    """``text`` as messages of at most ``limit`` UTF-16 units each, nothing of it left out
    but the line break or the space each is cut at (the last in the second half of what
    fits; without one, a part is cut where it is full)."""
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        fits, units = 0, 0
        while units + utf16_length(rest[fits]) <= limit:
            units += utf16_length(rest[fits])
            fits += 1
        head = rest[:fits]
        breaks = [at for at in (head.rfind("\n"), head.rfind(" ")) if at > fits // 2]
        cut = breaks[0] if breaks else fits
        if head[:cut].strip():
            parts.append(head[:cut])
        rest = rest[cut + 1 :] if breaks else rest[cut:]
    return [*parts, rest] if rest.strip() or not parts else parts


class Rendered(Text):
    """A text rendered once, however often it is asked for whole (``as_kwargs``): a card
    is measured against Telegram's limit and then sent; each rendering builds every
    entity again (a tenth of a card's time went to the second one). A part measured on
    its own (a card's head) and then put in a larger text is not rendered again there:
    its entities are moved to where it stands."""

    _rendered: tuple[str, list[MessageEntity]] | None = None

    def render(
        self, *, _offset: int = 0, _sort: bool = True, _collect_entities: bool = True
    ) -> tuple[str, list[MessageEntity]]:
        if self._rendered is None:
            if _offset or not _sort or not _collect_entities:  # inside another: as it is
                return super().render(
                    _offset=_offset, _sort=_sort, _collect_entities=_collect_entities
                )
            self._rendered = super().render()
        text, entities = self._rendered
        if not _collect_entities:
            return text, []
        if _offset:
            return text, [e.model_copy(update={"offset": e.offset + _offset}) for e in entities]
        return text, list(entities)


def fitted(head: Sequence[Any], lines: Sequence[Any], tail: Sequence[Any], limit: int) -> Text:
    """``head``, then as many of ``lines`` as keep the whole within ``limit`` UTF-16 units
    (as Telegram counts; the last ones left out first), then ``tail``; rendered once when
    all of it fits."""
    return fitting(head, lines, tail, limit)[0]


def fitting(
    head: Sequence[Any],
    lines: Sequence[Any],
    tail: Sequence[Any],
    limit: int,
    more: Callable[[int], Sequence[Any]] | None = None,
    total: int | None = None,
) -> tuple[Text, int]:
    """As ``fitted``, and how many of ``lines`` it kept (a page says what it shows).
    ``more(n)``: what follows the lines kept when ``n`` of ``total`` (all of ``lines``
    unless only the first are given) are left out, "…and n more", measured with them."""
    count = len(lines) if total is None else total

    def text(shown: Sequence[int]) -> Text:
        left = count - shown[0]
        said = more(left) if more is not None and left > 0 else ()
        return Rendered(*head, *lines[: shown[0]], *said, *tail)

    fitting_text, (kept,) = cut_to_fit(text, [len(lines)], limit)
    return fitting_text, kept


def cut_to_fit(
    text: Callable[[Sequence[int]], Text], lengths: Sequence[int], limit: int
) -> tuple[Text, list[int]]:
    """``text(shown)``, the text with the first ``shown[i]`` lines of each list ``i`` of
    ``lengths[i]`` lines (and, where it likes, how many of them it leaves out), within
    ``limit`` UTF-16 units: the list with the most lines shown loses its last one until
    the text fits, or no line is left. The text, and how many lines of each list it shows."""
    shown = list(lengths)
    while True:
        made = text(shown)
        if not any(shown) or utf16_length(made.render()[0]) <= limit:
            return made, shown
        longest = max(range(len(shown)), key=shown.__getitem__)
        shown[longest] -= 1


@dataclass(frozen=True)
class Screen:
    text: Text
    keyboard: InlineKeyboardMarkup | None = None


async def show(
    event: CallbackQuery | Message,
    text: Text | Screen,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Edit the pressed message in place, or send the screen to the member's private chat.

    A screen that has not changed (Refresh, a button pressed twice) stays as it is:
    Telegram refuses an edit to the same text and buttons. The message that shows the
    screen now (None when it is not known: the pressed one is inaccessible) is returned.
    """
    if isinstance(text, Screen):
        keyboard = text.keyboard
        text = text.text
    if isinstance(event, Message):
        return await send(event, text, keyboard)
    message = event.message
    if isinstance(message, Message) and message.chat.type == "private":
        try:
            await message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
            return message
        except TelegramBadRequest as error:
            if not _sent_anew(error):
                return message
    if event.bot is not None:
        return await event.bot.send_message(
            event.from_user.id, **text.as_kwargs(), reply_markup=keyboard
        )
    return None


async def show_below(callback: CallbackQuery, screen: Screen) -> Message | None:
    """``screen`` in a new message in the member's private chat, the pressed message left
    as it is: a menu whose button raised a question stays usable under it."""
    if callback.bot is None:
        return None
    return await callback.bot.send_message(
        callback.from_user.id, **screen.text.as_kwargs(), reply_markup=screen.keyboard
    )


async def edit_or_send(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: Text,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """As ``show``, for a message the bot sent earlier (a long task's news): edited in
    place, or sent anew to ``chat_id`` when it can no longer be edited (deleted)."""
    try:
        await bot.edit_message_text(
            chat_id=chat_id, message_id=message_id, **text.as_kwargs(), reply_markup=keyboard
        )
        return
    except TelegramBadRequest as error:
        if not _sent_anew(error):
            return
    await bot.send_message(chat_id, **text.as_kwargs(), reply_markup=keyboard)


def _sent_anew(error: TelegramBadRequest) -> bool:
    """After an edit Telegram refused: whether the screen goes out as a new message (the
    message cannot be edited); False when it had not changed; raised again otherwise."""
    if "message is not modified" in error.message:
        return False
    if not any(reason in error.message for reason in _NOT_EDITABLE):
        raise error
    return True


async def send(
    message: Message, text: Text, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """A new screen in answer to a message: in the same chat if private, else in private."""
    if message.chat.type == "private" or message.from_user is None or message.bot is None:
        return await message.answer(**text.as_kwargs(), reply_markup=keyboard)
    else:
        return await message.bot.send_message(
            message.from_user.id, **text.as_kwargs(), reply_markup=keyboard
        )
