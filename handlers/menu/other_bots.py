"""A command addressed to another bot by name ("/task@other_bot") in the private chat.

In the team's group such a command is not the bot's, and is let be (``handlers.groups``).
In private it is not ours either: it neither ends the dialog waiting (``LeaveDialogs``)
nor answers its question, nor is it a note on the open card. The member is answered as
for anything else no feature takes (never silence in private)."""

from __future__ import annotations

from aiogram import F
from aiogram.types import Message

from handlers.kit.middlewares import for_another_bot
from handlers.kit.routes import Routes
from handlers.menu.fallback import unknown_message

routes = Routes(__name__)
routes.message.filter(F.chat.type == "private")


@routes.message(F.text.startswith("/"), for_another_bot)
async def another_bots_command(message: Message, raw_state: str | None = None) -> None:
    await unknown_message(message, raw_state)
