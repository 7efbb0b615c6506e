"""/export: clients, deals or tasks as .xlsx or .csv; /backup: the whole base, for the owner."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.client_queries import ClientFilter
from crm.exports.files import Format
from crm.service import Crm
from handlers.imports.callbacks import ExportCb
from handlers.imports.views import export_screen
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import Role, User

routes = Routes(__name__)
TELEGRAM_UPLOAD_LIMIT = 50 * 2**20


def titles() -> dict[str, str]:
    return {
        "name": _("Name"), "phones": _("Phones"), "emails": _("E-mails"), "company": _("Company"),
        "city": _("City"), "address": _("Address"), "status": _("Status"), "source": _("Source"),
        "tags": _("Tags"), "manager": _("Responsible"), "created_at": _("Created"),
        "last_activity_at": _("Last activity"), "title": _("Title"), "client": _("Client"),
        "stage": _("Stage"), "amount": _("Amount"), "currency": _("Currency"),
        "expected_close": _("Expected close"), "closed_at": _("Closed"),
        "lost_reason": _("Lost reason"), "due_at": _("Due"), "priority": _("Priority"),
        "assignee": _("Assignee"), "deal": _("Deal"), "done_at": _("Done"),
    }  # fmt: skip


@routes.message(Command("export"))
async def choose(message: Message) -> None:
    await show(message, export_screen())


@routes.callback_query(ExportCb.filter())
async def export(
    callback: CallbackQuery, callback_data: ExportCb, crm: Crm, member: User, bot: Bot
) -> None:
    fmt = Format.CSV if callback_data.fmt == "csv" else Format.XLSX
    if callback_data.what == "deals":
        file = await crm.exports.deals(member, fmt, titles())
    elif callback_data.what == "tasks":
        file = await crm.exports.tasks(member, fmt, titles())
    else:
        file = await crm.exports.clients(member, ClientFilter(), fmt, titles())
    await callback.answer()
    await bot.send_document(
        member.id,
        BufferedInputFile(file.data, filename=file.name),
        caption=_("{rows} rows.").format(rows=file.rows),
    )


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
