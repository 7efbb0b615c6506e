"""What a press is answered with, whatever its length.

Telegram shows at most 200 characters (UTF-16 units) on a press, as an alert or a
toast, and refuses a longer answer outright (400 MESSAGE_TOO_LONG), so a refusal
naming long cards would leave the member with nothing. Every alert goes through
``alert``: a text that fits is shown on the press; a longer one goes whole to the
member's private chat with the bot, and the press is answered short.
"""

from __future__ import annotations

from contextlib import suppress

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

ALERT_LIMIT = 200


def fits_alert(text: str) -> bool:
    """Whether Telegram takes ``text`` as a press's answer (counted as it counts)."""
    return len(text.encode("utf-16-le")) // 2 <= ALERT_LIMIT


async def alert(query: CallbackQuery, text: str, *, toast: bool = False) -> None:
    """Answer ``query`` with ``text``: an alert (``toast``: a note that fades) when it
    fits, else the whole text in private and a short answer on the press.

    An alert on a press answered already (or too old to answer) goes in private too.
    """
    if fits_alert(text):
        if toast:
            await query.answer(text)
            return
        try:
            await query.answer(text, show_alert=True)
            return
        except TelegramBadRequest:
            pass  # the press was answered already: say it in private instead
        await _in_private(query, text)
        return
    if not await _in_private(query, text):
        # (no private chat to say it in: the start of it, rather than nothing)
        with suppress(TelegramBadRequest):
            await query.answer(_cut(text), show_alert=True)
        return
    message = query.message
    elsewhere = message is None or message.chat.id != query.from_user.id
    with suppress(TelegramBadRequest):  # (too old to answer: the text is in private)
        await query.answer(_("📩 The whole answer is in our private chat.") if elsewhere else None)


async def _in_private(query: CallbackQuery, text: str) -> bool:
    """Send ``text`` to the member's private chat; False if it cannot go there."""
    if query.bot is None:
        return False
    try:
        await query.bot.send_message(query.from_user.id, text)
    except (TelegramForbiddenError, TelegramBadRequest):
        return False  # never started the bot, or blocked it
    return True


def _cut(text: str) -> str:
    """``text`` cut to fit an alert, ending with "…"."""
    text = text[: ALERT_LIMIT - 1]
    while not fits_alert(text + "…"):
        text = text[:-1]
    return text.rstrip() + "…"
