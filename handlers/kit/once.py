"""A button that sends acts once: pressed twice, the file or the letter goes once.

Telegram delivers a button pressed twice in quick succession as two presses, and they
are handled one after the other (one update at a time per chat): the second sent the
filled document, the letter to the client, the report's workbook or an export again.
Which buttons of which message have sent (the message and what the button sends, e.g.
``choose:<template>``) is kept in the chat's FSM storage, beside its dialog (under the
destiny ``SENT``: /cancel and a dialog's end clear the dialog's state and data, and an
old send button then sent again): a second press of one is answered "already sent". A
send that failed is not counted, so it can be pressed again; a screen shown anew on a
message (the template picker, a report's period, an export's formats) forgets what its
buttons sent, so it is sent again from there on purpose.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.kit.dialogs import DialogData

KEEP = 20  # the newest presses remembered
SENT = "sent"  # the FSM storage's destiny of what was sent (Redis keys: bot.fsm_storage)


@dataclass(frozen=True)
class SentPresses(DialogData):
    """``message:what`` of the buttons that have sent, oldest first."""

    sent_presses: list[str] = field(default_factory=list)


def _sent(state: FSMContext) -> FSMContext:
    """The chat's record of what its buttons sent, which clearing its dialog keeps."""
    return FSMContext(state.storage, replace(state.key, destiny=SENT))


def _key(callback: CallbackQuery, what: str) -> str | None:
    if callback.message is None:
        return None
    return f"{callback.message.message_id}:{what}"


async def once(
    callback: CallbackQuery, state: FSMContext, what: str, send: Callable[[], Awaitable[None]]
) -> None:
    """``send``, unless the button of this message that sends ``what`` has sent already
    (then the press is answered so). Counted before ``send`` and forgotten if it fails."""
    key = _key(callback, what)
    if key is None:
        await send()
        return
    state = _sent(state)
    sent = (await SentPresses.load(state)).sent_presses
    if key in sent:
        await callback.answer(_("Already sent."))
        return
    await SentPresses([*sent, key][-KEEP:]).save(state)
    try:
        await send()
    except Exception:
        left = (await SentPresses.load(state)).sent_presses
        await SentPresses([one for one in left if one != key]).save(state)
        raise


async def forget_screen(callback: CallbackQuery, state: FSMContext) -> None:
    """A new picking screen on the pressed message: what its old buttons sent is forgotten."""
    if callback.message is None:
        return
    prefix = f"{callback.message.message_id}:"
    state = _sent(state)
    sent = (await SentPresses.load(state)).sent_presses
    if any(one.startswith(prefix) for one in sent):
        await SentPresses([one for one in sent if not one.startswith(prefix)]).save(state)
