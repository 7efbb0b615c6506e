"""/bind and /unbind sent in private: they are for the team's group chat, and said so."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from crm.access import is_staff
from handlers.kit.routes import Routes
from storage.models import Role, User

routes = Routes(__name__)
routes.message.filter(F.chat.type == "private")


@routes.message(Command("bind", "unbind"))
async def sent_in_private(message: Message, command: CommandObject, member: User) -> None:
    binding = command.command.lower() == "bind"
    if not (is_staff(member) and member.role == Role.OWNER):
        only = _("Only the owner can bind a group.")
        await message.answer(only if binding else _("Only the owner can unbind a group."))
        return
    where = (
        _(
            "/bind is sent in the team's group chat: add me to the group, then send /bind "
            "there. The group will hear of new clients, deals and overdue tasks."
        )
        if binding
        else _("/unbind is sent in the group chat that should hear nothing more from Kartoteka.")
    )
    await message.answer(where)
