"""What a member gets for input no feature took: a pointer to /help, never silence."""

from __future__ import annotations

from aiogram.types import CallbackQuery, InlineQuery, InlineQueryResultsButton, Message
from aiogram.utils.i18n import gettext as _

from handlers.kit.alerts import alert
from handlers.kit.routes import Routes

routes = Routes(__name__)


@routes.message()
async def unknown_message(message: Message, raw_state: str | None = None) -> None:
    """In a dialog's step, what reaches here is no answer its handlers take (a file, a
    photo, a sticker): the step stays, and the member is pointed back to its question."""
    if message.chat.type != "private":
        return
    if raw_state is not None:
        await message.answer(
            _(
                "That is no answer here. Answer the question above "
                "(as text, or with its buttons), or /cancel."
            )
        )
        return
    await message.answer(_("I didn't understand that. /help shows what I can do."))


@routes.callback_query()
async def stale_button(callback: CallbackQuery) -> None:
    await alert(callback, _("This button is no longer active."))


@routes.inline_query()
async def inline_query(query: InlineQuery) -> None:
    """Kartoteka has no inline mode; a member is pointed to the chat with the bot."""
    await query.answer(
        [],
        cache_time=0,
        is_personal=True,
        button=InlineQueryResultsButton(text=_("Open Kartoteka"), start_parameter="menu"),
    )
