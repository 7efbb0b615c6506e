"""/backup: the whole base as one file, for the owner."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from crm.backups import TELEGRAM_UPLOAD_LIMIT
from crm.service import Crm
from handlers.kit.routes import Routes
from storage.models import Role, User

routes = Routes(__name__)


@routes.message(Command("backup"))
async def backup(message: Message, crm: Crm, member: User, bot: Bot) -> None:
    if member.role != Role.OWNER:
        await message.answer(_("Only the owner makes backups."))
        return
    made = await crm.backups.make(member)
    if len(made.data) > TELEGRAM_UPLOAD_LIMIT:
        await message.answer(
            _(
                "The backup is larger than the 50 MB Telegram lets a bot send. "
                "Run python -m bot backup FILE on the server instead."
            )
        )
        return
    await bot.send_document(
        member.id,
        BufferedInputFile(made.data, filename=made.name),
        caption=_(
            "The whole base: {rows} rows. Restore it with python -m bot restore FILE."
        ).format(rows=made.rows),
    )
