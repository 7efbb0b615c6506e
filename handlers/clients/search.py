"""/find and plain-text search: a single match opens its card, several are listed."""

from __future__ import annotations

from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from crm.parsing.search_text import shows
from crm.service import Crm
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.screen import send_card
from handlers.clients.views import client_summary
from handlers.kit.routes import Routes
from storage.models import User

routes = Routes(__name__)
RESULTS = 10
MAX_QUERY = 200


@routes.message(Command("find"))
async def find_command(
    message: Message, command: CommandObject, crm: Crm, member: User, state: FSMContext
) -> None:
    await state.clear()
    await search_and_answer(message, crm, member, command.args or "")


async def search_and_answer(message: Message, crm: Crm, member: User, text: str) -> None:
    """One active match opens its card, several are listed; matches in the archive are
    listed too, marked 🗄, so a client moved there is not "not found"."""
    query = " ".join(text.split())
    if not shows(query):  # nothing to look for (or only invisible marks): what to type
        await message.answer(
            _("What to look for? For example: /find Petrov, /find 999 123, /find ivan@mail.ru")
        )
        return
    if len(query) > MAX_QUERY:
        await message.answer(_("That is too long to search for; send a name, phone or email."))
        return
    found, archived = await crm.client_queries.search_with_archive(member, query, RESULTS)
    if not found and not archived:
        await message.answer(_("Nothing found for “{query}”.").format(query=query))
        return
    if len(found) == 1 and not archived:
        await send_card(message, crm, member, found[0].id)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=(("🗄 " if client.archived_at else "") + client_summary(client))[:64],
                callback_data=ClientCb(action=CardAction.OPEN, client_id=client.id).pack(),
            )
        ]
        for client in [*found[:RESULTS], *archived]
    ]
    header = _("Found for “{query}”:").format(query=query)
    if len(found) > RESULTS:
        header += "\n" + _("Showing the {n} best matches; add a word to narrow it down.").format(
            n=RESULTS
        )
    if archived:
        header += "\n" + _("🗄 marks a client in the archive.")
    await message.answer(header, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
