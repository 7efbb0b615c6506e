"""/export and the "⬇️ Export" button of every list: a file of what the member sees.

A list's button asks for the format in place (the list comes back with its
"Back" button) and the file holds what that list shows: the clients list with
its current filters, the deals overview with its filters, the tasks of the
member the list shows, a record type's current cards or archive.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.client_filter import ClientFilter
from crm.exports.columns import ExportFile
from crm.service import Crm
from crm.tasks import PRIORITIES
from handlers.clients.filters import recall, to_client_filter
from handlers.deals.overview import month_range, parse_filters
from handlers.imports.callbacks import ExportAction, ExportCb, ExportWhat
from handlers.imports.export_views import export_choice_screen, export_screen
from handlers.kit import field_filters as ff
from handlers.kit.alerts import alert
from handlers.kit.labels import status_name
from handlers.kit.once import forget_screen, once
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import builtin_stage_name
from handlers.tasks.views import priority_name
from storage.models import User

routes = Routes(__name__)


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
        "linked_clients": _("Linked clients"), "linked_deals": _("Linked deals"),
        "archived_at": _("Archived on"), "deal_id": _("Deal ID"), "task_id": _("Task ID"),
        "record": _("Record"),
    }  # fmt: skip


@routes.message(Command("export"))
async def choose(message: Message, crm: Crm) -> None:
    await show(message, export_screen(await crm.record_types.all()))


@routes.callback_query(ExportCb.filter(F.action == ExportAction.ASK))
async def ask(callback: CallbackQuery, callback_data: ExportCb, state: FSMContext) -> None:
    await show(callback, export_choice_screen(callback_data))
    await forget_screen(callback, state)  # the formats asked anew: a file may go again


@routes.callback_query(ExportCb.filter(F.action == ExportAction.FILE))
async def export(
    callback: CallbackQuery,
    callback_data: ExportCb,
    crm: Crm,
    member: User,
    bot: Bot,
    state: FSMContext,
) -> None:
    async def send() -> None:
        file = await make(callback, callback_data, crm, member, state)
        if file is None:
            raise OutOfDate()
        await callback.answer()
        await bot.send_document(
            member.id,
            BufferedInputFile(file.data, filename=file.name),
            caption=_("Rows: {rows}.").format(rows=file.rows),
        )

    try:  # pressed twice, one file
        await once(
            callback,
            state,
            f"export:{callback_data.what}:{callback_data.type_id}:{callback_data.fmt}",
            send,
        )
    except OutOfDate:
        await alert(
            callback, _("This list is out of date. Open it again (/clients) and export from there.")
        )


class OutOfDate(Exception):
    """The clients list a button came from is no longer remembered: nothing was sent."""


async def make(
    callback: CallbackQuery, data: ExportCb, crm: Crm, member: User, state: FSMContext
) -> ExportFile | None:
    """The file; None when the clients list it came from is no longer remembered."""
    if data.what == ExportWhat.DEALS:
        stages = {s.code: builtin_stage_name(s.code) or "" for s in await crm.pipelines.stages()}
        month = month_range(crm.clock.now(), member.timezone)
        labels = {code: name for code, name in stages.items() if code}
        filters = parse_filters(data.f)
        kept, _said = await ff.pruned(crm, CardKind.DEAL, filters.fields)  # a field deleted
        filters = replace(filters, fields=kept)
        return await crm.exports.deals(member, data.fmt, titles(), labels, filters, month)
    if data.what == ExportWhat.TASKS:
        priorities = {p: priority_name(p) for p in PRIORITIES}
        return await crm.exports.tasks(member, data.fmt, titles(), data.who, priorities)
    if data.what == ExportWhat.RECORDS:
        kept, _said = await ff.pruned(crm, CardKind.RECORD, ff.unpack(data.f), data.type_id)
        return await crm.exports.records(
            member, data.type_id, data.fmt, titles(), data.archived, kept
        )
    query = ClientFilter(with_archive=True)  # /export: the whole base, the archive marked
    if data.from_list:
        origin = callback.message.message_id if callback.message else 0
        chosen = await recall(state, origin)
        if chosen is None:
            return None
        kept, _said = await ff.pruned(crm, CardKind.CLIENT, chosen.fields)  # a field deleted
        query = to_client_filter(replace(chosen, fields=kept), member, crm.clock.now())
    statuses = {s.code: status_name(s) for s in await crm.settings.statuses()}
    return await crm.exports.clients(member, query, data.fmt, titles(), statuses)
